/**
 * A turn whose re-encryptions retry up to its hard stop (Object Storage answering 429 and 503,
 * slowly) must still save where its unit stands: the end-of-turn save is bookkeeping after the
 * work stopped, and gets its own time within Fn-Deadline (bookkeepingHardStop in
 * src/engine/deadline.ts). Refused, the unit would stay held until its lease ran out, and the
 * next holder would redo the whole turn from the last saved position; under lasting throttling,
 * where a turn never finishes a listing page (the only place a checkpoint can move the
 * position), the sweep would never get anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, STATE_BUCKET, startStack, stateRecord, type Stack } from '../support/stack';
import { eventuallyInRun, isResumeOf, runDiagnostics, seedVersionedBucket, storedReports, watchTakeovers } from '../support/runs';

const BUCKET = 'turn-save';
const RUN_ID = 'turn-save';
/** The second case's bucket and run. */
const BUCKET_2 = 'turn-save-2';
const RUN_ID_2 = 'turn-save-2';
/** More than a listing page (1,000): a throttled turn ends inside the first page. */
const VERSIONS = 1200;
const UNIT = `runs/${RUN_ID}/units/00000.json`;
/**
 * Slow answers, a third of them throttled: calls still retrying when new work stops keep at it
 * until the hard stop, where an attempt in flight is cut. Ten attempts per call, so that a
 * version failing every one of them is out of the question.
 */
const THROTTLED = { latencyMs: 600, jitterMs: 400, p429: 0.1, p503: 0.2, retryAfterSeconds: 1 };
/** Each invocation's Fn-Deadline: a margin of 3 s (a fifth), its hard stop 1 s before the deadline. */
const TURN_SECONDS = 15;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted by shape
type Answer = Record<string, any>;

