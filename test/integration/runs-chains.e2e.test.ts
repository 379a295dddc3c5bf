/**
 * An invocation killed after its successor was accepted must not add a chain of invocations
 * to its run. dist/func.js in containers the emulator starts, with a failure destination as
 * deployed. A one-bucket run is one chain: each turn hands the run to one detached successor.
 * The first handovers' predecessors are stopped (SIGSTOP) the moment Functions accepts their
 * successor and stay stopped until Fn kills them at their timeout (test/support/starve.ts), as
 * a CPU-starved container does: each failed call's record reaches the failure destination.
 * Its successor already carries the run, so the record must resume nothing. (It used to resume
 * the run: one more chain per such kill, for good; under sustained load, ~1,000 invocations.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';
import { accountInvocations, chainsOf, eventuallyInRun, expectInvocationsAccounted, runDiagnostics, seedVersionedBucket, storedReports } from '../support/runs';
import { stopAfterHandover } from '../support/starve';

const BUCKET = 'chain-one';
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
    seedVersionedBucket(s.emu, BUCKET, s.keyId, s.compartmentA, VERSIONS);
    s.emu.rotateKey(s.keyId);
  }, 120_000);
  afterAll(async () => s?.stop());

  it('adds no chain: its failure record resumes nothing, and the run ends by itself with one invocation per turn', async () => {
    const stopper = stopAfterHandover(s.emu, s.functionId, RUN_ID, KILLED_AFTER_HANDOVER);
    s.emu.setGlobalFaults({ latencyMs: 20 });
    const first = await s.fn.call(JSON.stringify({ bucketName: BUCKET, force: true, runId: RUN_ID }), { deadlineMs: 5000 });
    expect(first.json).toMatchObject({ ok: true, runId: RUN_ID, handedOver: true });
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === RUN_ID), 'the run finished', 300_000);
    await s.emu.whenIdle();
    stopper.stop();
    s.emu.setGlobalFaults(undefined);
    const diagnostics = (): string => `stopped after handing over: ${JSON.stringify(stopper.stopped())}\n${runDiagnostics(s.emu, s.functionId)}`;
    expect(report, diagnostics()).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, scanned: VERSIONS, failed: 0 } });
    expect(keyVersionCounts(s.emu, BUCKET)).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
    // The stopping did what it is for: each stopped call was killed at its timeout and its record delivered.
    expect(stopper.stopped(), diagnostics()).toHaveLength(KILLED_AFTER_HANDOVER);
    const account = expectInvocationsAccounted(s.emu, RUN_ID, diagnostics);
    console.log(`[chains] ${JSON.stringify(account)}`);
    expect(account.killed, diagnostics()).toBe(KILLED_AFTER_HANDOVER);
    expect(account.published, diagnostics()).toBe(KILLED_AFTER_HANDOVER);
    // No record resumed the run: each failed call had handed it over.
    expect(account.resumedByDeliveries, diagnostics()).toBe(0);
    // One chain: every resume invocation is the successor of a handover (the killed calls' included).
    expect(account.resumes, diagnostics()).toBe(account.handedOver + KILLED_AFTER_HANDOVER + (first.json.handedOver === true ? 1 : 0));
    // Traced through the handovers' bodies: one live chain at any time, and no extra one.
    const chains = chainsOf(s.emu, RUN_ID);
    expect(chains.extra, diagnostics()).toEqual([]);
    expect(chains.peak, diagnostics()).toBe(1);
    const delivered = s.emu.functions.invocations.filter((i) => i.via === 'notifications').map((i) => JSON.parse(i.responseBody ?? '{}'));
    for (const d of delivered) expect(d, diagnostics()).toMatchObject({ ok: true, action: 'resume-abandoned', resumed: [], handedOver: { runId: RUN_ID } });
    expect(accountInvocations(s.emu, RUN_ID).deliveries).toBe(KILLED_AFTER_HANDOVER);
  }, 400_000);
});
