/**
 * A unit held by an invocation that died, while every live invocation of the run ends: the
 * run must still be taken over once the hold expires, by itself. The run is planted in the
 * state bucket (as the function writes it) so that the dead holder is certain, not a race
 * with a SIGKILL: its hold names a call that no process serves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../../emulator/test/helpers';
import { newUnit, type RunRecord, type UnitRecord } from '../../src/runs/model';
import { keyVersionCounts, STATE_BUCKET, startStack, stateNames, stateRecord, type Stack } from '../support/stack';
import { eventuallyInRun, expectRedoExplained, isResumeOf, runDiagnostics, seedVersionedBucket, storedReports, watchTakeovers } from '../support/runs';

const CHECKPOINT_MS = 1000;
/**
 * The test's own hold, as the live holder: longer than the function's (3 checkpoint intervals)
 * so that a test process slowed by a loaded machine still renews it in time.
 */
const LIVE_LEASE_MS = 10_000;

function callsOfRun(s: Stack, runId: string): number {
  return s.emu.functions.invocations.filter((i) => i.requestBody.includes(runId)).length;
}

/** Writes state records the way the function does ({writeId, record}), conditionally; returns the new ETag. */
function stateWriter(s: Stack) {
  const { os } = clientsFor(s.emu, s.compartmentA);
  return async (name: string, record: unknown, condition: { ifMatch?: string } = {}): Promise<string> => {
    const body = JSON.stringify({ writeId: `test-${Math.random().toString(16).slice(2)}`, record });
    const r = await os.putObject({
      namespaceName: s.namespace, bucketName: STATE_BUCKET, objectName: name, putObjectBody: body, contentLength: Buffer.byteLength(body),
      ...(condition.ifMatch ? { ifMatch: condition.ifMatch } : { ifNoneMatch: '*' }),
    });
    return r.eTag ?? '';
  };
}

/** A fanned-out run over two buckets, planted with unit 0 held by `holder` until `until`. */
async function plantRun(s: Stack, runId: string, buckets: [string, string], holder: string, until: number): Promise<string> {
  const write = stateWriter(s);
  const now = Date.now();
  const run: RunRecord = {
    v: 1, runId, createdAt: new Date(now).toISOString(), trigger: { kind: 'manual', scope: 'test' }, triggerName: 'manual:test',
    namespace: s.namespace, dryRun: false, before: null, watermarkSource: 'force', units: buckets.map((bucketName) => ({ bucketName })),
    state: 'running', invocations: 1, maxInvocations: 1000, noProgressLimit: 5, notes: [], incomplete: false, workers: 2,
  };
  const held: UnitRecord = { ...newUnit({ bucketName: buckets[0] }, now), state: 'held', hold: { owner: holder, until: new Date(until).toISOString() }, invocations: 1 };
  await write(`unfinished/${runId}`, { runId, createdAt: run.createdAt, trigger: run.triggerName });
  await write(`runs/${runId}/run.json`, run);
  await write(`runs/${runId}/units/00001.json`, newUnit({ bucketName: buckets[1] }, now));
  return write(`runs/${runId}/units/00000.json`, held);
}

/** What Notifications delivers to the function when a detached invocation failed (A21, A29). */
function failureRecord(s: Stack, callId: string): Buffer {
  const at = new Date().toISOString();
  return Buffer.from(JSON.stringify({ id: callId, functionId: s.functionId, invokeType: 'detached', status: 'FAILED', errorMessage: 'container exited', timeStarted: at, timeFinished: at }));
}

