/**
 * The invocation that starts a run (an event, a manual request) has no failure destination
 * behind it: when Functions refuses its successor (429, the tenancy's concurrency quota), it
 * asks again with backoff while it has time, so a short spell of a full quota does not leave
 * the run waiting for someone to resume it by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';
import { eventuallyInRun, seedVersionedBucket, storedReports } from '../support/runs';

describe('the successor of a run\'s first invocation refused for a while', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      // Two attempts per call: a third refusal can only come from asking again.
      env: { REENCRYPT_MAX_ATTEMPTS: '2', REENCRYPT_SAFETY_MARGIN_SECONDS: '6', REENCRYPT_CONCURRENCY: '2' },
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 8, maxProcesses: 3, failureDestination: true },
    });
    seedVersionedBucket(s.emu, 'start-refused', s.keyId, s.compartmentA, 2000);
    s.emu.rotateKey(s.keyId);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('asks again while it has time; once Functions has room, the run goes on and finishes by itself', async () => {
    const { functions } = s.emu;
    s.emu.setGlobalFaults({ latencyMs: 20 });
    functions.concurrencyQuota = 0;
    // Sent straight to the function, as a synchronous invoke would be; it works for a while, then hands over.
    const answer = s.fn.call(JSON.stringify({ bucketName: 'start-refused', force: true, runId: 'start-refused' }), { deadlineMs: 20_000 });
    // More refusals than one call's attempts: the invocation asked again. Then Functions has room.
    await eventuallyInRun(s.emu, s.functionId, () => (functions.throttled >= 3 ? true : undefined), 'the successor asked for again', 60_000);
    functions.concurrencyQuota = undefined;
    s.emu.setGlobalFaults(undefined);
    const first = (await answer).json;
    expect(first).toMatchObject({ ok: true, runId: 'start-refused', action: 'run-step', handedOver: true });
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === 'start-refused'), 'the run finished by itself', 120_000);
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: 2000 } });
    expect(keyVersionCounts(s.emu, 'start-refused')).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: 2000 });
  }, 180_000);
});
