/**
 * The image's node flags against CPU and memory in one run (`npm run bench -- --only=flags`, bench/README.md,
 * "Issue 11: the image's flags chosen against CPU and memory"). Every candidate runs dist/func.js on Node 22
 * with the runtime stage's ENV (Dockerfile), as the image would, and is measured the way benchmarks 9, 6, 3
 * and 8 measure the image:
 * - CPU per re-encrypted version of a fresh process (64 in flight / 20 ms; 8,000 and 20,000 versions, as
 *   benchmark 9's image rows), with its garbage collections counted (bench/lib/gc-count-hook.cjs);
 *   candidates interleaved round by round, the order rotated each round;
 * - CPU to the first answer and wall time from spawn to it, with a compile cache baked with the candidate's
 *   flags (V8 accepts a cache only from the same flags), candidates interleaved (benchmark 6);
 * - RSS 0.5 s and 30 s after two calls, every candidate started at once (benchmark 6's idle rounds);
 * - peak RSS of a dry run over a 1M-object bucket (benchmark 3's capped row), candidates at once;
 * - RSS growth over 10,000 one-object invocations after 500 warm-up (benchmark 8), candidates at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorProcess } from '../../emulator/src/process';
import { FUNC_JS, startFunction, type RunningFunction } from '../../test/support/fdk-process';
import { functionEnv, newFunctionId, startStack } from '../../test/support/stack';
import { warmEmulator } from './cl-probe-raw-load';
import { coldStart, sweepToCompletion } from './fn';
import { invocationMemory } from './memory';
import { median, round } from './stats';
import { GC_COUNT_HOOK, youngGenerationProbe, type YoungGenerationProbe } from './young-generation';

export interface FlagCandidate {
  readonly name: string;
  readonly flags: readonly string[];
}

/** What the function's process holds besides V8's heap (the `node` binary's pages, malloc, stacks): ~55 MiB idle, with room. */
export const NON_HEAP_ALLOWANCE_MIB = 64;

/** func.yaml's `memory` (MB, the function's memory limit in OCI Functions). */
export function functionMemoryMiB(funcYaml: string): number {
  const m = /^memory:\s*(\d+)\s*$/m.exec(funcYaml);
  if (!m) throw new Error('func.yaml has no `memory: <MB>` line');
  return Number(m[1]);
}

/**
 * An old-space limit that leaves the function's memory room for the young generation at its largest
 * (V8 reserves two semi-spaces and a new large-object space of one semi-space each) and for what is not
 * V8's heap, rounded down to 32 MiB.
 */
export function derivedOldSpaceMiB(memoryMiB: number, semiSpaceMiB: number): number {
  return Math.floor((memoryMiB - 3 * semiSpaceMiB - NON_HEAP_ALLOWANCE_MIB) / 32) * 32;
}

/**
 * The heap V8 12.4 configures with no flags for `memoryMiB` of physical (or cgroup) memory, as flags: Node 22 calls
 * ResourceConstraints::ConfigureDefaults(min(total memory, the cgroup's limit)); V8 gives the old generation half of
 * it on 64-bit (a quarter times the 64-bit heap multiplier 2 in older releases) and a semi-space of 1/256 of that,
 * between 1 and 16 MiB (Heap::OldGenerationSizeFromPhysicalMemory, YoungGenerationSizeFromOldGenerationSize and
 * OldGenerationToSemiSpaceRatio with the scavenger's 8 x 2 MiB maximum). Read from V8's sources, where releases differ
 * in detail but agree at 512 MB: old 256, semi-space 1. Not measured: there is no memory cgroup here to run node in.
 */
export function defaultsFor(memoryMiB: number): string[] {
  const oldMiB = Math.min(4096, memoryMiB / 2);
  const semiMiB = Math.max(1, Math.min(16, oldMiB / 256));
  return [`--max-old-space-size=${oldMiB}`, `--max-semi-space-size=${semiMiB}`];
}