describe('a unit held by a dead invocation while every live one ends', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ timeoutSeconds: 8, runs: { checkpointSeconds: CHECKPOINT_MS / 1000, detachedTimeoutSeconds: 8, maxProcesses: 3, failureDestination: true } });
    for (const [b, n] of [['ghost-a', 2000], ['ghost-b', 400], ['alive-a', 1000], ['alive-b', 400]] as const) seedVersionedBucket(s.emu, b, s.keyId, s.compartmentA, n);
    s.emu.rotateKey(s.keyId);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('is taken over once its hold expires, even when that is later than any live invocation can wait, and the run finishes', async () => {
    const runId = 'run-dead-holder';
    // Longer than a detached invocation's whole budget: the one that finishes ghost-b cannot wait for it.
    const until = Date.now() + 12_000;
    const dead = 'DEADCALL00000000000000000A';
    await plantRun(s, runId, ['ghost-a', 'ghost-b'], dead, until);
    s.emu.resetCounters();
    const watch = watchTakeovers(s.emu);
    s.emu.functions.invokeDetached(s.functionId, Buffer.from(JSON.stringify({ resume: runId })), 'application/json', 'api');
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === runId), 'the run taken over from its dead holder to finish', 120_000);
    await s.emu.whenIdle();
    watch.stop();
    const version = `kms:${s.emu.currentKeyVersion(s.keyId)}`;
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: 2400 }, stopped: [] });
    expect(keyVersionCounts(s.emu, 'ghost-a')).toEqual({ [version]: 2000 });
    expect(keyVersionCounts(s.emu, 'ghost-b')).toEqual({ [version]: 400 });
    // The planted holder was taken over, and had done nothing: nothing is redone for it. (A live
    // invocation that ends without saving on a starved machine is taken over too: that one's redo is allowed.)
    expect(watch.takeovers().filter((t) => t.from === dead)).toHaveLength(1);
    const byFunction = watch.takeovers().filter((t) => t.from !== dead);
    expectRedoExplained(s.emu, 'ghost-a', 2000, byFunction, () => runDiagnostics(s.emu, s.functionId));
    expectRedoExplained(s.emu, 'ghost-b', 400, byFunction, () => runDiagnostics(s.emu, s.functionId));
    // Waiting for the hold is not a loop of invocations: each waits as long as its budget allows.
    expect(callsOfRun(s, runId)).toBeLessThanOrEqual(10);
  }, 180_000);

  it('leaves a unit alone while its holder renews the hold; once the holder dies, its failure record gets the unit taken over', async () => {
    const runId = 'run-live-holder';
    const unitName = `runs/${runId}/units/00000.json`;
    const holder = 'LIVECALL00000000000000000B';
    let etag = await plantRun(s, runId, ['alive-a', 'alive-b'], holder, Date.now() + LIVE_LEASE_MS);
    const write = stateWriter(s);
    s.emu.functions.invokeDetached(s.functionId, Buffer.from(JSON.stringify({ resume: runId })), 'application/json', 'api');
    // The test is the live holder: it renews the hold every checkpoint interval, conditionally, so a
    // takeover would make its write fail. It keeps it up for 4 leases after alive-b is done.
    let renewals = 0;
    let renewalsAfterDone = 0;
    const renewed: string[] = [];
    while (renewalsAfterDone < 12) {
      await new Promise((r) => setTimeout(r, CHECKPOINT_MS));
      const unit = stateRecord(s.emu, unitName) as UnitRecord;
      expect(unit.hold?.owner, `${JSON.stringify(unit)}\nrenewed at ${renewed.slice(-5).join(', ')}\n${runDiagnostics(s.emu, s.functionId)}`).toBe(holder);
      etag = await write(unitName, { ...unit, hold: { owner: holder, until: new Date(Date.now() + LIVE_LEASE_MS).toISOString() }, updatedAt: new Date().toISOString() }, { ifMatch: etag });
      renewed.push(`${new Date().toISOString()}`);
      renewals += 1;
      if (stateRecord(s.emu, `runs/${runId}/units/00001.json`)?.state === 'done') renewalsAfterDone += 1;
      if (renewals > 120) throw new Error('alive-b never finished');
    }
    // While the holder lives, the run costs no invocation beyond the one that did alive-b and one that looked again.
    expect(callsOfRun(s, runId)).toBeLessThanOrEqual(2);
    expect(stateRecord(s.emu, unitName)).toMatchObject({ state: 'held', hold: { owner: holder }, counts: { reencrypted: 0 } });
    // The holder dies: as on the platform, its failed detached invocation's record reaches the function.
    const delivered = await s.emu.functions.invoke(s.functionId, failureRecord(s, holder), 'application/json', 'notifications');
    expect(delivered.answer.status).toBe(200);
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === runId), 'the run finished after its holder died', 120_000);
    await s.emu.whenIdle();
    const version = `kms:${s.emu.currentKeyVersion(s.keyId)}`;
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: 1400 } });
    expect(keyVersionCounts(s.emu, 'alive-a')).toEqual({ [version]: 1000 });
  }, 240_000);
});

