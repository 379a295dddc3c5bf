// Per-call work of the OCI SDK (oci-common 2.139.1) that costs CPU on every request and changes
// nothing a request carries, removed in the bundle only. Each patch replaces one exact text; if
// an SDK upgrade changes that text the build fails rather than silently shipping without it.
// test/unit/sdk-patches.test.ts runs the patched modules beside the originals.
import { readFile } from 'node:fs/promises';

export const SDK_PATCHES = [
  {
    // addUserAgent() means to fill its platform table once, but tests `isEmpty` (Object.keys) on a
    // Map, which is always "empty": every request ran require("os") and refilled the table. The
    // table's values, and so the User-Agent header, stay exactly the same.
    file: /[\\/]oci-common[\\/]lib[\\/]headers\.js$/,
    from: 'if (utils_1.isEmpty(NODE_PLATFORM_HASH)) {',
    to: 'if (NODE_PLATFORM_HASH.size === 0) {',
  },
  {
    // composeRequest() parses the client's endpoint with `new URL` on every request to check it;
    // the check depends on the endpoint text alone, so an endpoint that passed is not parsed again.
    file: /[\\/]oci-common[\\/]lib[\\/]request-generator\.js$/,
    from: 'function validateEndpoint(endpoint) {\n    let endpointUrl;',
    to: 'const validEndpoints = new Set();\nfunction validateEndpoint(endpoint) {\n    if (validEndpoints.has(endpoint))\n        return;\n    validateEndpointOnce(endpoint);\n    if (validEndpoints.size < 64)\n        validEndpoints.add(endpoint);\n}\nfunction validateEndpointOnce(endpoint) {\n    let endpointUrl;',
  },
];

/**
 * Each client package's model index (oci-objectstorage/lib/model/index.js, 61 models; oci-keymanagement's,
 * 85) requires every model module when the client is loaded, though a call serializes and reads only the
 * few models it names (a dry run touches 3 of Object Storage's 61). Every `const X = __importStar(require("./x"));
 * exports.X = X.X;` pair becomes a getter that loads its module on first access and then replaces itself
 * with the value: the same exports, the same objects, only later. The build fails if an index has any
 * other shape (an SDK upgrade changed it).
 */
export const LAZY_MODEL_INDEX = /[\\/]oci-[a-z]+[\\/]lib[\\/]model[\\/]index\.js$/;
const MODEL_PAIR = /^const ([A-Za-z0-9_]+) = __importStar\(require\("(\.\/[a-z0-9-]+)"\)\);\nexports\.\1 = \1\.\1;$/gm;

export function lazyModelIndex(path, source) {
  const requires = source.match(/require\(/g)?.length ?? 0;
  let pairs = 0;
  const out = source.replace(MODEL_PAIR, (_, name, file) => {
    pairs += 1;
    return `Object.defineProperty(exports, "${name}", { enumerable: true, configurable: true, get() {\n`
      + `    const value = __importStar(require("${file}")).${name};\n`
      + `    Object.defineProperty(exports, "${name}", { value, enumerable: true, writable: true, configurable: true });\n`
      + '    return value;\n} });';
  });
  if (pairs === 0 || pairs !== requires) {
    throw new Error(`SDK patch does not apply to ${path}: ${pairs} lazy model pairs for ${requires} requires (the SDK's model index changed?)`);
  }
  return out;
}

/** The source of `path` with its patches applied (unchanged if none applies to it). */
export function patchSource(path, source) {
  let out = LAZY_MODEL_INDEX.test(path) ? lazyModelIndex(path, source) : source;
  for (const patch of SDK_PATCHES) {
    if (!patch.file.test(path)) continue;
    const at = out.indexOf(patch.from);
    if (at < 0 || out.indexOf(patch.from, at + 1) >= 0) {
      throw new Error(`SDK patch does not apply to ${path}: expected exactly one "${patch.from.split('\n')[0]}" (oci-common changed?)`);
    }
    out = out.slice(0, at) + patch.to + out.slice(at + patch.from.length);
  }
  return out;
}

/** The esbuild plugin: the patched files are loaded patched, everything else as it is. */
export const sdkPatches = {
  name: 'oci-sdk-patches',
  setup(b) {
    const files = new RegExp([...SDK_PATCHES.map((p) => p.file.source), LAZY_MODEL_INDEX.source].join('|'));
    b.onLoad({ filter: files }, async (args) => ({ loader: 'js', contents: patchSource(args.path, await readFile(args.path, 'utf8')) }));
  },
};
