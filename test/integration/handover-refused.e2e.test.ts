/**
 * A run whose successor Functions refuses (429: the tenancy's concurrency
 * quota is full) while no other invocation is working on it. The invocation
 * fails on purpose, its failure destination's record reaches the function
 * through Notifications, which retries the delivery with backoff while
 * Functions is still full; once there is room the run goes on and finishes
 * without anyone resuming it by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, STATE_BUCKET, startStack, stateNames, stateRecord, type Stack } from '../support/stack';
import { eventuallyInRun } from '../support/runs';

const VERSIONS = 12_000;

describe('a successor refused by Functions with nothing else working on the run', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      // Turns of 8 s (the event's) and 10 s (1.6 s and 2 s to end one): with 4 s and 5 s, a continuation Fn killed at
      // its timeout on a starved machine (4 CPU hogs, load ~14) never failed on purpose, and the test gave up waiting
      // for it. 800 versions a second at most (20 ms per call, 16 at once): the run still needs three turns.
      eventRules: true, timeoutSeconds: 8,
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 10, maxProcesses: 3, failureDestination: true },
    });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'refused', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('refused', {
      count: VERSIONS / 2, extraVersions: 1, prefix: 'obj-', timeModified: new Date(Date.now() - 3_600_000).toISOString(),
      encryption: { kind: 'kms', keyId: s.keyId },
    });
    s.emu.functions.notificationRetry = { firstDelayMs: 300, maxRetryDurationMs: 120_000 };
    s.emu.setGlobalFaults({ latencyMs: 20 });
  }, 60_000);
  afterAll(async () => s?.stop());

  it('fails the invocation so the failure destination resumes the run once Functions has room, and the run finishes by itself', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const { functions } = s.emu;
    // The event's invocation hands the run to a detached one; from then on, Functions is full.
    await eventually(() => functions.invocations.find((i) => i.invokeType === 'detached' && i.requestBody.includes('"resume"') && i.finishedAt === undefined), 'a detached continuation at work', 60_000);
    functions.concurrencyQuota = 1;
    // Its successor is refused; the failed call's record is delivered, and the delivery's own
    // attempt to resume is refused too, so Notifications has to retry.
    const failed = await eventuallyInRun(s.emu, s.functionId, () => functions.invocations.find((i) => i.invokeType === 'detached' && i.status === 502), 'the continuation that could not hand over fails', 60_000);
    expect(JSON.parse(failed.responseBody ?? '{}').detail).toContain('RunNotContinued');
    await eventually(() => (functions.deliveryAttempts >= 2 ? true : undefined), 'a retried delivery', 60_000);
    expect(stateNames(s.emu, 'runs/').some((n) => n.endsWith('/report.json'))).toBe(false);
    functions.concurrencyQuota = undefined;

    // A hang guard, not a timing assertion (12,000 versions in 5 s turns: minutes on a starved machine).
    const reportName = await eventuallyInRun(s.emu, s.functionId, () => stateNames(s.emu, 'runs/').find((n) => n.endsWith('/report.json')), 'the stored report', 300_000);
    await s.emu.whenIdle();
    s.emu.setGlobalFaults(undefined);
    const report = stateRecord(s.emu, reportName);
    expect(report.complete).toBe(true);
    expect(report.totals.reencrypted).toBe(VERSIONS);
    expect(keyVersionCounts(s.emu, 'refused')).toEqual({ [`kms:${newVersion}`]: VERSIONS });
    expect(functions.throttled).toBeGreaterThanOrEqual(2);
    expect(functions.published.length).toBeGreaterThanOrEqual(1);
    expect(functions.undelivered).toEqual([]);
    // The deliveries went to the function synchronously (Notifications waits for its answer).
    expect(functions.invocations.filter((i) => i.via === 'notifications').every((i) => i.invokeType === 'sync')).toBe(true);
  }, 500_000);

  it('the invocation that starts a run answers normally when its successor is refused, naming the run to resume', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'refused-manual', kmsKeyId: s.keyId });
    s.emu.seedObjects('refused-manual', { count: 3000, prefix: 'm-', timeModified: new Date(Date.now() - 3_600_000).toISOString(), encryption: { kind: 'kms', keyId: s.keyId } });
    // 40 ms per call, sixteen at once (400 a second at most): the 6 s call (4.8 s of work) cannot do the 3,000 objects.
    s.emu.setGlobalFaults({ latencyMs: 40 });
    s.emu.functions.concurrencyQuota = 0;
    try {
      // A manual request, sent straight to the function (as a synchronous invoke would be): no
      // failure destination would ever see a failed call of it, so it must answer.
      // 6 s: 1.2 s between stopping new work and Fn-Deadline for the turn's state writes and the refused successor
      // (with 3 s, 0.6 s, a starved call ran out of time writing the run record: RunNotContinued).
      const r = await s.fn.call(JSON.stringify({ bucketName: 'refused-manual', force: true }), { deadlineMs: 6000 });
      expect(r.json, JSON.stringify(r.json)).toMatchObject({ ok: true, action: 'run-step', complete: false, handedOver: false });
      expect(r.json.notes.join(' ')).toMatch(/not continued automatically \(self-invocation failed: .*\): resume with \{"resume": "[^"]+"\}/);
      expect(s.emu.functions.throttled).toBeGreaterThan(0);
    } finally {
      s.emu.functions.concurrencyQuota = undefined;
      s.emu.setGlobalFaults(undefined);
    }
  }, 120_000);

  it('a resume that can neither read the state bucket nor hand the run on fails, so the failure destination resumes it', async () => {
    // Seen on a loaded machine: a continuation starved until its state reads were refused ("not started: the
    // invocation deadline is too close"), whose successor was then not started either. Answering its error
    // normally, it ended the run's chain: nothing was published, and nothing resumed the run.
    await s.emu.whenIdle();
    s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, { p503: 1 });
    s.emu.functions.concurrencyQuota = 0;
    try {
      const r = await s.fn.call(JSON.stringify({ resume: 'run-stranded' }), { deadlineMs: 3000 });
      expect(s.emu.functions.throttled).toBeGreaterThan(0);
      expect(r.status, r.text).not.toBe(200);
      expect(r.text).toContain('RunNotContinued');
      expect(r.text).toContain('run-stranded');
      expect(r.text).toMatch(/state bucket/);
    } finally {
      s.emu.functions.concurrencyQuota = undefined;
      s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, undefined);
    }
  }, 120_000);
});