describe('a failure record whose delivery Notifications retries', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ timeoutSeconds: 8, runs: { checkpointSeconds: CHECKPOINT_MS / 1000, detachedTimeoutSeconds: 8, maxProcesses: 4, failureDestination: true } });
    for (const b of ['retry-a', 'retry-b']) seedVersionedBucket(s.emu, b, s.keyId, s.compartmentA, 200);
    s.emu.rotateKey(s.keyId);
    s.emu.functions.notificationRetry = { firstDelayMs: 300, maxRetryDurationMs: 120_000 };
  }, 60_000);
  afterAll(async () => s?.stop());

  it('resumes on a retry only the runs its earlier attempt could not resume', async () => {
    // Two open runs whose units a dead invocation holds: each one's resume waits for the hold.
    const until = Date.now() + 30_000;
    await plantRun(s, 'run-retry-1', ['retry-a', 'retry-b'], 'DEADCALL00000000000000000C', until);
    await plantRun(s, 'run-retry-2', ['retry-a', 'retry-b'], 'DEADCALL00000000000000000D', until);
    const { functions } = s.emu;
    // Room for the delivery and one resume: the first run is resumed, the second refused (429).
    functions.concurrencyQuota = 2;
    // A detached invocation that dies (waiting for the hold): its record goes to the failure destination.
    const pool = functions.functions.get(s.functionId)?.pool;
    functions.invokeDetached(s.functionId, Buffer.from(JSON.stringify({ resume: 'run-retry-1' })), 'application/json', 'api');
    const waiting = await eventuallyInRun(s.emu, s.functionId, () => pool?.live.find((c) => c.busyWith?.includes('run-retry-1')), 'a resume at work', 60_000);
    // Counted by the run once it is at work: it then waits for the hold.
    await eventuallyInRun(s.emu, s.functionId, () => (stateRecord(s.emu, 'runs/run-retry-1/run.json')?.invocations === 2 ? true : undefined), 'the resume counted', 60_000);
    waiting.process.kill('SIGKILL');
    await eventuallyInRun(s.emu, s.functionId, () => (functions.invocations.some((i) => i.via === 'notifications' && i.status === 502) ? true : undefined), 'a delivery that failed because a resume was refused', 60_000);
    functions.concurrencyQuota = undefined;
    const delivered = await eventuallyInRun(s.emu, s.functionId, () => functions.invocations.find((i) => i.via === 'notifications' && i.status === 200), 'a retried delivery that succeeded', 60_000);
    expect(JSON.parse(delivered.responseBody ?? '{}')).toMatchObject({ ok: true, action: 'resume-abandoned', resumed: ['run-retry-2'], alreadyResumed: ['run-retry-1'] });
    // One resume of each run came from the record's deliveries (the rest are the runs' own successors): a record's
    // resume names the failed call it replaces (src/runs/chains.ts). Told by its body, not by when it started: a
    // successor could start while a late retry of the delivery was still running.
    const killedCall = functions.invocations.find((i) => i.requestBody === JSON.stringify({ resume: 'run-retry-1' }))?.callId;
    expect(killedCall).toBeDefined();
    const fromDeliveries = (runId: string): number => functions.invocations.filter((i) => isResumeOf(i.requestBody, runId)
      && (JSON.parse(i.requestBody) as { replaces?: string }).replaces === killedCall).length;
    expect(fromDeliveries('run-retry-1')).toBe(1);
    expect(fromDeliveries('run-retry-2')).toBe(1);
    // The record is delivered: what it resumed is not kept.
    expect(stateNames(s.emu, 'abandoned/')).toEqual([]);
  }, 120_000);
});
