/**
 * The emulator's CPU per re-encrypted version, two source trees paired (a developer tool, not part of `npm run bench`):
 *   tsx bench/emu-ab.ts --a=DIR [--b=DIR] [--a-mode=tsx|bundled] [--b-mode=...] [--a-warm-up=N] [--b-warm-up=N] [--versions=8000] [--concurrency=64] [--latency=20] [--rounds=3] [--script=PATH] [--driver=raw [--requests=20000]]
 * Each round starts an emulator process from each tree (emulator/src/process.ts), each with its own dist/func.js,
 * and sweeps both buckets at the same time (so both see the same machine load), the order of start swapped
 * between rounds. Prints, per round and as medians, each emulator's CPU per version (all its threads, from
 * /proc/<pid>/task/*\/schedstat) and B over A; the functions' CPU per version for context.
 * `--a-mode=bundled` / `--b-mode=bundled`: that side's emulator bundled by esbuild instead of run under tsx;
 * `--a-warm-up=N` / `--b-warm-up=N`: N calls through that side's emulator before its sweep.
 * `--driver=raw`: no function; `--requests` pre-signed ReencryptObject requests on `--concurrency` keep-alive
 * sockets (bench/lib/cl-probe-raw-load.ts), so the emulator's CPU per request is measured with less else running.
 */
import { resolve } from 'node:path';
import { EmulatorProcess } from '../emulator/src/process';
import { rawLoad, signedRequests, warmEmulator } from './lib/cl-probe-raw-load';
import { startProcessStack, type ProcessStack } from './lib/cl-probe-stack';
import { sweepToCompletion } from './lib/fn';
import { readProcThreadsCpuMs } from './lib/proc';
import { median, round } from './lib/stats';
import { arg } from './lib/args';

/** A source tree, run under tsx or bundled, warmed up or not before its sweep. */
interface Side { label: string; dir: string; bundled: boolean; warmUp: number }

async function prepare(side: Side, versions: number, concurrency: number, latencyMs: number): Promise<ProcessStack> {
  const s = await startProcessStack({
    env: { REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency) },
    emulator: { seed: 7, sourceDir: side.dir, bundled: side.bundled },
    ...(process.argv.some((a) => a.startsWith('--script=')) && { script: resolve(arg('script', '')) }),
  });
  if (side.warmUp > 0) await warmEmulator(s.emu, s.emu.namespace, side.warmUp);
  await s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
  await s.emu.seedObjects('tp', { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: s.keyId } });
  await s.emu.rotateKey(s.keyId);
  await s.emu.setFaults({ global: { latencyMs } });
  return s;
}

interface Prepared { sweep(): Promise<{ emuUs: number; fnUs: number; perSecond: number }>; stop(): Promise<void> }

async function prepareRaw(side: Side, versions: number, requests: number, concurrency: number, latencyMs: number): Promise<Prepared> {
  const emu = await EmulatorProcess.start({ seed: 7, sourceDir: side.dir, bundled: side.bundled });
  if (side.warmUp > 0) await warmEmulator(emu, emu.namespace, side.warmUp);
  const compartmentId = (await emu.createCompartment({ name: 'finance' })).id;
  const vault = await emu.createVault({ compartmentId });
  const key = await emu.createKey({ vaultId: vault.id, compartmentId });
  await emu.createBucket({ compartmentId, name: 'tp', kmsKeyId: key.id, versioning: 'Enabled' });
  await emu.seedObjects('tp', { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: key.id } });
  await emu.rotateKey(key.id);
  const principal = await emu.issueResourcePrincipal({ compartmentId });
  const rows = await emu.readEncryption('tp', { includeVersions: true });
  const signed = signedRequests({
    url: emu.url, namespace: emu.namespace, bucket: 'tp', versions: rows.map((r) => ({ name: r.name, versionId: r.versionId })),
    rpst: principal.OCI_RESOURCE_PRINCIPAL_RPST, privateKeyPem: principal.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM,
  });
  await emu.setFaults({ global: { latencyMs } });
  return {
    async sweep() {
      const started = Date.now();
      const emu0 = readProcThreadsCpuMs(emu.pid);
      const statuses = await rawLoad(emu.url, signed, requests, concurrency);
      const emuMs = readProcThreadsCpuMs(emu.pid) - emu0;
      if (statuses['200'] !== requests) throw new Error(`answers: ${JSON.stringify(statuses)}`);
      return { emuUs: (emuMs * 1000) / requests, fnUs: 0, perSecond: requests / ((Date.now() - started) / 1000) };
    },
    stop: () => emu.stop(),
  };
}

