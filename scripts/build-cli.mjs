// Bundles the `oci-reencrypt` command into one CommonJS file, dist/cli.js, with its
// validators compiled here (ajv standalone code), as scripts/build.mjs does for the
// function. Run from source (bin/oci-reencrypt.mjs, through tsx) every start compiles
// the TypeScript and the schemas: about a second of CPU before the command does
// anything. The bundle starts without either; the tests run it (test/support/cli.ts).
// `npm run build:cli`; `npm test` runs it after `npm run build` (which the Dockerfile runs: the
// image needs no CLI).
//
// Nothing else differs from the source: no SDK patches or shims (those are the
// function's, in scripts/build.mjs), so the bundle does what `npx oci-reencrypt` does.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompileValidators } from './lib/build-validators.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const work = join(root, 'dist/.build-cli');
mkdirSync(work, { recursive: true });

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

// Validators compiled from the schemas the sources ask for, as for the function (scripts/lib/build-validators.mjs).
const validators = await precompileValidators(root, work);

// The command, with the precompiled validators in place of the empty table (and so no ajv compiler).
await build({
  ...common,
  stdin: {
    contents: `require(${JSON.stringify(join(root, 'src/cli/main.ts'))}).main();`,
    resolveDir: root,
    sourcefile: 'oci-reencrypt-entry.js',
    loader: 'js',
  },
  outfile: join(root, 'dist/cli.js'),
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { 'process.env.OCI_REENCRYPT_BUNDLE': '"precompiled"' },
  plugins: [{
    name: 'precompiled-validators',
    setup(b) {
      b.onResolve({ filter: /[\\/]precompiled-validators$/ }, () => ({ path: validators }));
    },
  }],
  // Less to read and parse at each start; names stay, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
});
