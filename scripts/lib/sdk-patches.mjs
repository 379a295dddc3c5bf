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

/** The source of `path` with its patches applied (unchanged if none applies to it). */
export function patchSource(path, source) {
  let out = source;
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
    const files = new RegExp(SDK_PATCHES.map((p) => p.file.source).join('|'));
    b.onLoad({ filter: files }, async (args) => ({ loader: 'js', contents: patchSource(args.path, await readFile(args.path, 'utf8')) }));
  },
};
