// Bundles the function into a CommonJS file, dist/func.js, which the container
// runs with `node dist/func.js`, and the packages its first calls never load into
// dist/lazy/ (SPLIT below). No node_modules in the image and a faster cold start.
//
// Validators are compiled here, not at start (ajv standalone code): the schemas
// are whatever the sources say at build time, so schema edits flow through.
import { build } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompileValidators, sourceModules } from './lib/build-validators.mjs';
import { sdkPatches } from './lib/sdk-patches.mjs';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const work = join(root, 'dist/.build');
mkdirSync(work, { recursive: true });

// Validators compiled from the schemas the sources ask for (scripts/lib/build-validators.mjs).
const validators = await precompileValidators(root, work);

/**
 * A module that stands for `name` and loads it on first property access. `direct` maps
 * properties to smaller modules that provide them alone (`[module, export]` for one export of
 * a module). `__esModule` is answered without loading (TypeScript's __importDefault asks for it
 * at load time).
 */
function lazyModule(name, direct) {
  const provider = (m) => (Array.isArray(m) ? `require(${JSON.stringify(m[0])})[${JSON.stringify(m[1])}]` : `require(${JSON.stringify(m)})`);
  return `
let real;
const load = () => (real ??= require(${JSON.stringify(name)}));
const direct = { ${Object.entries(direct).map(([k, m]) => `${JSON.stringify(k)}: () => ${provider(m)}`).join(', ')} };
module.exports = new Proxy({}, {
  get(_, key) {
    if (key === '__esModule' && real === undefined) return undefined;
    if (real === undefined && Object.hasOwn(direct, key)) return direct[key]();
    return load()[key];
  },
  has(_, key) { return key in load(); },
  ownKeys() { return Reflect.ownKeys(load()); },
  getOwnPropertyDescriptor(_, key) {
    const d = Reflect.getOwnPropertyDescriptor(load(), key);
    return d && { ...d, configurable: true };
  },
});`;
}

// The bundle, with the precompiled validators in place of the empty table, and without
// the fetch polyfills: Node has fetch, and our HTTP client does not use it.
const shims = {
  name: 'oci-reencrypt-shims',
  setup(b) {
    b.onResolve({ filter: /[\\/]precompiled-validators$/ }, () => ({ path: validators }));
    b.onResolve({ filter: /^isomorphic-fetch$/ }, () => ({ path: 'isomorphic-fetch', namespace: 'shim' }));
    b.onResolve({ filter: /^node-fetch$/ }, () => ({ path: 'node-fetch', namespace: 'shim' }));
    // Loaded when first used, not at start: only the SDK's own signer and instance-principal auth
    // use sshpk and http-signature (our signer does not); of jsonwebtoken, resource-principal auth
    // reads tokens with `decode` alone (its `verify` pulls in semver and key checks). Resource-principal
    // auth parses its session key with sshpk's parsePrivateKey only to write it back as PEM: node:crypto
    // answers that (src/oci/pem-private-key.ts), so sshpk stays out of the container unless something
    // else needs it.
    // oci-common asks uuid for `v1` alone (opc-request-id, retry tokens); uuid's index loads all 21 of its
    // modules (every version, md5, sha1, parse, validate) to offer it.
    const uuid = (file) => [join(root, 'node_modules/uuid/dist/cjs', file), 'default'];
    const direct = {
      uuid: { v1: uuid('v1.js'), v4: uuid('v4.js') },
      jsonwebtoken: { decode: 'jsonwebtoken/decode' },
      sshpk: { parsePrivateKey: [join(root, 'src/oci/pem-private-key.ts'), 'parsePrivateKey'] },
    };
    b.onResolve({ filter: /^(sshpk|http-signature|jsonwebtoken|uuid)$/ }, (args) => (args.namespace === 'lazy' ? undefined : { path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      loader: 'js',
      resolveDir: root,
      contents: lazyModule(args.path, direct[args.path] ?? {}),
    }));
    b.onLoad({ filter: /.*/, namespace: 'shim' }, (args) => ({
      loader: 'js',
      contents: args.path === 'node-fetch'
        // Only instance-principal auth (a config file naming it) calls node-fetch: Node's own fetch does the same GET.
        ? 'module.exports = (url, init) => globalThis.fetch(url, init); module.exports.default = module.exports;'
        : '',
    }));
  },
};

// Packages the first calls never load go to files of their own, dist/lazy/<package>.js, read when the
// function first requires them: KMS, Functions, Monitoring and Secrets clients, and what only the SDK's
// own signer or instance-principal auth use (jsSHA too), and es6-promise, which only a Node without a native
// Promise would load (scripts/lib/sdk-patches.mjs). V8 keeps a script's whole source in memory for the life of
// the container (for lazy compilation), so code that is only bundled costs RSS anyway: these are half
// of the bundle's bytes (bench/README.md, idle RSS). A chunk takes every module the main bundle also
// holds (oci-common, the SDK's shared helpers) from it, through the registry below, so each module still
// exists once in the process; a split package another chunk uses comes from that chunk.
const SPLIT = ['oci-keymanagement', 'oci-functions', 'oci-monitoring', 'oci-secrets', 'sshpk', 'http-signature', 'jsonwebtoken', 'jssha', 'es6-promise'];
const splitOf = (spec) => SPLIT.find((name) => spec === name || spec === `${name}/lib/index.js`);
const lazyDir = join(root, 'dist/lazy');
const rootRelative = (path) => relative(root, path).split('\\').join('/');

