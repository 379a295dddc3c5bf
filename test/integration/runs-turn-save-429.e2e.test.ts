/**
 * The end-of-turn save of a turn whose work retried up to its hard stop, answered 429 with a
 * retry-after of a second: it still saves where its unit stands (state calls have room for one
 * retry-after wait of their own, src/engine/deadline.ts STATE_CALL_OWN_MS), so the next turn goes
 * on from there instead of taking the unit over from its last checkpoint and redoing the turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVersionCounts, STATE_BUCKET, startStack, stateRecord, type Stack } from '../support/stack';
import { eventuallyInRun, runDiagnostics, seedVersionedBucket, storedReports, watchTakeovers } from '../support/runs';

const BUCKET = 'turn-save-429';
const RUN_ID = 'turn-save-429';
const UNIT = `runs/${RUN_ID}/units/00000.json`;
/** More than a listing page: a throttled turn ends inside the first page, where only the end-of-turn save moves the position. */
const VERSIONS = 1200;
/**
 * Re-encryptions slower than the time between stopping new work and the hard stop (6 s): the calls
 * started last are still in flight at the hard stop, cut there, and the save comes after it.
 */
const SLOW = { latencyMs: 7000, jitterMs: 1000 };
/**
 * A margin of 9 s (a fifth of 45 s): the hard stop is 3 s before Fn-Deadline, of which the last
 * second is the handover's. The state calls after the hard stop share the 1.95 s before it.
 */
const TURN_SECONDS = 45;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted by shape
type Answer = Record<string, any>;

describe('an end-of-turn save answered 429 with a retry-after of a second', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      env: { REENCRYPT_MAX_ATTEMPTS: '10', REENCRYPT_SAFETY_MARGIN_SECONDS: '9' },
      // No checkpoint falls in a turn: only the end-of-turn save records where the unit stands.
      runs: { checkpointSeconds: 120, detachedTimeoutSeconds: TURN_SECONDS, maxProcesses: 2 },
    });
    seedVersionedBucket(s.emu, BUCKET, s.keyId, s.compartmentA, VERSIONS);
    s.emu.rotateKey(s.keyId);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('waits out the retry-after, saves, and hands over; nothing is taken over or redone', async () => {
    s.emu.setRouteFaults('ReencryptObject', SLOW);
    // Every state write's first attempt is refused (429, retry-after 1 s), its retry answered: the
    // first turn makes its writes one after another, the end-of-turn save among them.
    s.emu.setRouteFaults(`PutObject@${STATE_BUCKET}`, { alternate: '429', retryAfterSeconds: 1 });
    const watch = watchTakeovers(s.emu);
    let first: Answer = {};
    const diagnostics = (): string => `first answer: ${JSON.stringify(first)}\n${runDiagnostics(s.emu, s.functionId)}`;
    try {
      first = (await s.fn.call(JSON.stringify({ bucketName: BUCKET, force: true, runId: RUN_ID }), { deadlineMs: TURN_SECONDS * 1000 })).json as Answer;
    } finally {
      s.emu.setRouteFaults(`PutObject@${STATE_BUCKET}`, undefined);
    }
    expect(s.emu.getCounters().routes['PutObject']?.faults['429'], diagnostics()).toBeGreaterThanOrEqual(4);
    expect(first, diagnostics()).toMatchObject({ ok: true, runId: RUN_ID, action: 'run-step', handedOver: true });
    expect(first.thisInvocation.reencrypted, diagnostics()).toBeGreaterThan(0);
    expect((first.notes as string[]).filter((n) => n.includes('could not be saved')), diagnostics()).toEqual([]);
    // Saved: the position moved by what the turn did, and the unit was released (or its successor holds it).
    const unit = stateRecord(s.emu, UNIT);
    expect(unit.counts.reencrypted, diagnostics()).toBe(first.thisInvocation.reencrypted);
    const successors = new Set(s.emu.functions.invocations.map((i) => i.callId));
    expect(unit.state === 'pending' || (unit.state === 'held' && successors.has(unit.hold?.owner)), diagnostics()).toBe(true);

    s.emu.setRouteFaults('ReencryptObject', undefined);
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === RUN_ID), 'the run finished', 120_000);
    await s.emu.whenIdle();
    watch.stop();
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, failed: 0 } });
    expect(keyVersionCounts(s.emu, BUCKET)).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
    expect(watch.takeovers(), diagnostics()).toEqual([]);
  }, 300_000);
});
