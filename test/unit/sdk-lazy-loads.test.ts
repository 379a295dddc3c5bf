import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { LAZY_INDEX_EXPORTS, patchSource } from '../../scripts/lib/sdk-patches.mjs';

/**
 * Modules of the SDK that the bundle loads later than the SDK does (scripts/lib/sdk-patches.mjs,
 * LAZY_INDEX_EXPORTS and the lazy requires in SDK_PATCHES; bench/README.md, idle RSS, fifth pass): each
 * patched module runs here from its patched source beside the installed original. It must not load the
 * deferred module at start, and must give the very same objects and results once asked.
 */
const root = join(__dirname, '../..');

interface Run { exports: Record<string, unknown>; required: string[] }

/** Runs `file` (under node_modules) from its patched source, recording what it requires; `substitutes` answer some ids. */
function runPatched(file: string, substitutes: Record<string, unknown> = {}): Run {
  const path = join(root, 'node_modules', file);
  const real = createRequire(path);
  const required: string[] = [];
  const counting = (id: string): unknown => {
    required.push(id);
    return Object.hasOwn(substitutes, id) ? substitutes[id] : real(id);
  };
  const module = { exports: {} as Record<string, unknown> };
  const source = patchSource(path, readFileSync(path, 'utf8')) as string;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- loading a CommonJS module from its source, as Node does
  new Function('exports', 'require', 'module', '__filename', '__dirname', source)(module.exports, counting, module, path, dirname(path));
  return { exports: module.exports, required };
}

const lazyIndexes = LAZY_INDEX_EXPORTS as { file: RegExp; exports: { name: string; value: string }[] }[];

describe('SDK modules the bundle loads on first use', () => {
  for (const [pkg, file] of [['oci-common', 'oci-common/index.js'], ['oci-objectstorage', 'oci-objectstorage/index.js']] as const) {
    it(`${pkg}'s index: the same exports and objects; the deferred ones loaded on first access only`, () => {
      const index = lazyIndexes.find((i) => i.file.test(join(root, 'node_modules', file)));
      expect(index?.exports.length).toBeGreaterThan(0);
      const sdk = createRequire(join(root, 'node_modules', file))('./index.js') as Record<string, unknown>;
      const patched = runPatched(file);
      const deferredIds = (index?.exports ?? []).map((e) => /require\("([^"]+)"\)/.exec(e.value)?.[1]);
      for (const id of deferredIds) expect(patched.required).not.toContain(id);
      expect(Object.keys(patched.exports).sort()).toEqual(Object.keys(sdk).sort());
      for (const [k, { name }] of (index?.exports ?? []).entries()) {
        const before = patched.required.length;
        expect(patched.exports[name]).toBe(sdk[name]);
        expect(patched.required.slice(before)).toContain(deferredIds[k]);
        expect(Object.getOwnPropertyDescriptor(patched.exports, name)).toMatchObject({ value: sdk[name], enumerable: true });
      }
      for (const name of Object.keys(sdk)) expect(patched.exports[name]).toBe(sdk[name]);
    });
  }

  it('delegateAuthProvider: the instance-principal provider is loaded only for an instance_principal auth type', async () => {
    const built = { kind: 'instance-principal provider' };
    class FakeBuilder { build(): Promise<unknown> { return Promise.resolve(built); } }
    const patched = runPatched('oci-common/lib/auth/helpers/delegate-auth-provider.js', { '../instance-principals-authentication-detail-provider': { __esModule: true, default: FakeBuilder } });
    const delegate = patched.exports['delegateAuthProvider'] as (p: object) => Promise<unknown>;
    const own = { kind: 'own' };
    expect(await delegate({ getProvider: () => own })).toBe(own);
    expect(await delegate({ getAuthType: () => 'other' })).toBeNull();
    expect(patched.required).not.toContain('../instance-principals-authentication-detail-provider');
    let set: unknown;
    expect(await delegate({ getAuthType: () => 'instance_principal', setProvider: (p: unknown) => { set = p; } })).toBe(built);
    expect(set).toBe(built);
    expect(patched.required).toContain('../instance-principals-authentication-detail-provider');
  });

  it('the SDK signer hashes a body exactly as before, loading jsSHA only when it signs one', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const common = createRequire(join(root, 'node_modules/oci-common/index.js'))('./index.js') as typeof import('oci-common');
    const auth = new common.SimpleAuthenticationDetailsProvider('ocid1.tenancy.oc1..t', 'ocid1.user.oc1..u', 'aa:bb', pem, null);
    const patched = runPatched('oci-common/lib/signer.js');
    expect(patched.required).not.toContain('jssha');
    const PatchedSigner = patched.exports['DefaultRequestSigner'] as typeof common.DefaultRequestSigner;
    const sign = async (signer: InstanceType<typeof common.DefaultRequestSigner>) => {
      const headers = new Headers({ 'x-date': 'Mon, 30 Nov 2026 12:00:00 GMT' });
      await signer.signHttpRequest({ uri: 'https://objectstorage.example.com/n/ns/b/b/actions/reencrypt', method: 'POST', headers, body: '{"kmsKeyId":"k"}' });
      const signed: Record<string, string> = {};
      headers.forEach((value, name) => { signed[name] = value; });
      return signed;
    };
    const expected = await sign(new common.DefaultRequestSigner(auth));
    expect(expected['x-content-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await sign(new PatchedSigner(auth))).toEqual(expected);
    expect(patched.required).toContain('jssha');
  });

  it('oci-common/lib/http.js does not load es6-promise where Promise is native', () => {
    const sdk = createRequire(join(root, 'node_modules/oci-common/index.js'))('./lib/http.js') as Record<string, unknown>;
    const patched = runPatched('oci-common/lib/http.js');
    expect(patched.required).not.toContain('es6-promise');
    expect(Object.keys(patched.exports).sort()).toEqual(Object.keys(sdk).sort());
  });
});
