#!/usr/bin/env node
// The `oci-reencrypt` command. It runs the TypeScript sources through tsx
// (installed by `npm ci`), so `npx oci-reencrypt` works from a fresh clone
// with no build step and can never run a stale build. `npm run build:cli`
// writes the same command bundled, dist/cli.js (scripts/build-cli.mjs), which
// starts without compiling anything.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const { main } = await tsImport(entry, import.meta.url);
await main(process.argv.slice(2));
