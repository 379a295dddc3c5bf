// Fills a V8 compile cache for dist/func.js (Node 22's NODE_COMPILE_CACHE), as the image
// build does: load the bundle once, let it start listening, then exit normally so Node
// writes the cache. Usage: node scripts/bake-compile-cache.cjs <cache dir> [bundle, default dist/func.js]
'use strict';
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { enableCompileCache } = require('node:module');

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/bake-compile-cache.cjs <cache dir>');
if (typeof enableCompileCache !== 'function') throw new Error(`node ${process.version} has no compile cache`);
enableCompileCache(dir);
const sockets = mkdtempSync(join(tmpdir(), 'fn-bake-'));
process.env.FN_FORMAT = 'http-stream';
process.env.FN_LISTENER = `unix:${join(sockets, 'lsnr.sock')}`;
require(process.argv[3] ? resolve(process.argv[3]) : resolve(__dirname, '../dist/func.js'));
setTimeout(() => {
  rmSync(sockets, { recursive: true, force: true });
  process.exit(0);
}, 500);
