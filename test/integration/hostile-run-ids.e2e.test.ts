/**
 * A run id names one run in the state bucket. An event's is derived from its
 * id (src/runs/lifecycle.ts runIdForEvent), so that the same event delivered
 * again finds the same run; a manual sweep may name its own (runId), so that
 * the same request sent again joins its run. Neither may answer a request
 * with another request's run:
 * - an event that carries no id is not "the same event" as every other
 *   event without one;
 * - a runId already used by a sweep of another scope is refused naming it,
 *   not joined (the answer would report the other sweep, complete, and the
 *   bucket asked for would never be swept).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketEvent } from '../support/events';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

describe('events without an id, with a state bucket', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ timeoutSeconds: 20, runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 20, maxProcesses: 2 } });
    for (const name of ['noid-a', 'noid-b', 'rid-a', 'rid-b']) {
      s.emu.createBucket({ compartmentId: s.compartmentA, name, kmsKeyId: s.keyId });
      s.emu.seedObjects(name, { count: 5, prefix: 'o-', timeModified: new Date(Date.now() - 3_600_000).toISOString(), encryption: { kind: 'kms', keyId: s.keyId } });
    }
  }, 60_000);
  afterAll(async () => s?.stop());

  it('two bucket events about two buckets, neither with an eventID: both buckets are swept, or the second is refused naming eventID', async () => {
    const version = s.emu.rotateKey(s.keyId).id;
    for (const bucketName of ['noid-a', 'noid-b']) {
      const event = bucketEvent({ namespace: s.namespace, bucketName, compartmentId: s.compartmentA });
      delete (event as Record<string, unknown>).eventID;
      const r = await s.fn.call(JSON.stringify(event), { deadlineMs: 20_000 });
      if (r.json.ok === false) {
        // Refused: said so, naming the field (and the sender can send it again with an id).
        expect(r.json, r.text.slice(0, 300)).toMatchObject({ error: { code: 'InvalidInput' } });
        expect((r.json.error.details as { field: string }[]).map((d) => d.field)).toContain('eventID');
        continue;
      }
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true, complete: true });
      expect(JSON.stringify(r.json.buckets), r.text.slice(0, 600)).toContain(`"${bucketName}"`);
      await s.emu.whenIdle();
      expect(keyVersionCounts(s.emu, bucketName)).toEqual({ [`kms:${version}`]: 5 });
    }
  }, 120_000);

  it('a runId already used by a sweep of another bucket is refused naming runId; the same request again joins its run', async () => {
    const first = await s.fn.call(JSON.stringify({ bucketName: 'rid-a', runId: 'shared-id', force: true }), { deadlineMs: 20_000 });
    expect(first.json, first.text.slice(0, 300)).toMatchObject({ ok: true, runId: 'shared-id' });
    await s.emu.whenIdle();
    const again = await s.fn.call(JSON.stringify({ bucketName: 'rid-a', runId: 'shared-id', force: true }), { deadlineMs: 20_000 });
    expect(again.json, again.text.slice(0, 300)).toMatchObject({ ok: true, runId: 'shared-id' });
    s.emu.resetCounters();
    const other = await s.fn.call(JSON.stringify({ bucketName: 'rid-b', runId: 'shared-id', force: true }), { deadlineMs: 20_000 });
    expect(other.json, other.text.slice(0, 400)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
    expect((other.json.error.details as { field: string }[]).map((d) => d.field)).toContain('runId');
    expect(s.emu.getCounters().routes.ReencryptObject?.calls ?? 0).toBe(0);
  }, 120_000);
});
