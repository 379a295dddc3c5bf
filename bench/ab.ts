/**
 * A/B of two builds of the function on a busy machine (a developer tool, not part of `npm run bench`):
 * both sweep their own bucket against one emulator at the same time, so load on the machine touches
 * both alike; CPU per re-encrypted version is compared, then the roles of the buckets are swapped.
 *   tsx bench/ab.ts A.js B.js [--node=PATH] [--a-node=PATH] [--b-node=PATH] [--versions=8000] [--concurrency=16] [--latency=0] [--rounds=2] [--a-node-flags="..."] [--b-node-flags="..."] [--a-env=K=V,K=V] [--b-env=K=V,K=V]
 * A and B may be the same build run with other node flags (e.g. the image's heap flags); V8 flags that
 * NODE_OPTIONS refuses (`--maglev`, `--min-semi-space-size`) go through --a-node/--b-node naming a wrapper
 * script that runs the function's `node` with them (the yardstick signature still runs on --node).
 * Both function processes live through all rounds: round 0 is what benchmark 9 measures (a fresh process,
 * its JIT warm-up and heap growth included), later rounds a warm container; the summary prints both.
 */
import { resolve } from 'node:path';
import { startFunction } from '../test/support/fdk-process';
import { startStack } from '../test/support/stack';
import { bareSignUs } from './lib/bare-sign';
import { sweepToCompletion } from './lib/fn';
import { arg } from './lib/args';


async function main(): Promise<void> {
  const [a, b] = process.argv.slice(2).filter((x) => !x.startsWith('--')).map((p) => resolve(p));
  if (!a || !b) throw new Error('usage: tsx bench/ab.ts A.js B.js');
  const versions = Number(arg('versions', '8000'));
  const concurrency = Number(arg('concurrency', '16'));
  const latencyMs = Number(arg('latency', '0'));
  const node = arg('node', process.execPath);
  const env = { REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency) };
  // Environment of one side only, e.g. glibc's MALLOC_* tunables (read at process start, so not NODE_OPTIONS).
  const sideEnv = (name: string): Record<string, string> => Object.fromEntries(arg(name, '').split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]));
  const aFlags = arg('a-node-flags', '');
  const s = await startStack({ env: { ...env, ...sideEnv('a-env'), ...(aFlags && { NODE_OPTIONS: aFlags }) }, timeoutSeconds: 300, emulator: { seed: 7 }, node: arg('a-node', node), script: a });
  const fnEnv = {
    ...s.emu.issueResourcePrincipal({ compartmentId: s.compartmentA }),
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: s.emu.url, REENCRYPT_KMS_VAULT_ENDPOINT: s.emu.url, REENCRYPT_SECRETS_ENDPOINT: s.emu.url,
    REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: s.emu.url, REENCRYPT_COMPARTMENT_IDS: `${s.compartmentA},${s.compartmentB}`,
    REENCRYPT_VAULT_IDS: s.vaultId, REENCRYPT_CLOCK_SKEW_SECONDS: '0', REENCRYPT_SAFETY_MARGIN_SECONDS: '2', ...env,
  };
  const bFlags = arg('b-node-flags', '');
  const fnB = await startFunction({ ...fnEnv, ...sideEnv('b-env'), ...(bFlags && { NODE_OPTIONS: bFlags }) }, b, arg('b-node', node));
  const totals = { a: [] as number[], b: [] as number[] };
  const walls = { a: [] as number[], b: [] as number[] };
  try {
    for (let round = 0; round < Number(arg('rounds', '2')); round++) {
      const buckets = [`ab-${round}-x`, `ab-${round}-y`];
      for (const name of buckets) {
        s.emu.createBucket({ compartmentId: s.compartmentA, name, kmsKeyId: s.keyId, versioning: 'Enabled' });
        s.emu.seedObjects(name, { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: s.keyId } });
      }
      s.emu.rotateKey(s.keyId);
      s.emu.setGlobalFaults({ latencyMs });
      const [bucketA, bucketB] = round % 2 === 0 ? buckets : [...buckets].reverse();
      const [ra, rb] = await Promise.all([
        sweepToCompletion(s.fn, { bucketName: bucketA }, 300_000), sweepToCompletion(fnB, { bucketName: bucketB }, 300_000),
      ]);
      s.emu.setGlobalFaults(undefined);
      for (const r of [ra, rb]) if (r.reencrypted !== versions) throw new Error(`re-encrypted ${r.reencrypted} of ${versions}`);
      const us = (cpuMs: number) => Math.round((cpuMs * 1000) / versions);
      totals.a.push(us(ra.fnCpuMs));
      totals.b.push(us(rb.fnCpuMs));
      walls.a.push(ra.wallMs);
      walls.b.push(rb.wallMs);
      const perS = (wallMs: number) => Math.round(versions / (wallMs / 1000));
      console.log(`ab> round ${round}: A ${us(ra.fnCpuMs)} µs/version (${ra.wallMs} ms, ${perS(ra.wallMs)}/s)  B ${us(rb.fnCpuMs)} µs/version (${rb.wallMs} ms, ${perS(rb.wallMs)}/s)`);
    }
    const sum = (xs: number[]) => xs.reduce((x, y) => x + y, 0);
    const meanA = sum(totals.a) / totals.a.length;
    const meanB = sum(totals.b) / totals.b.length;
    // The yardstick on the same node right after: a bare RSA-2048 signature with a cached KeyObject.
    const bare = bareSignUs(node);
    console.log(`ab> ${node} A=${a} B=${b}: A ${Math.round(meanA)} µs/version, B ${Math.round(meanB)} µs/version, B/A ${(sum(totals.b) / sum(totals.a)).toFixed(3)}; bare crypto.sign ${bare} µs: A ${(meanA / bare).toFixed(2)}×, B ${(meanB / bare).toFixed(2)}×; versions/s B/A ${(sum(walls.a) / sum(walls.b)).toFixed(3)} (wall ${sum(walls.a)} ms A, ${sum(walls.b)} ms B)`);
    if (totals.a.length > 1) {
      const warm = (xs: number[]) => sum(xs.slice(1)) / (xs.length - 1);
      console.log(`ab> fresh process (round 0): A ${totals.a[0]} B ${totals.b[0]} µs/version, B/A ${((totals.b[0] as number) / (totals.a[0] as number)).toFixed(3)}; warm (rounds 1-${totals.a.length - 1}): A ${Math.round(warm(totals.a))} B ${Math.round(warm(totals.b))} µs/version, B/A ${(warm(totals.b) / warm(totals.a)).toFixed(3)}`);
    }
  } finally {
    await fnB.stop();
    await s.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
