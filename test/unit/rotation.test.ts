import { describe, expect, it } from 'vitest';
import { checkRotation } from '../../src/decide/rotation';
import type { KeyRotationRequest } from '../../src/input/types';
import { KEY } from '../support/events';

const EVENT_TIME = new Date('2026-03-11T04:00:00.000Z');
const SKEW_MS = 120_000;

function endEvent(eventTime = EVENT_TIME): KeyRotationRequest {
  return { kind: 'key-rotation', phase: 'end', eventType: 'com.oraclecloud.keymanagementservice.autokeyrotate.end', eventId: 'e', eventTime, keyId: KEY };
}

const version = (createdMsBeforeEvent: number) => ({
  keyId: KEY, keyVersionId: 'ocid1.keyversion.oc1.phx.x.current', timeCreated: new Date(EVENT_TIME.getTime() - createdMsBeforeEvent),
});

describe('checkRotation', () => {
  it.each([
    ['created with the event', 0, false],
    ['created a minute before the event (within the skew)', 60_000, false],
    ['created exactly the skew before the event', SKEW_MS, false],
    ['created just over the skew before the event', SKEW_MS + 1, true],
    ['created a day before the event (the rotation left no new version)', 86_400_000, true],
    ['created after the event (clocks disagree)', -5_000, false],
  ])('a current version %s: mayHaveFailed %s', (_what, msBefore, expected) => {
    expect(checkRotation(endEvent(), version(msBefore), SKEW_MS).mayHaveFailed).toBe(expected);
  });

  it('reports the version it compared and both times', () => {
    expect(checkRotation(endEvent(), version(86_400_000), SKEW_MS)).toEqual({
      keyId: KEY, currentKeyVersionId: 'ocid1.keyversion.oc1.phx.x.current',
      currentVersionCreated: '2026-03-10T04:00:00.000Z', eventTime: '2026-03-11T04:00:00.000Z', mayHaveFailed: true,
    });
  });

  it('with no clock skew, any version older than the event is suspect', () => {
    expect(checkRotation(endEvent(), version(1), 0).mayHaveFailed).toBe(true);
    expect(checkRotation(endEvent(), version(0), 0).mayHaveFailed).toBe(false);
  });
});
