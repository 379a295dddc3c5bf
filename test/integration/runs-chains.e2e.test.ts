/**
 * An invocation killed after its successor was accepted must not add a chain of invocations
 * to its run. dist/func.js in containers the emulator starts, with a failure destination as
 * deployed. A one-bucket run is one chain: each turn hands the run to one detached successor.
 * The first handovers' predecessors are stopped (SIGSTOP) the moment Functions accepts their
 * successor and stay stopped until Fn kills them at their timeout (test/support/starve.ts), as
 * a CPU-starved container does: each failed call's record reaches the failure destination.
 * Its successor already carries the run, so the record must add no chain: it resumes nothing, or,
 * when it comes before the successor has started (the second case holds the successor back, as
 * Functions may queue an accepted detached call), its resume and the successor claim the killed
 * call's chain and only the first goes on. (A record used to resume the run: one more chain per
 * such kill, for good; under sustained load, ~1,000 invocations for one run.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';
import { chainsOf, eventuallyInRun, expectInvocationsAccounted, isResumeOf, runDiagnostics, seedVersionedBucket, storedReports } from '../support/runs';
import { stopAfterHandover } from '../support/starve';

const VERSIONS = 3_000;
const RUN_ID = 'run-one-chain';
/** Handovers whose predecessor is killed after the successor was accepted. */
const KILLED_AFTER_HANDOVER = 2;

describe('an invocation killed after handing its run over', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      timeoutSeconds: 60,
      // Few re-encryptions at once against a slow service: the run takes several 5 s turns.
      env: { REENCRYPT_CONCURRENCY: '4' },
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: 5, failureDestination: true },
    });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('adds no chain: its failure record resumes nothing, and the run ends by itself with one invocation per turn', async () => {
    const { delivered, chains, diagnostics } = await runWithStops(s, RUN_ID, KILLED_AFTER_HANDOVER, false);
    // Each record either resumed nothing (the successor had claimed the chain: the usual case, the record comes
    // only once the call was killed at its timeout) or resumed the run with a claim that one of the two lost.
    const resumedNothing = delivered.filter((d) => JSON.parse(d.responseBody ?? '{}').handedOver?.runId === RUN_ID).length;
    expect(resumedNothing + delivered.filter((d) => resumedRun(d, RUN_ID)).length, diagnostics()).toBe(KILLED_AFTER_HANDOVER);
    expect(chains.peak, diagnostics()).toBe(1);
  }, 400_000);

  it('adds no chain either when its successor starts only after its failure record was delivered: the record\'s resume goes on, the successor ends', async () => {
    const runId = 'run-late-successor';
    const { delivered, chains, stopped, diagnostics } = await runWithStops(s, runId, 1, true);
    // The record came first: its resume claimed the killed call's chain, and the successor, started late, ended at once.
    expect(delivered.filter((d) => resumedRun(d, runId)), diagnostics()).toHaveLength(1);
    const successor = s.emu.functions.invocations.find((i) => isResumeOf(i.requestBody, runId) && JSON.parse(i.requestBody).handedOverBy === stopped[0]);
    expect(JSON.parse(successor?.responseBody ?? '{}'), diagnostics()).toMatchObject({ ok: true, action: 'chain-continued-elsewhere' });
    expect(chains.peak, diagnostics()).toBe(1);
  }, 400_000);
});

/**
 * A one-bucket run started by hand, whose first `times` handovers by resume invocations have their
 * predecessor stopped until Fn kills it (`holdSuccessors`: and the successor held back until the
 * killed call's record is delivered); the run must end by itself with exactly one chain.
 */
async function runWithStops(s: Stack, runId: string, times: number, holdSuccessors: boolean) {
  const stopper = stopAfterHandover(s.emu, s.functionId, runId, times, { holdSuccessors });
  s.emu.setGlobalFaults({ latencyMs: 20 });
  seedVersionedBucket(s.emu, runId, s.keyId, s.compartmentA, VERSIONS);
  const first = await s.fn.call(JSON.stringify({ bucketName: runId, force: true, runId }), { deadlineMs: 5000 });
  expect(first.json).toMatchObject({ ok: true, runId, handedOver: true });
  const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === runId), 'the run finished', 300_000);
  // Before waiting for idle: a successor still held back (its chain never claimed: a defect) then starts and ends.
  stopper.stop();
  await s.emu.whenIdle();
  s.emu.setGlobalFaults(undefined);
  const stopped = stopper.stopped();
  const diagnostics = (): string => `stopped after handing over: ${JSON.stringify(stopped)}\n${runDiagnostics(s.emu, s.functionId)}`;
  expect(report, diagnostics()).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, scanned: VERSIONS, failed: 0 } });
  expect(keyVersionCounts(s.emu, runId)).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
  // The stopping did what it is for: each stopped call was killed at its timeout and its record delivered.
  expect(stopped, diagnostics()).toHaveLength(times);
  const account = expectInvocationsAccounted(s.emu, runId, diagnostics);
  const chains = chainsOf(s.emu, runId);
  console.log(`[chains${holdSuccessors ? ', late successors' : ''}] ${JSON.stringify(account)}; ${JSON.stringify(chains)}`);
  // Every stopped call was killed at its timeout. (On a starved machine Fn may also kill a turn the test did not
  // stop: such a kill, and its record's resume, are counted below as what they are, not as a stopped call's.)
  const resumes = s.emu.functions.invocations.filter((i) => isResumeOf(i.requestBody, runId));
  const killed = resumes.filter((i) => i.error !== undefined);
  expect(stopped.filter((c) => !killed.some((k) => k.callId === c)), diagnostics()).toEqual([]);
  const delivered = s.emu.functions.invocations.filter((i) => i.via === 'notifications' && stopped.some((c) => i.requestBody.includes(c)));
  expect(delivered, diagnostics()).toHaveLength(times);
  // Traced through the bodies: no chain continued twice, and one link per turn (losers of a claim are no link):
  // one per handover answered, and one per call that ended badly (killed, or failed: a successor refused under
  // load) whose chain went on (its successor, or its record's resume).
  expect(chains.extra, diagnostics()).toEqual([]);
  const links = resumes.filter((i) => JSON.parse(i.responseBody ?? '{}').action !== 'chain-continued-elsewhere');
  const continued = (callId: string): boolean => links.some((l) => [JSON.parse(l.requestBody).handedOverBy, JSON.parse(l.requestBody).replaces].includes(callId));
  expect(stopped.filter((c) => !continued(c)), diagnostics()).toEqual([]);
  const endedBadly = resumes.filter((i) => i.error !== undefined || (i.status ?? 0) >= 300);
  expect(links.length, diagnostics()).toBe(account.handedOver + endedBadly.filter((k) => continued(k.callId)).length + (first.json.handedOver === true ? 1 : 0));
  return { account, chains, stopped, delivered, diagnostics };
}

/** A delivery of a failure record that answered and resumed `runId`. */
function resumedRun(delivery: { status?: number; responseBody?: string }, runId: string): boolean {
  const a = JSON.parse(delivery.responseBody ?? '{}') as { ok?: boolean; resumed?: unknown[] };
  return delivery.status !== undefined && delivery.status < 300 && a.ok === true && (a.resumed ?? []).includes(runId);
}
