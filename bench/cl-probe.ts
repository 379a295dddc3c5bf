/**
 * Where the time goes at C in flight / L ms (issue 11, target 2; a developer tool, not part of `npm run bench`):
 *   tsx bench/cl-probe.ts [--versions=8000] [--concurrency=64] [--latency=20] [--node=PATH] [--script=PATH] [--emu-cpu-prof=FILE]
 * One re-encryption sweep of dist/func.js as benchmark 4 runs it, with bench/lib/cl-probe-hook.cjs preloaded
 * into the function and the emulator's side recorded in this process (bench/lib/cl-probe.ts): calls in flight
 * over time, per-call latency as the function sees it against the emulator's service time, the threadpool
 * signatures' latency, both event loops' delay, and calls in flight while listings ran. `--emu-cpu-prof=FILE`
 * also writes a V8 CPU profile of this process (the emulator and the harness) during the sweep only.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import { startStack } from '../test/support/stack';
import { clFigures, emulatorProbe, functionProbe, schedFigures, schedSnapshot } from './lib/cl-probe';
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
  const fnProbe = functionProbe();
  const s = await startStack({
    env: { REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency), ...fnProbe.env },
    timeoutSeconds: 300, emulator: { seed: 7 },
    ...(process.argv.some((a) => a.startsWith('--node=')) && { node: arg('node', '') }),
    ...(process.argv.some((a) => a.startsWith('--script=')) && { script: resolve(arg('script', '')) }),
  });
  let emu: ReturnType<ReturnType<typeof emulatorProbe>['stop']>;
  let run: Awaited<ReturnType<typeof sweepToCompletion>>;
  let sched: Record<string, string | number>;
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('tp', { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
    s.emu.setGlobalFaults({ latencyMs });
    const probe = emulatorProbe();
    const fnPid = s.fn.process.pid as number;
    const fn0 = schedSnapshot(fnPid);
    const emu0 = schedSnapshot(process.pid);
    const profiler = await startProfile(arg('emu-cpu-prof', ''));
    run = await sweepToCompletion(s.fn, { bucketName: 'tp' }, 300_000);
    await profiler?.stop();
    sched = { ...schedFigures('fn', fn0, schedSnapshot(fnPid), versions, run.wallMs), ...schedFigures('emu', emu0, schedSnapshot(process.pid), versions, run.wallMs) };
    emu = probe.stop();
    if (run.reencrypted !== versions) throw new Error(`re-encrypted ${run.reencrypted} of ${versions}`);
  } finally {
    await s.stop();
  }
  const perS = versions / (run.wallMs / 1000);
  const figures = {
    versions, concurrency, latencyMs, wallMs: run.wallMs, versionsPerSecond: Math.round(perS), ofLimit: round(perS / ((concurrency * 1000) / latencyMs), 2),
    fnCpuUsPerItem: Math.round((run.fnCpuMs * 1000) / versions), fnCores: round(run.fnCpuMs / run.wallMs, 2),
    emuCpuUsPerItem: Math.round((run.hostCpuMs * 1000) / versions), emuCores: round(run.hostCpuMs / run.wallMs, 2),
    ...sched, ...clFigures(fnProbe.read(), emu, concurrency),
  };
  console.log(`probe> ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
