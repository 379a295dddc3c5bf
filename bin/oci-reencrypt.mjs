#!/usr/bin/env node
// The `oci-reencrypt` command. It runs the TypeScript sources through tsx
// (installed by `npm ci`), so `npx oci-reencrypt` works from a fresh clone
// with no build step and can never run a stale build.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

// `oci-reencrypt ... | head`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const { runCli } = await tsImport(main, import.meta.url);
process.exitCode = await runCli(process.argv.slice(2));
