import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { patchSource, SDK_PATCHES } from '../../scripts/lib/sdk-patches.mjs';

/**
 * The bundle's SDK patches (scripts/lib/sdk-patches.mjs) run here beside the
 * installed originals: the same results, with the per-request work gone.
 */
const sdkRequire = createRequire(require.resolve('oci-common'));

interface Loaded { exports: Record<string, (...args: unknown[]) => unknown>; osRequires: () => number; urlParses: () => number }

/** Loads one oci-common module from source (patched or not), counting its require("os") and `new URL` calls. */
function load(file: string, patched: boolean): Loaded {
  const path = sdkRequire.resolve(`./lib/${file}`);
  const original = readFileSync(path, 'utf8');
  const source = patched ? patchSource(path, original) as string : original;
  const moduleRequire = createRequire(path);
  let os = 0;
  let urls = 0;
  const countingRequire = (id: string): unknown => {
    if (id === 'os') os += 1;
    return moduleRequire(id);
  };
  const CountingURL = class extends URL {
    constructor(url: string, base?: string) {
      super(url, base);
      urls += 1;
    }
  };
  const module = { exports: {} as Record<string, (...args: unknown[]) => unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- loading a CommonJS module from its source, as Node does
  new Function('exports', 'require', 'module', '__filename', '__dirname', 'URL', source)(module.exports, countingRequire, module, path, dirname(path), CountingURL);
  return { exports: module.exports, osRequires: () => os, urlParses: () => urls };
}

describe('SDK patches in the bundle', () => {
  it('the User-Agent header is the same, and the platform table is filled once instead of on every request', () => {
    const original = load('headers.js', false);
    const patched = load('headers.js', true);
    const agents = (m: Loaded) => [1, 2, 3].map(() => {
      const headers = new Headers();
      m.exports.addUserAgent?.(headers);
      return headers.get('user-agent');
    });
    const before = agents(original);
    const after = agents(patched);
    expect(after).toEqual(before);
    expect(after[0]).toMatch(/^Oracle-TypeScriptSDK\/2\.139\.1 /);
    expect(original.osRequires()).toBe(3); // the SDK's own module: once per request
    expect(patched.osRequires()).toBe(1);
  });

  it('composeRequest builds the same request, parses a valid endpoint once, and still refuses invalid ones', async () => {
    const original = load('request-generator.js', false);
    const patched = load('request-generator.js', true);
    const params = (baseEndpoint: string) => ({
      baseEndpoint, defaultHeaders: { 'x-default': 'd' }, path: '/n/{namespaceName}/b/{bucketName}/o',
      method: 'GET', pathParams: { '{namespaceName}': 'ns', '{bucketName}': 'b k' }, headerParams: { 'opc-client-request-id': 'c1' },
      queryParams: { prefix: 'a', limit: 10 },
    });
    const shape = async (m: Loaded, endpoint: string) => {
      const r = await m.exports.composeRequest?.(params(endpoint)) as { method: string; uri: string; headers: Headers };
      const headers: [string, string][] = [];
      r.headers.forEach((value, name) => { if (name !== 'opc-request-id') headers.push([name, value]); }); // a fresh uuid per request
      return { method: r.method, uri: r.uri, headers };
    };
    const endpoint = 'https://objectstorage.us-phoenix-1.oraclecloud.com';
    for (let i = 0; i < 3; i += 1) expect(await shape(patched, endpoint)).toEqual(await shape(original, endpoint));
    expect(original.urlParses()).toBe(3);
    expect(patched.urlParses()).toBe(1);
    for (const bad of ['not a url', 'ftp://host', 'https://user:pw@host', 'https://host?q=1', 'https://host#f']) {
      const expected = await (original.exports.composeRequest?.(params(bad)) as Promise<unknown>).then(() => 'accepted', (e: Error) => e.message);
      expect(expected).not.toBe('accepted');
      for (let i = 0; i < 2; i += 1) {
        await expect(patched.exports.composeRequest?.(params(bad))).rejects.toThrow(expected as string);
      }
    }
  });

  it('the build fails when a patched text is not found exactly once (an SDK upgrade)', () => {
    const files = ['headers.js', 'request-generator.js', 'signer.js', 'auth/X509-federation-client.js', 'auth/helpers/delegate-auth-provider.js', 'http.js']
      .map((f) => `/x/node_modules/oci-common/lib/${f}`).concat('/x/node_modules/oci-common/index.js', '/x/node_modules/oci-objectstorage/index.js');
    for (const patch of SDK_PATCHES as { file: RegExp }[]) expect(files.some((f) => patch.file.test(f))).toBe(true);
    for (const path of files) expect(() => patchSource(path, 'function other() {}')).toThrow(/SDK patch does not apply/);
    expect(patchSource('/x/node_modules/oci-common/lib/other.js', 'unchanged')).toBe('unchanged');
  });
});
