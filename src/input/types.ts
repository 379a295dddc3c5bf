import type { StrategyName } from '../decide/strategy';
import type { EventType } from './event-types';

/** What every event-driven request carries about the event itself. */
export interface EventOrigin {
  readonly eventType: EventType;
  readonly eventId: string;
  readonly eventTime: Date;
  readonly compartmentId?: string;
}

/** createobject / updateobject: the compliance hook. */
export interface ObjectEventRequest extends EventOrigin {
  readonly kind: 'object-event';
  readonly namespace: string;
  readonly bucketName: string;
  readonly objectName: string;
  readonly versionId?: string;
  /** From the event: `Archived` objects cannot be re-encrypted until restored. */
  readonly archivalState?: string;
}

/** A Vault key rotation (`.end` acts, `.begin` is acknowledged). */
export interface KeyRotationRequest extends EventOrigin {
  readonly kind: 'key-rotation';
  readonly phase: 'begin' | 'end';
  readonly keyId: string;
  readonly keyVersionId?: string;
  readonly vaultId?: string;
}

/** updatebucket: the bucket's key may have changed. */
export interface BucketKeyChangeRequest extends EventOrigin {
  readonly kind: 'bucket-key-change';
  readonly namespace: string;
  readonly bucketName: string;
}

/**
 * A manual `fn invoke` as the schema accepts it once the CLI's unset fields
 * (null) are gone; field names follow `oci os object reencrypt --from-json`.
 */
export interface ManualRequestBody {
  namespaceName?: string;
  /** The CLI's alias of namespaceName. */
  namespace?: string;
  bucketName?: string;
  objectName?: string;
  /** The CLI's alias of objectName. */
  name?: string;
  versionId?: string;
  kmsKeyId?: string;
  sseCustomerKeySecretId?: string;
  sourceSseCustomerKeySecretId?: string;
  prefix?: string;
  before?: string;
  force?: boolean;
  dryRun?: boolean;
  compartmentIds?: string[];
  vaultId?: string;
  continuation?: string;
  runId?: string;
  resume?: string;
  handedOverBy?: string;
  replaces?: string;
  listRuns?: true;
  strategy?: StrategyName;
}

export type ManualScope =
  | {
      readonly type: 'object';
      readonly bucketName: string;
      readonly objectName: string;
      readonly versionId?: string;
      readonly kmsKeyId?: string;
      readonly sseCustomerKeySecretId?: string;
      readonly sourceSseCustomerKeySecretId?: string;
    }
  | { readonly type: 'bucket'; readonly bucketName: string; readonly prefix?: string }
  | { readonly type: 'key'; readonly kmsKeyId: string; readonly compartmentIds?: readonly string[] }
  | { readonly type: 'continuation'; readonly token: string }
  /** A run's status, or its final report once it has ended. */
  | { readonly type: 'run-status'; readonly runId: string }
  /** Work on an unfinished run now. */
  | {
      readonly type: 'resume'; readonly runId: string;
      /** The Fn call id of the invocation that handed the run over (set by the function's own handovers; chains.ts). */
      readonly handedOverBy?: string;
      /** The Fn call id of a failed invocation whose record resumed the run (set by the function; chains.ts). */
      readonly replaces?: string;
    }
  | { readonly type: 'list-runs' };

/** How a sweep decides which versions are old: a time, everything, or the key's current version. */
export type WatermarkSpec =
  | { readonly type: 'before'; readonly before: Date }
  | { readonly type: 'force' }
  | { readonly type: 'key-version' };

export interface ManualRequest {
  readonly kind: 'manual';
  readonly scope: ManualScope;
  readonly namespace?: string;
  readonly vaultId?: string;
  readonly dryRun: boolean;
  readonly watermark: WatermarkSpec;
  /** A sweep's run id chosen by the caller (default: a fresh one). */
  readonly runId?: string;
  /** A sweep's strategy (default: REENCRYPT_STRATEGY). */
  readonly strategy?: StrategyName;
}

/**
 * A failed detached invocation's record, delivered by the function's failure
 * destination (a Notifications topic this function subscribes to). Its shape
 * is not documented: only the failed function's OCID is read.
 */
export interface InvocationFailedRequest {
  readonly kind: 'invocation-failed';
  readonly functionId: string;
  /**
   * The same for every delivery of the same record (a digest of its JSON): Notifications
   * retries a delivery that failed, and a retry must not resume again what the first
   * attempt resumed.
   */
  readonly recordKey: string;
  /**
   * The failed invocation's Fn call id, when the record names one in `id` (the record's fields
   * are not documented, assumption A21; without it every unfinished run is resumed, as before).
   */
  readonly failedCallId?: string;
}

export type ReencryptRequest = ObjectEventRequest | KeyRotationRequest | BucketKeyChangeRequest | ManualRequest | InvocationFailedRequest;
