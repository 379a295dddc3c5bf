/** The Node 22 binary (the container's runtime) from the npm registry's `node` package, via npx (cached after the first run). */
import { execFileSync } from 'node:child_process';

export function node22(): { path: string; version: string } {
  const out = execFileSync('npx', ['--yes', 'node@22', '-p', 'process.execPath + "\\n" + process.version'], {
    encoding: 'utf8', timeout: 600_000, stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n');
  const path = out.at(-2);
  const version = out.at(-1);
  if (!path || !version?.startsWith('v22.')) throw new Error(`npx node@22 gave ${out.join(' ')}`);
  return { path, version };
}

/** The Node flags the image runs the function with: the ENTRYPOINT's arguments between `node` and the script. */
export function imageNodeFlags(dockerfile: string): string[] {
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!m) throw new Error('the Dockerfile has no exec-form ENTRYPOINT');
  const argv = JSON.parse(m[1] as string) as string[];
  if (argv[0] !== 'node' || argv.at(-1) !== 'dist/func.js') throw new Error(`unexpected ENTRYPOINT ${m[1]}`);
  return argv.slice(1, -1);
}

/**
 * The environment the image's runtime stage sets (its `ENV` lines after the last `FROM`), without
 * NODE_COMPILE_CACHE, whose directory the benchmarks bake themselves.
 */
export function imageEnv(dockerfile: string): Record<string, string> {
  const runtime = dockerfile.split(/^FROM /m).at(-1) ?? '';
  const env: Record<string, string> = {};
  for (const [line] of runtime.matchAll(/^ENV .*$/gm)) {
    // One NAME=value per line, unquoted: what this reads is then exactly what Docker sets.
    const m = /^ENV ([A-Za-z_][A-Za-z0-9_]*)=([^\s"'$\\]+)\s*$/.exec(line);
    if (!m) throw new Error(`the Dockerfile's runtime stage has an ENV line of another form: ${line}`);
    if (m[1] !== 'NODE_COMPILE_CACHE') env[m[1] as string] = m[2] as string;
  }
  return env;
}