async function sweep(s: ProcessStack, versions: number): Promise<{ emuUs: number; fnUs: number; perSecond: number }> {
  const emu0 = readProcThreadsCpuMs(s.emu.pid);
  const run = await sweepToCompletion(s.fn, { bucketName: 'tp' }, 300_000);
  const emuMs = readProcThreadsCpuMs(s.emu.pid) - emu0;
  if (run.reencrypted !== versions) throw new Error(`re-encrypted ${run.reencrypted} of ${versions}`);
  return { emuUs: (emuMs * 1000) / versions, fnUs: (run.fnCpuMs * 1000) / versions, perSecond: versions / (run.wallMs / 1000) };
}

async function main(): Promise<void> {
  const versions = Number(arg('versions', '8000'));
  const concurrency = Number(arg('concurrency', '64'));
  const latencyMs = Number(arg('latency', '20'));
  const rounds = Number(arg('rounds', '3'));
  const raw = arg('driver', 'function') === 'raw';
  const requests = Number(arg('requests', '20000'));
  const side = (label: 'A' | 'B', dir: string): Side => {
    const l = label.toLowerCase();
    return { label, dir: resolve(dir), bundled: arg(`${l}-mode`, 'tsx') === 'bundled', warmUp: Number(arg(`${l}-warm-up`, '0')) };
  };
  const a = side('A', arg('a', ''));
  const b = side('B', arg('b', resolve(__dirname, '..')));
  if (!arg('a', '')) throw new Error('--a=DIR (a source tree with emulator/src) is required');
  const ratios: number[] = [];
  const all: Record<string, { emuUs: number[]; fnUs: number[]; perSecond: number[] }> = { A: { emuUs: [], fnUs: [], perSecond: [] }, B: { emuUs: [], fnUs: [], perSecond: [] } };
  for (let round_ = 0; round_ < rounds; round_++) {
    const order = round_ % 2 === 0 ? [a, b] : [b, a];
    const stacks: Prepared[] = [];
    try {
      for (const side of order) {
        if (raw) stacks.push(await prepareRaw(side, versions, requests, concurrency, latencyMs));
        else {
          const s = await prepare(side, versions, concurrency, latencyMs);
          stacks.push({ sweep: () => sweep(s, versions), stop: () => s.stop() });
        }
      }
      const results = await Promise.all(stacks.map((s) => s.sweep()));
      order.forEach((side, i) => {
        const r = results[i] as { emuUs: number; fnUs: number; perSecond: number };
        all[side.label]?.emuUs.push(r.emuUs);
        all[side.label]?.fnUs.push(r.fnUs);
        all[side.label]?.perSecond.push(r.perSecond);
      });
      const ra = results[order.indexOf(a)] as { emuUs: number };
      const rb = results[order.indexOf(b)] as { emuUs: number };
      ratios.push(rb.emuUs / ra.emuUs);
      console.log(`emu-ab> round=${round_ + 1} aEmuUs=${Math.round(ra.emuUs)} bEmuUs=${Math.round(rb.emuUs)} bOverA=${round(rb.emuUs / ra.emuUs, 3)} aFnUs=${Math.round(all['A']?.fnUs.at(-1) ?? 0)} bFnUs=${Math.round(all['B']?.fnUs.at(-1) ?? 0)}`);
    } finally {
      await Promise.all(stacks.map((s) => s.stop()));
    }
  }
  const med = (xs: number[] | undefined): number => Math.round(median(xs ?? []));
  console.log(`emu-ab> a=${JSON.stringify(a)} b=${JSON.stringify(b)} driver=${raw ? `raw requests=${requests}` : 'function'} versions=${versions} concurrency=${concurrency} latencyMs=${latencyMs} rounds=${rounds} aEmuUsMedian=${med(all['A']?.emuUs)} bEmuUsMedian=${med(all['B']?.emuUs)} bOverAMedian=${round(median(ratios), 3)} aFnUsMedian=${med(all['A']?.fnUs)} bFnUsMedian=${med(all['B']?.fnUs)} aPerSecondMedian=${med(all['A']?.perSecond)} bPerSecondMedian=${med(all['B']?.perSecond)}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
