/**
 * Fan-out over buckets end to end: dist/func.js in containers the emulator
 * starts on demand, a rotation event, and nothing else from the test. The
 * emulator counts invocations in flight (and answers 429 past a quota); the
 * test watches the state bucket for units held at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, startStack, stateRecord, type Stack } from '../support/stack';
import { describeRuns, seedVersionedBucket, storedReports, watchHolds } from '../support/runs';

/** Scale of the bucket sizes (FANOUT_E2E_SCALE=10 approaches the 150,000-version bucket). */
const SCALE = Number(process.env.FANOUT_E2E_SCALE ?? 1);

describe('a rotation over buckets of uneven sizes fans out to at most REENCRYPT_MAX_WORKERS workers', () => {
  let s: Stack;
  const MAX_WORKERS = 3;
  const sizes: Record<string, number> = {
    'fan-big': 8_000 * SCALE, 'fan-a': 400 * SCALE, 'fan-b': 1_200 * SCALE, 'fan-c': 2_000 * SCALE,
    'fan-d': 600 * SCALE, 'fan-e': 3_000 * SCALE, 'fan-f': 200 * SCALE,
  };
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  beforeAll(async () => {
    s = await startStack({
      // The planning call (events, sync) gets time to plan on a loaded machine; workers still hand over every 5 s.
      eventRules: true, timeoutSeconds: 30, env: { REENCRYPT_MAX_WORKERS: String(MAX_WORKERS) },
      // More containers than workers: the pool must not be what holds the workers back.
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: MAX_WORKERS + 4 },
    });
    for (const [b, n] of Object.entries(sizes)) seedVersionedBucket(s.emu, b, s.keyId, s.compartmentA, n);
    s.emu.setGlobalFaults({ latencyMs: 2 });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('one final report with the ground-truth totals, every version under the new key, never more than the cap at work', async () => {
    const holds = watchHolds(s.emu);
    s.emu.functions.resetConcurrency();
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const report = await eventually(() => storedReports(s.emu)[0], 'the stored report')
      .catch((e: Error) => { throw new Error(`${e.message}\n${describeRuns(s.emu)}`); });
    await s.emu.whenIdle();
    holds.stop();
    s.emu.setGlobalFaults(undefined);
    expect(storedReports(s.emu)).toHaveLength(1);
    expect(report.complete).toBe(true);
    expect(report.totals.reencrypted).toBe(total);
    expect(report.totals.scanned).toBe(total);
    expect(report.totals.failed).toBe(0);
    for (const [b, n] of Object.entries(sizes)) expect(keyVersionCounts(s.emu, b)).toEqual({ [`kms:${newVersion}`]: n });
    // The event's invocation planned and answered with the run id; workers did the rest.
    const delivered = s.emu.functions.invocations.filter((i) => i.via === 'events');
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(delivered[0]?.responseBody ?? '{}')).toMatchObject({ action: 'run-started', runId: report.runId, workers: { started: MAX_WORKERS } });
    const run = stateRecord(s.emu, `runs/${report.runId}/run.json`);
    expect(run.workers).toBe(MAX_WORKERS);
    // Every worker counted itself in the run record, and the report carries the final count.
    expect(report.invocations).toBe(run.invocations);
    expect(report.invocations).toBeGreaterThanOrEqual(MAX_WORKERS);
    // Never more units held at once than workers; invocations in flight: the workers, plus a successor
    // starting while the predecessor it replaces returns its answer (a handover overlaps by one call each).
    console.log(`[fan-out] peak held units ${holds.peak()} (${holds.peakWithEnded()} with holds of ended invocations), peak invocations in flight ${s.emu.functions.peakConcurrent}, ${report.invocations} invocations`);
    expect(holds.peak()).toBeGreaterThan(1);
    expect(holds.peak()).toBeLessThanOrEqual(MAX_WORKERS);
    expect(s.emu.functions.peakConcurrent).toBeLessThanOrEqual(2 * MAX_WORKERS);
  }, 600_000);
});

describe('Functions answering 429 to some dispatches', () => {
  let s: Stack;
  const buckets = ['thr-a', 'thr-b', 'thr-c', 'thr-d', 'thr-e'];
  const EACH = 1_000;
  beforeAll(async () => {
    s = await startStack({
      eventRules: true, timeoutSeconds: 5, env: { REENCRYPT_MAX_WORKERS: '5' },
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: 8 },
    });
    for (const b of buckets) seedVersionedBucket(s.emu, b, s.keyId, s.compartmentA, EACH);
    s.emu.setGlobalFaults({ latencyMs: 2 });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('the run still finishes, with fewer workers', async () => {
    // Room for the planner and two workers: the third dispatch is refused.
    s.emu.functions.concurrencyQuota = 3;
    s.emu.functions.resetConcurrency();
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const report = await eventually(() => storedReports(s.emu)[0], 'the stored report')
      .catch((e: Error) => { throw new Error(`${e.message}\n${describeRuns(s.emu)}`); });
    await s.emu.whenIdle();
    s.emu.setGlobalFaults(undefined);
    expect(s.emu.functions.throttled).toBeGreaterThan(0);
    expect(s.emu.functions.peakConcurrent).toBeLessThanOrEqual(3);
    const planned = JSON.parse(s.emu.functions.invocations.find((i) => i.via === 'events')?.responseBody ?? '{}');
    expect(planned).toMatchObject({ action: 'run-started', workers: { started: 2 } });
    expect(planned.workers.throttled).toBeGreaterThan(0);
    expect(report.complete).toBe(true);
    expect(report.totals.reencrypted).toBe(buckets.length * EACH);
    for (const b of buckets) expect(keyVersionCounts(s.emu, b)).toEqual({ [`kms:${newVersion}`]: EACH });
  }, 600_000);
});
