import { createSign } from 'node:crypto';
import * as common from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../src/index';
import { newRequestId } from '../src/util';
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

describe('verification of repeated requests (the verifier keeps the last token it verified)', () => {
  /** A GET signed as the SDK signs it (x-date, (request-target), host) with a resource principal's session key. */
  function signedGet(env: { OCI_RESOURCE_PRINCIPAL_RPST: string; OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: string }, target: string, date: string): { method: string; target: string; headers: Record<string, string>; body: undefined; bodyExempt: false } {
    const host = '127.0.0.1:1';
    const signature = createSign('RSA-SHA256').update(`x-date: ${date}\n(request-target): get ${target}\nhost: ${host}`).sign(env.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM, 'base64');
    return {
      method: 'GET', target, body: undefined, bodyExempt: false,
      headers: { host, 'x-date': date, authorization: `Signature version="1",keyId="ST$${env.OCI_RESOURCE_PRINCIPAL_RPST}",algorithm="rsa-sha256",headers="x-date (request-target) host",signature="${signature}"` },
    };
  }

  it('rejects a token once it has expired, though requests it signed were accepted before', () => {
    const env = emu.issueResourcePrincipal({ compartmentId: COMPARTMENT, ttlSeconds: 600 });
    const now = Date.now();
    expect(emu.auth.verify(signedGet(env, '/n', new Date(now).toUTCString()))).toMatchObject({ kind: 'resource', compartmentId: COMPARTMENT });
    expect(emu.auth.verify(signedGet(env, '/n/x', new Date(now).toUTCString()))).toMatchObject({ kind: 'resource' });
    // The same token eleven minutes later, in a request dated then (so the clock-skew check passes).
    const later = now + 660_000;
    const spy = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect(() => emu.auth.verify(signedGet(env, '/n', new Date(later).toUTCString()))).toThrow('The security token has expired.');
    } finally {
      spy.mockRestore();
    }
  });

  it('tells two tokens apart: a request signed with one token\'s key does not verify under the other', () => {
    const first = emu.issueResourcePrincipal({ compartmentId: COMPARTMENT });
    const second = emu.issueResourcePrincipal({ compartmentId: 'ocid1.compartment.oc1..aaaaaaaaothercompartment' });
    const date = new Date().toUTCString();
    expect(emu.auth.verify(signedGet(first, '/n', date))).toMatchObject({ compartmentId: COMPARTMENT });
    expect(emu.auth.verify(signedGet(second, '/n', date))).toMatchObject({ compartmentId: 'ocid1.compartment.oc1..aaaaaaaaothercompartment' });
    const crossed = signedGet({ ...first, OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: second.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM }, '/n', date);
    expect(() => emu.auth.verify(crossed)).toThrow('The signature does not verify.');
    expect(emu.auth.verify(signedGet(first, '/n', date))).toMatchObject({ compartmentId: COMPARTMENT });
  });
});

describe('request bodies and request ids', () => {
  it('reads a chunked body (no content-length) as it reads any other', async () => {
    const { request } = await import('node:http');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${emu.url}/_emulator/compartments`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"name":"chunk');
      req.end('ed-compartment"}');
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ name: 'chunked-compartment' });
  });

  it('gives every answer its own 32-hex-digit request id, past refills of its random pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 600; i++) ids.add(newRequestId());
    expect(ids.size).toBe(600);
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{32}$/);
  });
});