/** The candidates: the Dockerfile's flags first, then the alternatives (duplicates of the Dockerfile's dropped). */
export function flagCandidates(current: readonly string[], memoryMiB: number): FlagCandidate[] {
  const old = (mib: number) => `--max-old-space-size=${mib}`;
  const semi = (mib: number) => `--max-semi-space-size=${mib}`;
  const derived = derivedOldSpaceMiB(memoryMiB, 16);
  const all: FlagCandidate[] = [
    { name: 'the Dockerfile\'s', flags: current },
    { name: 'no node flags', flags: [] },
    // What Node 22 picks with no flags in a container limited to the function's memory: Node hands V8 the cgroup's
    // limit (uv_get_constrained_memory), and V8 12.4 sizes both generations from it (bench/README.md, the flags section).
    { name: `no node flags, as V8 sizes a ${memoryMiB} MB container`, flags: defaultsFor(memoryMiB) },
    { name: 'old 256, semi 4', flags: [old(256), semi(4)] },
    { name: 'old 256', flags: [old(256)] },
    { name: 'semi 8', flags: [semi(8)] },
    { name: 'semi 16', flags: [semi(16)] },
    { name: 'old 256, semi 8', flags: [old(256), semi(8)] },
    { name: 'old 256, semi 16', flags: [old(256), semi(16)] },
    { name: 'old 256, semi 16, min semi 4', flags: [old(256), semi(16), '--min-semi-space-size=4'] },
    { name: `old ${derived} (memory ${memoryMiB}), semi 16`, flags: [old(derived), semi(16)] },
    { name: `old ${derived}, semi 16, min semi 4`, flags: [old(derived), semi(16), '--min-semi-space-size=4'] },
    { name: 'old 256, semi 8, min semi 4', flags: [old(256), semi(8), '--min-semi-space-size=4'] },
    { name: 'old 256, semi 4, min semi 4', flags: [old(256), semi(4), '--min-semi-space-size=4'] },
    // V8's old generation grows by at most 1.3x per full GC when its limit is 256 MiB (4x from 2 GiB up); this fixes it at 2x.
    { name: `old ${derived}, semi 16, growing 100%`, flags: [old(derived), semi(16), '--heap-growing-percent=100'] },
  ];
  const seen = new Set<string>();
  return all.filter((c) => {
    const key = c.flags.join(' ');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface FlagsBenchOptions {
  readonly node: string;
  readonly candidates: readonly FlagCandidate[];
  /** The runtime stage's ENV (malloc settings), for every candidate. */
  readonly env: Record<string, string>;
  readonly baseEnv: Record<string, string>;
  readonly parts: ReadonlySet<'cpu' | 'cold' | 'idle' | 'dryrun' | 'memory'>;
  readonly cpuVersions: readonly number[];
  readonly cpuRounds: number;
  readonly coldRounds: number;
  readonly idleRounds: number;
  readonly settleMs: number;
  readonly dryRunObjects: number;
  readonly invocations: number;
  readonly log: (line: string) => void;
}

type Row = Record<string, string | number>;
const HOUR_AGO = Date.now() - 3_600_000;

interface GcTally { scavenges: number; markCompacts: number; incremental: number; weakCallbacks: number; gcMs: number; newSpaceMiB: number; heapSizeLimitMiB: number }

function readTally(file: string): GcTally | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as GcTally;
  } catch {
    return undefined;
  }
}

/** One sweep of `versions` by a fresh function process with `flags`, against `emu` (a bucket of its own). */
async function cpuRun(emu: EmulatorProcess, setup: Awaited<ReturnType<typeof emulatorSetup>>, o: FlagsBenchOptions, c: FlagCandidate, versions: number, tag: string): Promise<{ us: number; tally?: GcTally; wallMs: number }> {
  const bucket = `flags-${tag}`;
  await emu.createBucket({ compartmentId: setup.compartmentA, name: bucket, kmsKeyId: setup.keyId, versioning: 'Enabled' });
  await emu.seedObjects(bucket, { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: HOUR_AGO, timeStepMs: 1, encryption: { kind: 'kms', keyId: setup.keyId } });
  await emu.rotateKey(setup.keyId);
  const dir = mkdtempSync(join(tmpdir(), 'fn-flags-gc-'));
  const gcFile = join(dir, 'gc.json');
  const fn = await startFunction({ ...setup.env, ...o.env, REENCRYPT_CONCURRENCY: '64', GC_COUNT_FILE: gcFile }, FUNC_JS, o.node, [...c.flags, '--require', GC_COUNT_HOOK]);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const before = readTally(gcFile);
    await emu.setFaults({ global: { latencyMs: 20 } });
    const run = await sweepToCompletion(fn, { bucketName: bucket }, 300_000);
    await emu.setFaults({});
    if (run.reencrypted !== versions) throw new Error(`${c.name}: re-encrypted ${run.reencrypted} of ${versions}`);
    await new Promise((r) => setTimeout(r, 300));
    const after = readTally(gcFile);
    const tally = after && before ? {
      ...after, scavenges: after.scavenges - before.scavenges, markCompacts: after.markCompacts - before.markCompacts,
      incremental: after.incremental - before.incremental, weakCallbacks: after.weakCallbacks - before.weakCallbacks, gcMs: after.gcMs - before.gcMs,
    } : after;
    return { us: (run.fnCpuMs * 1000) / versions, ...(tally && { tally }), wallMs: run.wallMs };
  } finally {
    await fn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function emulatorSetup(emu: EmulatorProcess, baseEnv: Record<string, string>) {
  const compartmentA = (await emu.createCompartment({ name: 'finance' })).id;
  const compartmentB = (await emu.createCompartment({ name: 'analytics' })).id;
  const vault = await emu.createVault({ compartmentId: compartmentA, displayName: 'finance-vault' });
  const key = await emu.createKey({ vaultId: vault.id, compartmentId: compartmentA, displayName: 'finance-master-key' });
  const principal = await emu.issueResourcePrincipal({ compartmentId: compartmentA, ttlSeconds: 6 * 3600 });
  const env = { ...functionEnv({ principal, functionId: newFunctionId(), emulatorUrl: emu.url, compartmentA, compartmentB, vaultId: vault.id }), ...baseEnv };
  return { compartmentA, keyId: key.id, env };
}

/** CPU per version: rounds × candidates × sizes, each a fresh function process; one emulator process (bundled, warmed up) for all. */
async function cpuPart(o: FlagsBenchOptions, rows: Map<string, Row>): Promise<void> {
  const emu = await EmulatorProcess.start({ seed: 7, bundled: true });
  try {
    await warmEmulator(emu, emu.namespace);
    const setup = await emulatorSetup(emu, o.baseEnv);
    const us = new Map<string, number[]>();
    const tallies = new Map<string, GcTally[]>();
    for (let r = 0; r < o.cpuRounds; r++) {
      const order = o.candidates.map((_, i) => o.candidates[(i + r) % o.candidates.length] as FlagCandidate);
      for (const versions of o.cpuVersions) {
        for (const c of (r % 2 === 0 ? order : [...order].reverse())) {
          const key = `${c.name}|${versions}`;
          const got = await cpuRun(emu, setup, o, c, versions, `${r}-${versions}-${o.candidates.indexOf(c)}`);
          (us.get(key) ?? us.set(key, []).get(key) as number[]).push(got.us);
          if (got.tally) (tallies.get(key) ?? tallies.set(key, []).get(key) as GcTally[]).push(got.tally);
          o.log(`flags> cpu round ${r} ${c.name} ${versions} versions: ${Math.round(got.us)} µs/version, ${got.wallMs} ms; GC ${got.tally ? `${got.tally.scavenges} scavenges, ${got.tally.markCompacts} mark-compacts, ${round(got.tally.gcMs)} ms in pauses, new space ${got.tally.newSpaceMiB} MiB, heap limit ${got.tally.heapSizeLimitMiB} MiB` : 'not counted'}`);
        }
      }
    }
    const base = o.candidates[0] as FlagCandidate;
    for (const c of o.candidates) {
      const row = rows.get(c.name) as Row;
      for (const versions of o.cpuVersions) {
        const key = `${c.name}|${versions}`;
        const xs = us.get(key) ?? [];
        const k = `${versions / 1000}k`;
        row[`cpuUs${k}`] = Math.round(median(xs));
        // Paired by round: each round runs every candidate within minutes of the first (the Dockerfile's, unless picked otherwise).
        const b = us.get(`${base.name}|${versions}`) ?? [];
        row[`vsFirstRow${k}`] = round(median(xs.map((x, i) => x / (b[i] as number))), 3);
        const t = tallies.get(key) ?? [];
        if (t.length > 0) {
          row[`scavengesPer1k${k}`] = round(median(t.map((x) => (x.scavenges * 1000) / versions)), 1);
          row[`markCompacts${k}`] = median(t.map((x) => x.markCompacts));
          row[`gcPauseUs${k}`] = Math.round(median(t.map((x) => (x.gcMs * 1000) / versions)));
        }
        row['heapLimitMiB'] = t[0]?.heapSizeLimitMiB ?? '';
      }
    }
  } finally {
    await emu.stop();
  }
}

/** Benchmark 6's method for each candidate: cold rounds one after another, idle rounds all at once. */
async function coldAndIdlePart(o: FlagsBenchOptions, rows: Map<string, Row>, root: string): Promise<void> {
  const s = await startStack({ env: o.baseEnv });
  const caches = new Map<string, string>();
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'small', kmsKeyId: s.keyId });
    s.emu.seedObjects('small', { count: 100, timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    const env = {
      ...functionEnv({ principal: s.emu.issueResourcePrincipal({ compartmentId: s.compartmentA }), functionId: newFunctionId(), emulatorUrl: s.emu.url, compartmentA: s.compartmentA, compartmentB: s.compartmentB, vaultId: s.vaultId }),
      ...o.baseEnv, ...o.env,
    };
    const body = { bucketName: 'small', dryRun: true, before: new Date().toISOString() };
    for (const c of o.candidates) {
      const dir = mkdtempSync(join(tmpdir(), 'fn-flags-cache-'));
      caches.set(c.name, dir);
      execFileSync(o.node, [...c.flags, join(root, 'scripts/bake-compile-cache.cjs'), dir], { cwd: root, stdio: 'inherit', env: { ...process.env, ...o.env } });
    }
    const opts = (c: FlagCandidate, settleMs?: number) => ({ node: o.node, nodeArgs: c.flags, ...(settleMs !== undefined && { settleMs }) });
    const cacheEnv = (c: FlagCandidate) => ({ ...env, NODE_COMPILE_CACHE: caches.get(c.name) as string });
    if (o.parts.has('cold')) {
      const cpu = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      const wall = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      const half = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      for (let r = 0; r < o.coldRounds; r++) {
        for (const c of (r % 2 === 0 ? o.candidates : [...o.candidates].reverse())) {
          const got = await coldStart(cacheEnv(c), body, opts(c));
          cpu.get(c.name)?.push(got.cpuToFirstAnswerMs);
          wall.get(c.name)?.push(got.spawnToSocketMs + got.firstCallMs);
          half.get(c.name)?.push(got.idleRssMiB);
          if (/warning/i.test(got.startupStderr)) throw new Error(`${c.name}: a warning at start: ${got.startupStderr}`);
        }
      }
      for (const c of o.candidates) {
        const row = rows.get(c.name) as Row;
        row['coldMedianMs'] = round(median(wall.get(c.name) as number[]));
        row['cpuToFirstAnswerMs'] = round(median(cpu.get(c.name) as number[]));
        row['rssHalfSecondColdRoundsMiB'] = median(half.get(c.name) as number[]);
      }
    }
    if (o.parts.has('idle')) {
      const half = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      const settled = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      const listening = new Map<string, number[]>(o.candidates.map((c) => [c.name, []]));
      for (let r = 0; r < o.idleRounds; r++) {
        const got = await Promise.all(o.candidates.map((c) => coldStart(cacheEnv(c), body, opts(c, o.settleMs))));
        got.forEach((g, i) => {
          const name = (o.candidates[i] as FlagCandidate).name;
          half.get(name)?.push(g.idleRssMiB);
          settled.get(name)?.push(g.settledSplit?.rssMiB ?? Number.NaN);
          listening.get(name)?.push(g.listeningRssMiB);
          o.log(`flags> idle round ${r} ${name}: listening ${g.listeningRssMiB} MiB, 0.5 s after two calls ${g.idleRssMiB} (anon ${g.idleSplit?.anonMiB}), ${o.settleMs / 1000} s after ${g.settledSplit?.rssMiB} (anon ${g.settledSplit?.anonMiB})`);
        });
      }
      for (const c of o.candidates) {
        const row = rows.get(c.name) as Row;
        row['rssListeningMiB'] = median(listening.get(c.name) as number[]);
        row['rssHalfSecondMiB'] = median(half.get(c.name) as number[]);
        row['rssSettledMiB'] = median(settled.get(c.name) as number[]);
        row['rssHalfSecondRounds'] = (half.get(c.name) as number[]).join(' ');
        row['rssSettledRounds'] = (settled.get(c.name) as number[]).join(' ');
      }
    }
  } finally {
    await s.stop();
    for (const dir of caches.values()) rmSync(dir, { recursive: true, force: true });
  }
}

/** Benchmark 3's capped row for every candidate at once: a dry run over a bucket of `dryRunObjects`. */
async function dryRunPart(o: FlagsBenchOptions, rows: Map<string, Row>): Promise<void> {
  const n = o.dryRunObjects;
  const s = await startStack({ env: o.baseEnv, timeoutSeconds: 300 });
  const fns: RunningFunction[] = [];
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'big', kmsKeyId: s.keyId });
    s.emu.seedObjects('big', { count: n, prefix: 'data/obj-', pad: String(n - 1).length, timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    const env = {
      ...functionEnv({ principal: s.emu.issueResourcePrincipal({ compartmentId: s.compartmentA }), functionId: newFunctionId(), emulatorUrl: s.emu.url, compartmentA: s.compartmentA, compartmentB: s.compartmentB, vaultId: s.vaultId }),
      ...o.baseEnv, ...o.env,
    };
    for (const c of o.candidates) fns.push(await startFunction(env, FUNC_JS, o.node, c.flags));
    const before = new Date().toISOString();
    const got = await Promise.all(fns.map(async (fn, i) => {
      const c = o.candidates[i] as FlagCandidate;
      try {
        const r = await sweepToCompletion(fn, { bucketName: 'big', dryRun: true, before }, 300_000);
        if (r.planned !== n) throw new Error(`planned ${r.planned} of ${n}`);
        return { peak: r.peakRssMiB, us: (r.fnCpuMs * 1000) / n };
      } catch (err) {
        o.log(`flags> dry run ${c.name} failed: ${String(err).slice(0, 300)}`);
        return undefined;
      }
    }));
    got.forEach((g, i) => {
      const row = rows.get((o.candidates[i] as FlagCandidate).name) as Row;
      row['dryRunPeakMiB'] = g ? g.peak : 'failed';
      if (g) row['dryRunCpuUsPerObject'] = round(g.us, 2);
    });
  } finally {
    for (const fn of fns) await fn.stop();
    await s.stop();
  }
}

