/**
 * Idle RSS and cold start of several builds side by side (a developer tool, not part of `npm run bench`).
 * Each build runs as the image runs it: Node 22, the Dockerfile's ENTRYPOINT flags and runtime ENV, and a
 * compile cache baked for it by scripts/bake-compile-cache.cjs. Cold rounds run the builds one after the
 * other (CPU to the first answer); idle rounds start every build at once and read RSS 0.5 s and `--settle`
 * ms after the second of two dry-run calls (the figures of benchmark 6, bench/README.md).
 *   tsx bench/idle-ab.ts A.js [B.js ...] [--floor] [--cold-rounds=5] [--idle-rounds=3] [--settle=30000]
 *       [--env-<i>=K=V,K=V] [--flags-<i>="..."] [--no-cache-<i>]   (i: the build's 0-based position)
 * The same script may be given twice with other flags or environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { startStack } from '../test/support/stack';
import { arg } from './lib/args';
import { coldStart } from './lib/fn';
import { imageEnv, imageNodeFlags, node22 } from './lib/node22';
import { median, round } from './lib/stats';

const ROOT = resolve(__dirname, '..');
const FLOOR = join(ROOT, 'bench/lib/floor-function.cjs');

interface Build { label: string; script: string; env: Record<string, string>; flags: string[]; cache: boolean }

function sideEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

async function main(): Promise<void> {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const flags = imageNodeFlags(dockerfile);
  const env = imageEnv(dockerfile);
  const scripts = process.argv.slice(2).filter((x) => !x.startsWith('--')).map((p) => resolve(p));
  const builds: Build[] = scripts.map((script, i) => {
    const own = arg(`flags-${i}`, '');
    return {
      label: `${i}:${relative(ROOT, script)}${own ? ` ${own}` : ''}${arg(`env-${i}`, '') ? ` ${arg(`env-${i}`, '')}` : ''}`,
      script, env: { ...env, ...sideEnv(arg(`env-${i}`, '')) }, flags: [...flags, ...own.split(' ').filter(Boolean)],
      cache: !process.argv.includes(`--no-cache-${i}`),
    };
  });
  if (process.argv.includes('--floor')) builds.push({ label: 'floor', script: FLOOR, env, flags, cache: false });
  const node = node22().path;
  const caches: string[] = [];
  for (const b of builds.filter((x) => x.cache)) {
    const dir = mkdtempSync(join(tmpdir(), 'fn-idle-ab-cache-'));
    caches.push(dir);
    execFileSync(node, [...b.flags, join(ROOT, 'scripts/bake-compile-cache.cjs'), dir, b.script], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...b.env } });
    b.env = { ...b.env, NODE_COMPILE_CACHE: dir };
  }
  const s = await startStack({ env: { REENCRYPT_LOG_LEVEL: 'info' } });
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'small', kmsKeyId: s.keyId });
    s.emu.seedObjects('small', { count: 100, timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } });
    const fnEnv = {
      ...s.emu.issueResourcePrincipal({ compartmentId: s.compartmentA }),
      REENCRYPT_OBJECTSTORAGE_ENDPOINT: s.emu.url, REENCRYPT_KMS_VAULT_ENDPOINT: s.emu.url, REENCRYPT_SECRETS_ENDPOINT: s.emu.url,
      REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: s.emu.url, REENCRYPT_COMPARTMENT_IDS: `${s.compartmentA},${s.compartmentB}`,
      REENCRYPT_VAULT_IDS: s.vaultId, REENCRYPT_CLOCK_SKEW_SECONDS: '0', REENCRYPT_SAFETY_MARGIN_SECONDS: '2', REENCRYPT_LOG_LEVEL: 'info',
    };
    const body = JSON.parse(arg('body', JSON.stringify({ bucketName: 'small', dryRun: true, before: new Date().toISOString() }))) as object;
    const cpu = new Map<string, number[]>(builds.map((b) => [b.label, []]));
    for (let r = 0; r < Number(arg('cold-rounds', '5')); r++) {
      for (const b of (r % 2 === 0 ? builds : [...builds].reverse())) {
        const c = await coldStart({ ...fnEnv, ...b.env }, body, { node, script: b.script, nodeArgs: b.flags });
        cpu.get(b.label)?.push(c.cpuToFirstAnswerMs);
      }
    }
    const settle = Number(arg('settle', '30000'));
    type Idle = { listening: number; half: number; settled: number; anon: number; warmCpu: number; afterIdleCpu: number; idleCpu: number };
    const idle = new Map<string, Idle[]>(builds.map((b) => [b.label, []]));
    for (let r = 0; r < Number(arg('idle-rounds', '3')); r++) {
      const got = await Promise.all(builds.map((b) => coldStart({ ...fnEnv, ...b.env }, body, { node, script: b.script, nodeArgs: b.flags, settleMs: settle })));
      got.forEach((c, k) => {
        const row = {
          listening: c.listeningRssMiB, half: c.idleRssMiB, settled: c.settledSplit?.rssMiB ?? NaN, anon: c.settledSplit?.anonMiB ?? NaN,
          warmCpu: c.secondCallCpuMs, afterIdleCpu: c.afterIdleCallCpuMs ?? NaN, idleCpu: c.idleCpuMs ?? NaN,
        };
        idle.get((builds[k] as Build).label)?.push(row);
        console.log(`idle-ab> round ${r} ${(builds[k] as Build).label}: listening ${row.listening} 0.5s ${row.half} settled ${row.settled} (anon ${row.anon}) MiB; CPU 2nd call ${round(row.warmCpu)} ms, while idle ${round(row.idleCpu)} ms, after idle ${round(row.afterIdleCpu)} ms`);
      });
    }
    for (const b of builds) {
      const c = cpu.get(b.label) as number[];
      const i = idle.get(b.label) as Idle[];
      const m = (pick: (x: (typeof i)[number]) => number) => (i.length ? round(median(i.map(pick))) : NaN);
      console.log(`idle-ab> ${b.label}: cpuToFirstAnswer median ${c.length ? round(median(c)) : NaN} ms [${c.map((x) => round(x)).join(' ')}]; RSS listening ${m((x) => x.listening)} 0.5s ${m((x) => x.half)} [${i.map((x) => x.half).join(' ')}] settled ${m((x) => x.settled)} [${i.map((x) => x.settled).join(' ')}] anon ${m((x) => x.anon)} MiB; CPU of the 2nd call ${m((x) => x.warmCpu)} ms, while idle ${m((x) => x.idleCpu)} ms, of a call after the idle ${m((x) => x.afterIdleCpu)} ms [${i.map((x) => round(x.afterIdleCpu)).join(' ')}]`);
    }
  } finally {
    await s.stop();
    for (const dir of caches) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
