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
  // The rest load modules at start that only some paths use, later (bench/README.md, idle RSS, fifth pass).
  {
    // jsSHA (a 25 KB module run at load) hashes request bodies for the SDK's own signer and certificate
    // fingerprints for instance-principal federation; the function's signer uses node:crypto.
    file: /[\\/]oci-common[\\/]lib[\\/](signer|auth[\\/]X509-federation-client)\.js$/,
    from: 'const jssha_1 = __importDefault(require("jssha"));',
    to: 'const jssha_1 = { get default() { return __importDefault(require("jssha")).default; } };',
  },
  {
    // The signer asks this helper for the provider on every request; only an `instance_principal`
    // auth_type (a config file naming it) needs the instance-principal provider and its federation client.
    file: /[\\/]oci-common[\\/]lib[\\/]auth[\\/]helpers[\\/]delegate-auth-provider\.js$/,
    from: 'const instance_principals_authentication_detail_provider_1 = __importDefault(require("../instance-principals-authentication-detail-provider"));',
    to: 'const instance_principals_authentication_detail_provider_1 = { get default() { return __importDefault(require("../instance-principals-authentication-detail-provider")).default; } };',
  },
  {
    // es6-promise's polyfill() returns at once where Promise is native (its own test, kept here), as on
    // every Node: the 11 KB module is loaded only where it would install itself.
    file: /[\\/]oci-common[\\/]lib[\\/]http\.js$/,
    from: 'const promise = __importStar(require("es6-promise"));',
    to: 'const promise = { polyfill() { if (!(typeof Promise === "function" && Object.prototype.toString.call(Promise.resolve()) === "[object Promise]" && !Promise.cast)) __importStar(require("es6-promise")).polyfill(); } };',
  },
];

/**
 * Package indexes that load, with every client, modules only some ways of authenticating use: oci-common's
 * loads the instance-principal and OKE workload-identity providers (their federation clients, certificate
 * suppliers and, for OKE, node:tls and node:https), oci-objectstorage's its UploadManager and blobs. The
 * function authenticates with a resource principal or a config file and never uploads. Each listed export
 * becomes a getter that loads its module on first access and then replaces itself with the value: the same
 * exports, the same objects, only later (bench/README.md, idle RSS, fifth pass). Each `from` must occur
 * exactly once, or the build fails (an SDK upgrade changed the index).
 */
export const LAZY_INDEX_EXPORTS = [
  {
    file: /[\\/]oci-common[\\/]index\.js$/,
    exports: [
      {
        name: 'InstancePrincipalsAuthenticationDetailsProviderBuilder',
        from: 'const instance_principals_authentication_detail_provider_1 = __importDefault(require("./lib/auth/instance-principals-authentication-detail-provider"));\nexports.InstancePrincipalsAuthenticationDetailsProviderBuilder = instance_principals_authentication_detail_provider_1.default;',
        value: '__importDefault(require("./lib/auth/instance-principals-authentication-detail-provider")).default',
      },
      {
        name: 'OkeWorkloadIdentityAuthenticationDetailsProvider',
        from: 'const oke_workload_identity_authentication_details_provider_1 = __importDefault(require("./lib/auth/oke-workload-identity-authentication-details-provider"));\nexports.OkeWorkloadIdentityAuthenticationDetailsProvider = oke_workload_identity_authentication_details_provider_1.default;',
        value: '__importDefault(require("./lib/auth/oke-workload-identity-authentication-details-provider")).default',
      },
    ],
  },
  {
    file: /[\\/]oci-objectstorage[\\/]index\.js$/,
    exports: [
      {
        name: 'UploadManager',
        from: 'const upload_manager_1 = require("./lib/upload-manager/upload-manager");\nObject.defineProperty(exports, "UploadManager", { enumerable: true, get: function () { return upload_manager_1.UploadManager; } });',
        value: 'require("./lib/upload-manager/upload-manager").UploadManager',
      },
      {
        name: 'NodeFSBlob',
        from: 'const node_fs_blob_1 = require("./lib/upload-manager/node-fs-blob");\nObject.defineProperty(exports, "NodeFSBlob", { enumerable: true, get: function () { return node_fs_blob_1.NodeFSBlob; } });',
        value: 'require("./lib/upload-manager/node-fs-blob").NodeFSBlob',
      },
    ],
  },
];

/** A getter for `name` that evaluates `value` (a require) on first access, then becomes that value. */
function lazyExport(name, value) {
  return `Object.defineProperty(exports, "${name}", { enumerable: true, configurable: true, get() {\n`
    + `    const value = ${value};\n`
    + `    Object.defineProperty(exports, "${name}", { value, enumerable: true, writable: true, configurable: true });\n`
    + '    return value;\n} });';
}

function replaceOnce(path, source, from, to) {
  const at = source.indexOf(from);
  if (at < 0 || source.indexOf(from, at + 1) >= 0) {
    throw new Error(`SDK patch does not apply to ${path}: expected exactly one "${from.split('\n')[0]}" (the SDK changed?)`);
  }
  return source.slice(0, at) + to + source.slice(at + from.length);
}

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
    if (patch.file.test(path)) out = replaceOnce(path, out, patch.from, patch.to);
  }
  for (const index of LAZY_INDEX_EXPORTS) {
    if (!index.file.test(path)) continue;
    for (const { name, from, value } of index.exports) out = replaceOnce(path, out, from, lazyExport(name, value));
  }
  return out;
}

/** The esbuild plugin: the patched files are loaded patched, everything else as it is. */
export const sdkPatches = {
  name: 'oci-sdk-patches',
  setup(b) {
    const files = new RegExp([...SDK_PATCHES.map((p) => p.file.source), ...LAZY_INDEX_EXPORTS.map((i) => i.file.source), LAZY_MODEL_INDEX.source].join('|'));
    b.onLoad({ filter: files }, async (args) => ({ loader: 'js', contents: patchSource(args.path, await readFile(args.path, 'utf8')) }));
  },
};
