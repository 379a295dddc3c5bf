/**
 * Profiles dist/func.js during one re-encryption sweep (a developer tool, not part of `npm run bench`):
 *   tsx bench/profile.ts [--versions=8000] [--concurrency=16] [--latency=0] [--node=PATH] [--script=PATH] [--no-profile]
 * Writes a .cpuprofile (open it in Chrome DevTools) to PROF_DIR (default .bench/profiles) and prints
 * the function's CPU per version, as benchmark 9 measures it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { startStack } from '../test/support/stack';
import { bareSignUs } from './lib/bare-sign';
import { sweepToCompletion } from './lib/fn';
import { readFileSync } from 'node:fs';
import { arg } from './lib/args';

/** utime and stime of a process, ms (clock ticks of 10 ms). */
function userSystemMs(pid: number): [number, number] {
  const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return [Number(rest[11]) * 10, Number(rest[12]) * 10];
}


async function main(): Promise<void> {
  const versions = Number(arg('versions', '8000'));
  const concurrency = Number(arg('concurrency', '16'));
  const latencyMs = Number(arg('latency', '0'));
  const profDir = resolve(process.env.PROF_DIR ?? resolve(__dirname, '../.bench/profiles'));
  mkdirSync(profDir, { recursive: true });
  const profile = !process.argv.includes('--no-profile');
  const s = await startStack({
    env: {
      REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency),
      ...(profile && { NODE_OPTIONS: `--require ${resolve(__dirname, 'lib/profile-hook.cjs')}`, PROF_DIR: profDir }),
      ...(process.env.FN_NODE_OPTIONS && { NODE_OPTIONS: process.env.FN_NODE_OPTIONS }),
    },
    timeoutSeconds: 300, emulator: { seed: 7 },
    ...(process.argv.some((a) => a.startsWith('--node=')) && { node: arg('node', '') }),
    ...(process.argv.some((a) => a.startsWith('--script=')) && { script: resolve(arg('script', '')) }),
  });
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('tp', { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
    s.emu.setGlobalFaults({ latencyMs });
    const pid = s.fn.process.pid as number;
    const [u0, s0] = userSystemMs(pid);
    const run = await sweepToCompletion(s.fn, { bucketName: 'tp' }, 300_000);
    const [u1, s1] = userSystemMs(pid);
    if (run.reencrypted !== versions) throw new Error(`re-encrypted ${run.reencrypted} of ${versions}`);
    const bare = bareSignUs(arg('node', process.execPath));
    console.log(`profile> bareSignUs=${bare} overBareSignX=${((run.fnCpuMs * 1000) / versions / bare).toFixed(2)} versions=${versions} concurrency=${concurrency} latencyMs=${latencyMs} wallMs=${run.wallMs} fnCpuUsPerItem=${Math.round((run.fnCpuMs * 1000) / versions)} userUsPerItem=${Math.round(((u1 - u0) * 1000) / versions)} systemUsPerItem=${Math.round(((s1 - s0) * 1000) / versions)} fnCores=${(run.fnCpuMs / run.wallMs).toFixed(2)} pid=${s.fn.process.pid} dir=${profDir}`);
  } finally {
    await s.stop();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
