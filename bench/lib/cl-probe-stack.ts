/**
 * The re-encryption benchmarks' stack with the emulator in a child process of its own
 * (emulator/src/process.ts) instead of in this one: the function (dist/func.js under the FDK)
 * configured as test/support/stack.ts configures it, the emulator set up through its admin surface.
 * The emulator's CPU is then its process's, apart from this harness's.
 */
import type { CountersSnapshot, EncryptionSummaryRow, FaultConfig, SeedGenerator } from '../../emulator/src/index';
import { EmulatorProcess, type EmulatorProcessOptions } from '../../emulator/src/process';
import { startFunction, type RunningFunction } from '../../test/support/fdk-process';
import { functionEnv, newFunctionId, startStack } from '../../test/support/stack';
import { warmEmulator } from './cl-probe-raw-load';

export interface ProcessStack {
  readonly emu: EmulatorProcess;
  readonly fn: RunningFunction;
  readonly compartmentA: string;
  readonly keyId: string;
  stop(): Promise<void>;
}

export async function startProcessStack(options: { env?: Record<string, string>; script?: string; node?: string; nodeArgs?: readonly string[]; emulator?: EmulatorProcessOptions }): Promise<ProcessStack> {
  const emu = await EmulatorProcess.start(options.emulator);
  try {
    const compartmentA = (await emu.createCompartment({ name: 'finance' })).id;
    const compartmentB = (await emu.createCompartment({ name: 'analytics' })).id;
    const vault = await emu.createVault({ compartmentId: compartmentA, displayName: 'finance-vault' });
    const key = await emu.createKey({ vaultId: vault.id, compartmentId: compartmentA, displayName: 'finance-master-key' });
    const principal = await emu.issueResourcePrincipal({ compartmentId: compartmentA });
    const fn = await startFunction({
      ...functionEnv({ principal, functionId: newFunctionId(), emulatorUrl: emu.url, compartmentA, compartmentB, vaultId: vault.id }),
      ...options.env,
    }, options.script, options.node, options.nodeArgs);
    return {
      emu, fn, compartmentA, keyId: key.id,
      async stop() {
        await fn.stop();
        await emu.stop();
      },
    };
  } catch (e) {
    await emu.stop();
    throw e;
  }
}

/**
 * The re-encryption benchmarks' set-up either way (benchmarks 4, 5, 9, 9b and bench/cl-probe.ts): a versioned
 * bucket `tp` of `versions` versions under the key's first version, the key rotated, faults set, counters reset;
 * afterwards the emulator's counters and a check that every version is under the current key version.
 * - `in-process`: the emulator in this process, as test/support/stack.ts runs it (its CPU is this process's,
 *   harness included).
 * - `own-process`: the emulator in a process of its own, bundled, and past its JIT warm-up (warmEmulator) before
 *   the sweep, as a long-running Object Storage would be; this process holds only the harness.
 */
export type EmulatorPlacement = 'in-process' | 'own-process';

export interface ReencryptStack {
  readonly fn: RunningFunction;
  readonly placement: EmulatorPlacement;
  /** The emulator's process (this one when in-process). */
  readonly emulatorPid: number;
  setUp(versions: number, faults: FaultConfig): Promise<void>;
  counters(): Promise<CountersSnapshot>;
  clearFaults(): Promise<void>;
  /** Throws unless exactly `expected` versions of `tp` are under the key's current version. */
  verifyAllCurrent(expected: number): Promise<void>;
  stop(): Promise<void>;
}

const HOUR_AGO = Date.now() - 3_600_000;
const seedOf = (keyId: string, versions: number): SeedGenerator => ({
  count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: HOUR_AGO, timeStepMs: 1, encryption: { kind: 'kms', keyId },
});

function checkCurrent(rows: EncryptionSummaryRow[], current: string, expected: number): void {
  const ok = rows.filter((r) => r.kind === 'kms' && r.keyVersionId === current).reduce((a, r) => a + r.count, 0);
  if (ok !== expected) throw new Error(`bucket tp: ${ok} of ${expected} versions under the current key version: ${JSON.stringify(rows)}`);
}

export async function startReencryptStack(options: {
  placement: EmulatorPlacement; env: Record<string, string>; script?: string; node?: string; timeoutSeconds: number;
  /** Node and V8 flags for the function (own process only: the in-process stack starts its function without them). */
  nodeArgs?: readonly string[];
  /** Own process only: node flags and environment for the emulator (bench/lib/cl-probe.ts's emulatorProcessProbe). */
  emulatorProbe?: { nodeArgs: string[]; env: Record<string, string> };
}): Promise<ReencryptStack> {
  const fnOptions = { env: options.env, ...(options.script && { script: options.script }), ...(options.node && { node: options.node }) };
  if (options.placement === 'in-process') {
    if (options.nodeArgs?.length) throw new Error('node flags for the function need --emulator=own-process');
    const s = await startStack({ ...fnOptions, timeoutSeconds: options.timeoutSeconds, emulator: { seed: 7 } });
    let stopped: Promise<void> | undefined;
    return {
      fn: s.fn, placement: 'in-process', emulatorPid: process.pid,
      async setUp(versions, faults) {
        s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
        s.emu.seedObjects('tp', seedOf(s.keyId, versions));
        s.emu.rotateKey(s.keyId);
        s.emu.setGlobalFaults(faults);
        s.emu.resetCounters();
      },
      counters: async () => s.emu.getCounters(),
      clearFaults: async () => s.emu.setGlobalFaults(undefined),
      verifyAllCurrent: async (expected) => checkCurrent(s.emu.encryptionSummary('tp', { includeVersions: true }), s.emu.currentKeyVersion(s.keyId), expected),
      stop: () => (stopped ??= s.stop()),
    };
  }
  const s = await startProcessStack({
    ...fnOptions, ...(options.nodeArgs && { nodeArgs: options.nodeArgs }), emulator: { seed: 7, bundled: true, ...(options.emulatorProbe && { nodeArgs: options.emulatorProbe.nodeArgs, env: options.emulatorProbe.env }) },
  });
  let stopped: Promise<void> | undefined;
  let current = '';
  return {
    fn: s.fn, placement: 'own-process', emulatorPid: s.emu.pid,
    async setUp(versions, faults) {
      await warmEmulator(s.emu, s.emu.namespace);
      await s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
      await s.emu.seedObjects('tp', seedOf(s.keyId, versions));
      current = (await s.emu.rotateKey(s.keyId)).id;
      await s.emu.setFaults({ global: faults });
      await s.emu.resetCounters();
    },
    counters: () => s.emu.getCounters(),
    clearFaults: async () => { await s.emu.setFaults({}); },
    verifyAllCurrent: async (expected) => checkCurrent(await s.emu.encryptionSummary('tp', { includeVersions: true }), current, expected),
    stop: () => (stopped ??= s.stop()),
  };
}
