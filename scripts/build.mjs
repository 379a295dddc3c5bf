// Bundles the function into one CommonJS file, dist/func.js, which the container
// runs with `node dist/func.js`. One file means no node_modules in the image and
// a faster cold start.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/func.ts'],
  outfile: 'dist/func.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
