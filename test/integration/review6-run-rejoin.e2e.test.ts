/**
 * A manual sweep that names its run (runId) may be sent again and joins its run (a CLI retrying
 * after a lost answer, or the same invocation's own retry after the state bucket failed, which
 * starts the run again: withStateRetries). A run of a big bucket is not what its request
 * planned any more: the listing pass appends the bucket's name ranges to the run record
 * (src/runs/ranges.ts appendRange), so comparing the stored units with the request's must
 * look at the planned units only, or the same request is refused as "another request".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, startStack, stateRecord, type Stack } from '../support/stack';
import { storedReports } from '../support/runs';

describe('the same manual request again, after its run was split into name ranges', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      timeoutSeconds: 30, env: { REENCRYPT_MAX_WORKERS: '3', REENCRYPT_RANGE_SIZE: '20' },
      runs: { checkpointSeconds: 10, detachedTimeoutSeconds: 30, maxProcesses: 5 },
    });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'rejoin-ranged', kmsKeyId: s.keyId });
    s.emu.seedObjects('rejoin-ranged', { count: 90, prefix: 'o-', timeModified: new Date(Date.now() - 3_600_000).toISOString(), encryption: { kind: 'kms', keyId: s.keyId } });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('joins its run (answered with the run, not InvalidInput naming runId)', async () => {
    const version = s.emu.rotateKey(s.keyId).id;
    const request = JSON.stringify({ bucketName: 'rejoin-ranged', runId: 'rejoin-ranged-run', force: true });
    const first = await s.fn.call(request, { deadlineMs: 30_000 });
    expect(first.json, first.text.slice(0, 400)).toMatchObject({ ok: true, runId: 'rejoin-ranged-run' });
    await eventually(() => storedReports(s.emu)[0], 'the stored report');
    await s.emu.whenIdle();
    // The scenario: the run record holds more units than the request planned (its ranges).
    const run = stateRecord(s.emu, 'runs/rejoin-ranged-run/run.json') as { units: { of?: number }[] };
    expect(run.units.filter((u) => u.of !== undefined).length).toBeGreaterThan(0);
    expect(keyVersionCounts(s.emu, 'rejoin-ranged')).toEqual({ [`kms:${version}`]: 90 });

    const again = await s.fn.call(request, { deadlineMs: 30_000 });
    expect(again.json, again.text.slice(0, 600)).toMatchObject({ ok: true, runId: 'rejoin-ranged-run' });
  }, 300_000);
});
