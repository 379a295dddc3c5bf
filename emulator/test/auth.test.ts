import { createSign } from 'node:crypto';
import * as common from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index';
import { COMPARTMENT, failure, providerFromEnv, rawConfig } from './helpers';

let emu: Emulator;
let provider: common.ResourcePrincipalAuthenticationDetailsProvider;

beforeAll(async () => {
  emu = await startEmulator();
  provider = providerFromEnv(emu.issueResourcePrincipal({ compartmentId: COMPARTMENT }));
  emu.createBucket({ compartmentId: COMPARTMENT, name: 'auth-bucket' });
});
afterAll(() => emu.stop());

/** Sign a request with the real SDK signer, then let the test tamper with it before sending. */
async function signed(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD',
  path: string,
  body: string | undefined,
  options: { provider?: common.AuthenticationDetailsProvider; xDate?: string; tamper?: (h: Headers) => string | undefined } = {},
): Promise<Response> {
  const headers = new Headers();
  if (options.xDate) headers.set('x-date', options.xDate);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const uri = `${emu.url}${path}`;
  await new common.DefaultRequestSigner(options.provider ?? provider).signHttpRequest({ method, headers, uri, body });
  const sent = options.tamper ? options.tamper(headers) : body;
  return fetch(uri, { method, headers, body: sent });
}

describe('request signatures', () => {
  it('accepts requests the real resource-principal provider signs', async () => {
    const client = new ObjectStorageClient({ authenticationDetailsProvider: provider }, rawConfig);
    client.endpoint = emu.url;
    const r = await client.getNamespace({});
    expect(r.value).toBe('emulatorns');
  });

  it('accepts an API-key principal (tenancy/user/fingerprint)', async () => {
    const key = emu.registerApiKey({ userId: 'ocid1.user.oc1..tester' });
    expect(key.keyId).toBe(`${emu.state.tenancyId}/ocid1.user.oc1..tester/${key.fingerprint}`);
    const p = new common.SimpleAuthenticationDetailsProvider(emu.state.tenancyId, key.userId, key.fingerprint, key.privateKeyPem as string, null, common.Region.US_PHOENIX_1);
    const client = new ObjectStorageClient({ authenticationDetailsProvider: p }, rawConfig);
    client.endpoint = emu.url;
    const b = await client.getBucket({ namespaceName: 'emulatorns', bucketName: 'auth-bucket' });
    expect(b.bucket.name).toBe('auth-bucket');
  });

  it('accepts a correctly signed POST with a body', async () => {
    const res = await signed('POST', '/n/emulatorns/b/auth-bucket', JSON.stringify({ freeformTags: { a: 'b' } }));
    expect(res.status).toBe(200);
  });

  it('rejects a request without an Authorization header with 401 NotAuthenticated', async () => {
    const res = await fetch(`${emu.url}/n`);
    expect(res.status).toBe(401);
    expect(res.headers.get('opc-request-id')).toBeTruthy();
    expect(await res.json()).toMatchObject({ code: 'NotAuthenticated' });
  });

  it('rejects a tampered body (x-content-sha256 no longer matches)', async () => {
    const body = JSON.stringify({ freeformTags: { a: 'x' } });
    const res = await signed('POST', '/n/emulatorns/b/auth-bucket', body, { tamper: () => body.replace('x', 'y') });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'NotAuthenticated' });
  });

  it('rejects a tampered signed header', async () => {
    const res = await signed('GET', '/n/emulatorns/b/auth-bucket', undefined, {
      tamper: (h) => {
        h.set('x-date', new Date(Date.now() - 1000).toUTCString());
        return undefined;
      },
    });
    expect(res.status).toBe(401);
  });

  it('rejects a request whose signed header is missing', async () => {
    const res = await signed('POST', '/n/emulatorns/b/auth-bucket', '{}', {
      tamper: (h) => {
        h.delete('x-content-sha256');
        return '{}';
      },
    });
    expect(res.status).toBe(401);
  });

  it('rejects a POST whose signature does not cover the body headers', async () => {
    const env = emu.issueResourcePrincipal({ compartmentId: COMPARTMENT });
    const xDate = new Date().toUTCString();
    const host = new URL(emu.url).host;
    const path = '/n/emulatorns/b/auth-bucket';
    const signingString = [`x-date: ${xDate}`, `(request-target): post ${path}`, `host: ${host}`].join('\n');
    const signature = createSign('RSA-SHA256').update(signingString).sign(env.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM, 'base64');
    const authorization = `Signature version="1",keyId="ST$${env.OCI_RESOURCE_PRINCIPAL_RPST}",algorithm="rsa-sha256",headers="x-date (request-target) host",signature="${signature}"`;
    const res = await fetch(`${emu.url}${path}`, { method: 'POST', headers: { 'x-date': xDate, authorization, 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toMatch(/content-type|content-length|x-content-sha256/);
  });

  it('rejects a signature made with the wrong private key', async () => {
    const other = await startEmulator();
    try {
      // A session key that does not belong to the RPST presented.
      const mine = emu.issueResourcePrincipal({ compartmentId: COMPARTMENT });
      const stranger = emu.issueResourcePrincipal({ compartmentId: COMPARTMENT });
      const mixed = providerFromEnv({ ...mine, OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: stranger.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM });
      expect((await signed('GET', '/n', undefined, { provider: mixed })).status).toBe(401);
      // An RPST signed by another emulator (another token issuer).
      const foreign = providerFromEnv(other.issueResourcePrincipal({ compartmentId: COMPARTMENT }));
      expect((await signed('GET', '/n', undefined, { provider: foreign })).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  it('rejects an expired resource-principal token', async () => {
    const expired = providerFromEnv(emu.issueResourcePrincipal({ compartmentId: COMPARTMENT, ttlSeconds: -60 }));
    const client = new ObjectStorageClient({ authenticationDetailsProvider: expired }, rawConfig);
    client.endpoint = emu.url;
    expect(await failure(client.getNamespace({}))).toEqual({ statusCode: 401, serviceCode: 'NotAuthenticated' });
  });

  it('rejects a clock skewed by more than 5 minutes and accepts one within', async () => {
    const late = new Date(Date.now() - 6 * 60_000).toUTCString();
    const early = new Date(Date.now() + 6 * 60_000).toUTCString();
    const fine = new Date(Date.now() - 4 * 60_000).toUTCString();
    expect((await signed('GET', '/n', undefined, { xDate: late })).status).toBe(401);
    expect((await signed('GET', '/n', undefined, { xDate: early })).status).toBe(401);
    expect((await signed('GET', '/n', undefined, { xDate: fine })).status).toBe(200);
  });

  it('rejects an unknown API key id', async () => {
    const key = emu.registerApiKey({ userId: 'ocid1.user.oc1..ghost' });
    const p = new common.SimpleAuthenticationDetailsProvider(emu.state.tenancyId, 'ocid1.user.oc1..someoneelse', key.fingerprint, key.privateKeyPem as string, null, common.Region.US_PHOENIX_1);
    expect((await signed('GET', '/n', undefined, { provider: p })).status).toBe(401);
  });
});
