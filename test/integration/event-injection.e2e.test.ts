/**
 * Regression (issue 8, item 1) as it was found: an updatebucket event whose
 * additionalDetails carry request fields, sent to dist/func.js under the FDK.
 * The function used to spread additionalDetails over the parsed request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTypes } from '../../src/input/event-types';
import { asCloudEvents10, bucketEvent } from '../support/events';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
type Json = Record<string, unknown>;

describe('an updatebucket event with request fields in additionalDetails', () => {
  let s: Stack;
  let otherKey: string;
  const eventTime = new Date(Date.now() - 60_000).toISOString();
  const updated = (extra: Json): Json => {
    const event = bucketEvent({ namespace: s.namespace, bucketName: 'target', eventTime }) as { data: { additionalDetails: Json } };
    Object.assign(event.data.additionalDetails, extra);
    return event;
  };

  beforeAll(async () => {
    s = await startStack();
    otherKey = s.emu.createKey({ vaultId: s.vaultId, compartmentId: s.compartmentA, displayName: 'someone-elses' }).id;
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'target', kmsKeyId: s.keyId });
    s.emu.seedObjects('target', { count: 5, prefix: 't/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.createBucket({ compartmentId: s.compartmentB, name: 'bystander', kmsKeyId: otherKey });
    s.emu.seedObjects('bystander', { count: 5, prefix: 'b/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: otherKey } });
  });
  afterAll(async () => s?.stop());

  it.each([
    ['CloudEvents 0.1', (e: Json) => e],
    ['CloudEvents 1.0', asCloudEvents10],
  ])('an eventTime there is ignored: the sweep uses the envelope time (was InternalError) (%s)', async (_name, envelope) => {
    const r = await s.fn.call(JSON.stringify(envelope(updated({ eventTime: '2026-01-01T00:00:00Z' }))));
    expect(r.json).toMatchObject({
      ok: true, action: 'swept', trigger: { kind: 'bucket-key-change', eventType: EventTypes.updateBucket },
      watermark: { source: 'event-time', before: eventTime },
    });
  });

  it('kind: manual there does not change the kind of request (was InternalError)', async () => {
    const r = await s.fn.call(JSON.stringify(updated({ kind: 'manual', scope: { type: 'bucket', bucketName: 'bystander' } })));
    expect(r.json).toMatchObject({ ok: true, trigger: { kind: 'bucket-key-change', bucketName: 'target' } });
    expect(r.json.buckets.map((b: { bucketName: string }) => b.bucketName)).toEqual(['target']);
  });

  it('kind: key-rotation and another keyId there do not start a rotation sweep of that key', async () => {
    const bystanderBefore = keyVersionCounts(s.emu, 'bystander');
    s.emu.rotateKey(otherKey);
    const r = await s.fn.call(JSON.stringify(updated({ kind: 'key-rotation', phase: 'end', keyId: otherKey })));
    expect(r.json).toMatchObject({ ok: true, trigger: { kind: 'bucket-key-change', bucketName: 'target' } });
    expect(r.json.trigger).not.toHaveProperty('keyId');
    expect(r.json.buckets.map((b: { bucketName: string }) => b.bucketName)).toEqual(['target']);
    expect(keyVersionCounts(s.emu, 'bystander')).toEqual(bystanderBefore);
  });

  it('an eventType there does not replace the event type in the report', async () => {
    const r = await s.fn.call(JSON.stringify(updated({ eventType: EventTypes.createKeyVersionEnd, eventId: 'forged' })));
    expect(r.json).toMatchObject({ ok: true, trigger: { kind: 'bucket-key-change', eventType: EventTypes.updateBucket } });
    expect(r.json.trigger.eventId).not.toBe('forged');
  });
});
