/**
 * An `unfinished/` marker whose start was killed before it stored the run (src/runs/abandoned.ts
 * forgetOrphanMarker): dist/func.js in the emulator's containers, with a failure destination as
 * deployed. Every failure record resumes every unfinished run; a marker without its run used to
 * be resumed by each record again, each resume answered InvalidInput (one wasted invocation per
 * record until the lifecycle rule deleted the marker). Now the first resume that finds no run
 * removes a marker older than any start could be between its two writes, and leaves a fresh one.
 * The markers' ages are written into the state bucket (hours apart from now): nothing is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_BUCKET, startStack, stateNames, type Stack } from '../support/stack';
import { isResumeOf, runDiagnostics } from '../support/runs';

const OLD = 'run-20261130T090000-0000000000aa';
const FRESH = 'run-20261130T090000-0000000000bb';
const HOUR = 3_600_000;

/** A marker as startRun writes it, created `ageMs` ago, put straight into the emulator's state bucket. */
function seedMarker(s: Stack, runId: string, ageMs: number): void {
  const body = Buffer.from(JSON.stringify({
    writeId: `seeded-${runId}`, record: { runId, createdAt: new Date(Date.now() - ageMs).toISOString(), trigger: 'manual:bucket' },
  }));
  const name = `unfinished/${runId}`;
  s.emu.seedObjects(STATE_BUCKET, [{ name, size: body.length }]);
  const version = s.emu.state.buckets.get(STATE_BUCKET)?.store.latest(name);
  if (!version) throw new Error(`seeding ${name} failed`);
  s.emu.state.objectBodies.set(version, body);
}

/** A failed detached invocation's record, as the failure destination delivers it (assumption A21). */
function publishFailureRecord(s: Stack, n: number): void {
  const topicId = [...s.emu.functions.topics.keys()][0];
  if (!topicId) throw new Error('no failure destination topic');
  const at = new Date().toISOString();
  s.emu.functions.publish(topicId, JSON.stringify({
    id: `01JDMARKERSFAILEDCALL0000${n}`, functionId: s.functionId, invokeType: 'detached', status: 'FAILED',
    errorMessage: 'killed at its timeout', timeStarted: at, timeFinished: at,
  }), 'failure-record');
}

const resumesOf = (s: Stack, runId: string) => s.emu.functions.invocations.filter((i) => isResumeOf(i.requestBody, runId));

describe('a marker whose run was never stored', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ timeoutSeconds: 60, runs: { detachedTimeoutSeconds: 30, maxProcesses: 3, failureDestination: true } });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('is resumed by one failure record and removed; a fresh one (a start between its writes) is left for the next', async () => {
    seedMarker(s, OLD, 3 * HOUR);
    seedMarker(s, FRESH, 60_000);
    const diagnostics = (): string => runDiagnostics(s.emu, s.functionId);

    publishFailureRecord(s, 1);
    await s.emu.whenIdle();
    expect(resumesOf(s, OLD), diagnostics()).toHaveLength(1);
    // Its resume still says the run does not exist; it removed the marker on the way.
    expect(JSON.parse(resumesOf(s, OLD)[0]?.responseBody ?? '{}'), diagnostics()).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
    expect(stateNames(s.emu, 'unfinished/'), diagnostics()).toEqual([`unfinished/${FRESH}`]);

    publishFailureRecord(s, 2);
    await s.emu.whenIdle();
    // The next record resumes only what is still listed: no second wasted invocation for the old marker.
    expect(resumesOf(s, OLD), diagnostics()).toHaveLength(1);
    expect(resumesOf(s, FRESH), diagnostics()).toHaveLength(2);
    expect(stateNames(s.emu, 'unfinished/'), diagnostics()).toEqual([`unfinished/${FRESH}`]);
  }, 300_000);
});
