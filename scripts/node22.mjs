// Runs a command with FUNC_NODE set to a Node 22 binary (the container's runtime), so
// the function under test runs on Node 22 while the test runner stays on this Node.
// The binary is the `node` package from the npm registry, fetched once by npx and cached.
//   node scripts/node22.mjs vitest run test/integration/fdk-contract.test.ts
import { execFileSync, spawnSync } from 'node:child_process';

export const NODE22_PACKAGE = 'node@22';

export function node22Path() {
  const out = execFileSync('npx', ['--yes', NODE22_PACKAGE, '-p', 'process.execPath + "\\n" + process.version'], {
    encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n');
  const [path, version] = [out.at(-2), out.at(-1)];
  if (!path || !version?.startsWith('v22.')) throw new Error(`npx ${NODE22_PACKAGE} gave ${out.join(' ')}`);
  return { path, version };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const { path, version } = node22Path();
  console.log(`function runs on Node ${version} (${path})`);
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) throw new Error('usage: node scripts/node22.mjs <command> [args...]');
  const r = spawnSync('npx', [cmd, ...args], { stdio: 'inherit', env: { ...process.env, FUNC_NODE: path } });
  process.exit(r.status ?? 1);
}
