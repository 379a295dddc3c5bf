import type { KeyRotationRequest } from '../input/types';
import type { KeyVersionFacts } from '../oci/vault';

/**
 * `autokeyrotate.end` is emitted when a rotation succeeds and when it fails,
 * and the payload that tells them apart is not documented. The sweep always
 * uses the key's current version read from the vault; this says whether that
 * version looks like the one the event announced.
 */
export interface RotationCheck {
  readonly keyId: string;
  readonly currentKeyVersionId: string;
  readonly currentVersionCreated: string;
  readonly eventTime: string;
  /**
   * The current version was created before the event by more than the clock
   * skew. Decided on times alone, whatever the event's payload says.
   */
  readonly mayHaveFailed: boolean;
}

/** Pure: does the key's current version look like the outcome of the rotation the event announced? */
export function checkRotation(request: KeyRotationRequest, current: KeyVersionFacts, clockSkewMs: number): RotationCheck {
  return {
    keyId: request.keyId, currentKeyVersionId: current.keyVersionId, currentVersionCreated: current.timeCreated.toISOString(),
    eventTime: request.eventTime.toISOString(),
    mayHaveFailed: current.timeCreated.getTime() < request.eventTime.getTime() - clockSkewMs,
  };
}