describe('a turn throttled up to its hard stop', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      env: { REENCRYPT_MAX_ATTEMPTS: '10', REENCRYPT_SAFETY_MARGIN_SECONDS: '3' },
      // A checkpoint interval longer than a turn: only the end-of-turn save records where a unit stands.
      runs: { checkpointSeconds: 60, detachedTimeoutSeconds: TURN_SECONDS, maxProcesses: 2 },
    });
    for (const b of [BUCKET, BUCKET_2]) seedVersionedBucket(s.emu, b, s.keyId, s.compartmentA, VERSIONS);
    s.emu.rotateKey(s.keyId);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('saves where its unit stands and releases it, so the next turn goes on from there and nothing is taken over', async () => {
    s.emu.setRouteFaults('ReencryptObject', THROTTLED);
    const watch = watchTakeovers(s.emu);
    const first = (await s.fn.call(JSON.stringify({ bucketName: BUCKET, force: true, runId: RUN_ID }), { deadlineMs: TURN_SECONDS * 1000 })).json as Answer;
    const diagnostics = (): string => `first answer: ${JSON.stringify(first)}\n${runDiagnostics(s.emu, s.functionId)}`;
    expect(s.emu.getCounters().routes['ReencryptObject']?.faults['503'], diagnostics()).toBeGreaterThan(0);
    expect(first, diagnostics()).toMatchObject({ ok: true, runId: RUN_ID, action: 'run-step', handedOver: true });
    expectTurnSaved(first, diagnostics);
    // The saved position moved by what the turn did (its successor claims the unit, and saves only at its own end).
    const unit = stateRecord(s.emu, UNIT);
    expect(unit.counts.reencrypted, diagnostics()).toBe(first.thisInvocation.reencrypted);
    expect(unit.position.offset, diagnostics()).toBe(first.thisInvocation.reencrypted);
    // Released: pending, or already claimed by the successor (a detached invocation the emulator runs).
    const successors = new Set(s.emu.functions.invocations.map((i) => i.callId));
    expect(unit.state === 'pending' || (unit.state === 'held' && successors.has(unit.hold?.owner)), diagnostics()).toBe(true);

    // The successor (a detached invocation) takes its turn from there, under the same throttling.
    const second = await eventuallyInRun(s.emu, s.functionId, () => {
      const done = s.emu.functions.invocations.find((i) => i.requestBody.includes(RUN_ID) && i.responseBody !== undefined);
      return done ? (JSON.parse(done.responseBody as string) as Answer) : undefined;
    }, 'the second turn', 120_000);
    expect(second, diagnostics()).toMatchObject({ ok: true, runId: RUN_ID, action: 'run-step' });
    expectTurnSaved(second, diagnostics);
    expect(stateRecord(s.emu, UNIT).counts.reencrypted, diagnostics()).toBeGreaterThanOrEqual(first.thisInvocation.reencrypted + second.thisInvocation.reencrypted);

    s.emu.setRouteFaults('ReencryptObject', undefined);
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === RUN_ID), 'the run finished', 120_000);
    await s.emu.whenIdle();
    watch.stop();
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, failed: 0 } });
    expect(keyVersionCounts(s.emu, BUCKET)).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
    // Every turn released its unit: none was left to expire and be taken over.
    expect(watch.takeovers(), diagnostics()).toEqual([]);
    const counters = s.emu.getCounters().routes['ReencryptObject'];
    console.log(`[turn-save] throttled turns re-encrypted ${first.thisInvocation.reencrypted} and ${second.thisInvocation.reencrypted}; ReencryptObject faults ${JSON.stringify(counters?.faults)}, ${report.invocations} invocations`);
  }, 300_000);

  it('whose run\'s first invocation cannot read the run after its turn hands the run to a successor, which finishes it', async () => {
    s.emu.setRouteFaults('ReencryptObject', THROTTLED);
    const resumes = (): number => s.emu.functions.invocations.filter((i) => isResumeOf(i.requestBody, RUN_ID_2)).length;
    const answer = s.fn.call(JSON.stringify({ bucketName: BUCKET_2, force: true, runId: RUN_ID_2 }), { deadlineMs: TURN_SECONDS * 1000 });
    // Once the turn holds its unit, the state bucket stops answering reads (writes still land).
    await eventually(() => (stateRecord(s.emu, `runs/${RUN_ID_2}/units/00000.json`)?.state === 'held' ? true : undefined), 'the first turn at work', 60_000);
    s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, { p503: 1 });
    const first = (await answer).json as Answer;
    s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, undefined);
    const diagnostics = (): string => `first answer: ${JSON.stringify(first)}\n${runDiagnostics(s.emu, s.functionId)}`;
    expect(first, diagnostics()).toMatchObject({ ok: false, error: { code: 'StateStoreUnavailable' } });
    // It saved where its unit stands (a write) and handed the run on: the invocation that starts a run has no failure destination.
    expect(stateRecord(s.emu, `runs/${RUN_ID_2}/units/00000.json`).counts.reencrypted, diagnostics()).toBeGreaterThan(0);
    expect(resumes(), diagnostics()).toBe(1);
    s.emu.setRouteFaults('ReencryptObject', undefined);
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === RUN_ID_2), 'the second run finished', 120_000);
    await s.emu.whenIdle();
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, failed: 0 } });
    expect(keyVersionCounts(s.emu, BUCKET_2)).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
  }, 300_000);
});

/** A turn that worked on the unit and saved where it stands at its end (its one save: no checkpoint fell in it). */
function expectTurnSaved(answer: Answer, diagnostics: () => string): void {
  expect(answer.thisInvocation.units, diagnostics()).toEqual([BUCKET]);
  expect(answer.thisInvocation.reencrypted, diagnostics()).toBeGreaterThan(0);
  expect(answer.thisInvocation.checkpoints, diagnostics()).toBe(1);
  expect((answer.notes as string[]).filter((n) => n.includes('could not be saved')), diagnostics()).toEqual([]);
}