/** In the main bundle: a split package is its chunk, called with the registry of shared modules. */
function splitPlugin(shared) {
  return {
    name: 'oci-reencrypt-split',
    setup(b) {
      const filter = new RegExp(`^(${SPLIT.map((n) => n.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})(/lib/index\\.js)?$`);
      b.onResolve({ filter }, (args) => ({ path: splitOf(args.path), namespace: 'split' }));
      b.onResolve({ filter: /^split-registry$/ }, () => ({ path: 'split-registry', namespace: 'split-registry' }));
      b.onLoad({ filter: /.*/, namespace: 'split' }, (args) => ({
        loader: 'js',
        resolveDir: root,
        contents: `module.exports = require(require("node:path").join(__dirname, "lazy", ${JSON.stringify(`${args.path}.js`)}))(require("split-registry"));`,
      }));
      b.onLoad({ filter: /.*/, namespace: 'split-registry' }, () => ({
        loader: 'js',
        resolveDir: root,
        contents: `const modules = {\n${[...shared].sort().map((key) => `  ${JSON.stringify(key)}: () => require(${JSON.stringify(key.startsWith('split:') ? key.slice('split:'.length) : join(root, key))}),`).join('\n')}\n};
module.exports = (key) => {
  const load = modules[key];
  if (load === undefined) throw new Error(\`dist/lazy asks for \${key}, which the bundle does not hold (rebuild both together)\`);
  return load();
};`,
      }));
    },
  };
}

/** In a chunk: modules the main bundle holds (`mainInputs`), and other split packages, come from the registry. */
function sharedPlugin(own, mainInputs, shared) {
  return {
    name: 'oci-reencrypt-shared',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'entry-point' || args.pluginData?.inner) return undefined;
        const other = splitOf(args.path);
        if (other !== undefined && other !== own) {
          shared.add(`split:${other}`);
          return { path: `split:${other}`, namespace: 'shared' };
        }
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { inner: true } });
        if (r.errors.length > 0 || r.external || r.namespace !== 'file') return r;
        const key = rootRelative(r.path);
        if (!mainInputs.has(key)) return r;
        shared.add(key);
        return { path: key, namespace: 'shared' };
      });
      b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({ loader: 'js', contents: `module.exports = __shared(${JSON.stringify(args.path)});` }));
    },
  };
}

// dist/func.js signs with our signer, the RSA signature computed in libuv's threadpool.
// `--sdk-signer`: also dist/func-sdk-signer.js, signing with the SDK's DefaultRequestSigner, and
// dist/func-main-thread-signer.js, our signer on the main thread, for the benchmarks'
// side-by-side comparison (bench/README.md, 9). Never deployed.
const variants = [{ outfile: 'dist/func.js', signer: 'threadpool' }];
if (process.argv.includes('--sdk-signer')) {
  variants.push({ outfile: 'dist/func-sdk-signer.js', signer: 'sdk' }, { outfile: 'dist/func-main-thread-signer.js', signer: 'main-thread' });
}

/**
 * What every shipped file (the bundle and its chunks) is built with. Without the SDK's doc comments
 * and indentation the bundle is less than half the size: less to read, scan and keep in memory (V8
 * holds the source) at each cold start. Names stay as they are, for stack traces and profiles.
 */
const shipped = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', legalComments: 'linked', logLevel: 'warning',
  minifyWhitespace: true, minifySyntax: true,
};

const mainOptions = ({ outfile, signer }, shared) => ({
  ...shipped,
  entryPoints: ['src/func.ts'],
  outfile,
  define: { 'process.env.OCI_REENCRYPT_BUNDLE': '"precompiled"', 'process.env.OCI_REENCRYPT_SIGNER': JSON.stringify(signer) },
  // Two SDK per-request wastes removed, nothing sent changes (scripts/lib/sdk-patches.mjs).
  plugins: [shims, splitPlugin(shared), sdkPatches],
  // The SDK's request headers without loading undici (src/oci/light-headers.ts).
  inject: [join(root, 'src/oci/light-headers.ts')],
});

// The main bundle once to learn what it holds, the chunks (which learn what they take from it), then
// every variant with the registry of exactly those modules.
const { metafile } = await build({ ...mainOptions(variants[0], new Set()), write: false, metafile: true });
const mainInputs = new Set(Object.keys(metafile.inputs));
const shared = new Set();
rmSync(lazyDir, { recursive: true, force: true });
for (const name of SPLIT) await build({
  stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, loader: 'js' },
  ...shipped,
  outfile: join(lazyDir, `${name}.js`),
  plugins: [sharedPlugin(name, mainInputs, shared), sdkPatches],
  // A chunk is a function of the registry: dist/func.js calls it once, on the package's first require.
  banner: { js: 'module.exports = function loadChunk(__shared) { const module = { exports: {} }; const exports = module.exports;' },
  footer: { js: 'return module.exports; };' },
});
for (const variant of variants) await build(mainOptions(variant, shared));

// `--unbundled`: also .unbundled/, every source file compiled on its own (node_modules
// loaded at run time, schemas compiled at start): the benchmarks' cold-start baseline.
if (process.argv.includes('--unbundled')) {
  await build({
    entryPoints: sourceModules(root).concat(join(root, 'src/func.ts'), join(root, 'src/fdk.ts')),
    outdir: join(root, '.unbundled'), // at the root's depth, so ../../schemas resolves as in src
    outbase: join(root, 'src'),
    bundle: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
}
