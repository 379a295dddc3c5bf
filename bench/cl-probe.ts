/**
 * Where the time goes at C in flight / L ms (issue 11, target 2; a developer tool, not part of `npm run bench`):
 *   tsx bench/cl-probe.ts [--versions=8000] [--concurrency=64] [--latency=20] [--node=PATH] [--script=PATH] [--emu-cpu-prof=FILE] [--emulator=process]
 * One re-encryption sweep of dist/func.js as benchmark 4 runs it, with bench/lib/cl-probe-hook.cjs preloaded
 * into the function and the emulator's side recorded in this process (bench/lib/cl-probe.ts): calls in flight
 * over time, per-call latency as the function sees it against the emulator's service time, the threadpool
 * signatures' latency, both event loops' delay, and calls in flight while listings ran. `--emu-cpu-prof=FILE`
 * also writes a V8 CPU profile of this process (the emulator and the harness) during the sweep only.
 * `--emulator=process`: the emulator runs in a process of its own (emulator/src/process.ts, probed by
 * bench/lib/cl-probe-emulator-hook.cjs), so its CPU is its own and this process holds only the harness;
 * `--emulator=bundled`: the same, the emulator bundled by esbuild rather than run under tsx. `--emu-warm-up=N`:
 * N calls through the emulator before the sweep (bench/lib/cl-probe-raw-load.ts), past its JIT warm-up.
 * `--emulator-dir=DIR` (with `--emulator=process|bundled`): the emulator of another source tree (e.g. an earlier
 * commit's `git archive`), to compare two emulators with the same function. `--emu-node-args='--cpu-prof ...'`:
 * node flags for the emulator's process (e.g. a CPU profile of the emulator alone).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import type { SeedGenerator } from '../emulator/src/index';
import type { RunningFunction } from '../test/support/fdk-process';
import { startStack, type Stack } from '../test/support/stack';
import { clFigures, emulatorProbe, emulatorProcessProbe, functionProbe, schedFigures, schedSnapshot } from './lib/cl-probe';
import { warmEmulator } from './lib/cl-probe-raw-load';
import { startProcessStack, type ProcessStack } from './lib/cl-probe-stack';
import { sweepToCompletion } from './lib/fn';
import { round } from './lib/stats';
import { arg } from './lib/args';

/** A V8 CPU profile of this process (the in-process emulator and the harness), written to `file` on stop. */
async function startProfile(file: string): Promise<{ stop(): Promise<void> } | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(resolve(file), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const versions = Number(arg('versions', '8000'));
  const concurrency = Number(arg('concurrency', '64'));
  const latencyMs = Number(arg('latency', '20'));
  const where = arg('emulator', 'in-process');
  const ownProcess = where === 'process' || where === 'bundled';
  const warmUp = Number(arg('emu-warm-up', '0'));
  const fnProbe = functionProbe();
  const emuProcessProbe = ownProcess ? emulatorProcessProbe() : undefined;
  const options = {
    env: { REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency), ...fnProbe.env },
    ...(process.argv.some((a) => a.startsWith('--node=')) && { node: arg('node', '') }),
    ...(process.argv.some((a) => a.startsWith('--script=')) && { script: resolve(arg('script', '')) }),
  };
  const s: BenchStack = emuProcessProbe
    ? processBenchStack(await startProcessStack({ ...options, emulator: {
      seed: 7, nodeArgs: [...emuProcessProbe.nodeArgs, ...arg('emu-node-args', '').split(' ').filter(Boolean)], env: emuProcessProbe.env, bundled: where === 'bundled',
      ...(process.argv.some((a) => a.startsWith('--emulator-dir=')) && { sourceDir: resolve(arg('emulator-dir', '')) }),
    } }))
    : inProcessBenchStack(await startStack({ ...options, timeoutSeconds: 300, emulator: { seed: 7 } }));
  let emu: ReturnType<ReturnType<typeof emulatorProbe>['stop']>;
  let run: Awaited<ReturnType<typeof sweepToCompletion>>;
  let sched: Record<string, string | number>;
  let emuCpuMs: number;
  try {
    await s.setUp(versions, latencyMs, warmUp);
    const probe = emuProcessProbe ? undefined : emulatorProbe();
    const fnPid = s.fn.process.pid as number;
    const fn0 = schedSnapshot(fnPid);
    const emu0 = schedSnapshot(s.emulatorPid);
    const since = emuProcessProbe?.started(s.emulatorPid) ?? 0;
    const profiler = await startProfile(arg('emu-cpu-prof', ''));
    run = await sweepToCompletion(s.fn, { bucketName: 'tp' }, 300_000);
    await profiler?.stop();
    const emu1 = schedSnapshot(s.emulatorPid);
    emuCpuMs = (emu1.mainCpu + emu1.othersCpu - emu0.mainCpu - emu0.othersCpu) / 1e6;
    sched = { ...schedFigures('fn', fn0, schedSnapshot(fnPid), versions, run.wallMs), ...schedFigures('emu', emu0, emu1, versions, run.wallMs) };
    if (run.reencrypted !== versions) throw new Error(`re-encrypted ${run.reencrypted} of ${versions}`);
    if (probe) emu = probe.stop();
    else {
      await s.stop();
      emu = (emuProcessProbe as NonNullable<typeof emuProcessProbe>).read(since);
    }
  } finally {
    await s.stop();
  }
  const perS = versions / (run.wallMs / 1000);
  const figures = {
    emulator: where, emuWarmUp: warmUp, versions, concurrency, latencyMs, wallMs: run.wallMs, versionsPerSecond: Math.round(perS), ofLimit: round(perS / ((concurrency * 1000) / latencyMs), 2),
    fnCpuUsPerItem: Math.round((run.fnCpuMs * 1000) / versions), fnCores: round(run.fnCpuMs / run.wallMs, 2),
    // The emulator's process (all threads); in-process it includes this harness.
    emuCpuUsPerItem: Math.round((emuCpuMs * 1000) / versions), emuCores: round(emuCpuMs / run.wallMs, 2),
    // This process: the harness alone when the emulator has its own.
    ...(ownProcess && { harnessCpuUsPerItem: Math.round((run.hostCpuMs * 1000) / versions) }),
    ...sched, ...clFigures(fnProbe.read(), emu, concurrency),
  };
  console.log(`probe> ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

/** What the probe needs from a stack, with the emulator in this process or in its own. */
interface BenchStack {
  readonly fn: RunningFunction;
  readonly emulatorPid: number;
  /**
   * A versioned bucket `tp` of `versions` versions under the key's old version, the key rotated, `latencyMs` on every
   * call; first `warmUp` calls through the emulator (bench/lib/cl-probe-raw-load.ts) when not 0.
   */
  setUp(versions: number, latencyMs: number, warmUp: number): Promise<void>;
  stop(): Promise<void>;
}

const seed = (keyId: string, versions: number): SeedGenerator => ({
  count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId },
});

function inProcessBenchStack(s: Stack): BenchStack {
  let stopped: Promise<void> | undefined;
  return {
    fn: s.fn, emulatorPid: process.pid,
    async setUp(versions, latencyMs, warmUp) {
      if (warmUp > 0) await warmEmulator(s.emu, s.namespace, warmUp);
      s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
      s.emu.seedObjects('tp', seed(s.keyId, versions));
      s.emu.rotateKey(s.keyId);
      s.emu.setGlobalFaults({ latencyMs });
    },
    stop: () => (stopped ??= s.stop()),
  };
}

function processBenchStack(s: ProcessStack): BenchStack {
  let stopped: Promise<void> | undefined;
  return {
    fn: s.fn, emulatorPid: s.emu.pid,
    async setUp(versions, latencyMs, warmUp) {
      if (warmUp > 0) await warmEmulator(s.emu, s.emu.namespace, warmUp);
      await s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
      await s.emu.seedObjects('tp', seed(s.keyId, versions));
      await s.emu.rotateKey(s.keyId);
      await s.emu.setFaults({ global: { latencyMs } });
    },
    stop: () => (stopped ??= s.stop()),
  };
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