/** Benchmark 8 for every candidate at once (Node 22, as the image runs): one-object re-encryptions, 4 at a time. */
async function memoryPart(o: FlagsBenchOptions, rows: Map<string, Row>): Promise<void> {
  const s = await startStack({ env: { ...o.baseEnv, REENCRYPT_LOG_LEVEL: 'warn' } });
  const fns: RunningFunction[] = [];
  const disposers: (() => void)[] = [];
  try {
    const objects = 100;
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'hook', kmsKeyId: s.keyId });
    s.emu.seedObjects('hook', { count: objects, prefix: 'upload-', pad: 3, timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    const env = {
      ...functionEnv({ principal: s.emu.issueResourcePrincipal({ compartmentId: s.compartmentA }), functionId: newFunctionId(), emulatorUrl: s.emu.url, compartmentA: s.compartmentA, compartmentB: s.compartmentB, vaultId: s.vaultId }),
      ...o.baseEnv, ...o.env, REENCRYPT_LOG_LEVEL: 'warn',
    };
    const probes = o.candidates.map(() => youngGenerationProbe());
    disposers.push(...probes.map((p) => () => p.dispose()));
    for (const [i, c] of o.candidates.entries()) {
      const probe = probes[i] as YoungGenerationProbe;
      fns.push(await startFunction({ ...env, ...probe.env }, FUNC_JS, o.node, [...c.flags, ...probe.nodeArgs]));
    }
    const body = (i: number) => JSON.stringify({ bucketName: 'hook', objectName: `upload-${String(i % objects).padStart(3, '0')}` });
    const got = await Promise.all(fns.map((fn, i) => invocationMemory(fn, body, { warmup: 500, invocations: o.invocations, concurrency: 4 }, () => probes[i]?.read())));
    got.forEach((m, i) => {
      const row = rows.get((o.candidates[i] as FlagCandidate).name) as Row;
      row['bench8GrowthMiB'] = m.failedCalls > 0 ? `${m.failedCalls} failed` : m.growthMiB;
      row['bench8NetOfYoungMiB'] = m.growthNetOfYoungMiB ?? '';
      row['bench8YoungEndMiB'] = m.youngEndMiB ?? '';
      row['bench8StartMiB'] = m.startRssMiB;
      row['bench8MaxMiB'] = m.maxRssMiB;
    });
  } finally {
    for (const fn of fns) await fn.stop();
    for (const d of disposers) d();
    await s.stop();
  }
}

export async function flagsBench(o: FlagsBenchOptions, root: string): Promise<Row[]> {
  const rows = new Map<string, Row>(o.candidates.map((c) => [c.name, { candidate: c.name, flags: c.flags.join(' ') || '(none)' }]));
  if (o.parts.has('cpu')) await cpuPart(o, rows);
  if (o.parts.has('cold') || o.parts.has('idle')) await coldAndIdlePart(o, rows, root);
  if (o.parts.has('dryrun')) await dryRunPart(o, rows);
  if (o.parts.has('memory')) await memoryPart(o, rows);
  return [...rows.values()];
}
