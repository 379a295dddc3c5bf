/**
 * ReencryptObject goes to the SDK's retrier without the SDK client method
 * (src/oci/direct-call.ts) and without an AsyncLocalStorage context: through
 * the real HTTP client and signer, against a server that verifies every
 * signature, it must keep everything the SDK path has: retries driven by the
 * SDK's retrier under our limits, per-operation counting, retry-after, the
 * hard stop, OciCallError with the SDK's error shapes.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpClient } from 'oci-common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config';
import { callContext, type CallState } from '../../src/oci/call-context';
import { createOci, type Oci } from '../../src/oci/clients';
import { DirectCall } from '../../src/oci/direct-call';
import { OciCallError } from '../../src/oci/errors';
import { ObjectStorage } from '../../src/oci/object-storage';
import { REENCRYPT_OBJECT } from '../../src/oci/reencrypt-request';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
interface Seen { method: string; url: string; body: string; signatureValid: boolean; headers: IncomingMessage['headers'] }

let server: Server;
let endpoint: string;
let handler: Handler;
const seen: Seen[] = [];
const sockets = new Set<Socket>();
let dir: string;
let config: Config;

function signatureValid(req: IncomingMessage): boolean {
  const auth = req.headers.authorization ?? '';
  const names = /headers="([^"]+)"/.exec(auth)?.[1]?.split(' ') ?? [];
  const text = names.map((h) => (h === '(request-target)' ? `(request-target): ${(req.method ?? '').toLowerCase()} ${req.url}` : `${h.toLowerCase()}: ${String(req.headers[h.toLowerCase()])}`)).join('\n');
  return createVerify('RSA-SHA256').update(text).verify(publicKey, /signature="([^"]+)"/.exec(auth)?.[1] ?? '', 'base64');
}

const answer = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': `req-${seen.length}`, ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString(), signatureValid: signatureValid(req), headers: req.headers });
      handler(req, res, seen.length);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'oci-reencrypt-direct-'));
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writeFileSync(join(dir, 'config'), `[DEFAULT]\nuser=ocid1.user.oc1..u\nfingerprint=00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff\ntenancy=ocid1.tenancy.oc1..t\nregion=us-phoenix-1\nkey_file=${join(dir, 'key.pem')}\n`);
  config = loadConfig({ REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: join(dir, 'config'), REENCRYPT_OBJECTSTORAGE_ENDPOINT: endpoint, REENCRYPT_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  handler = (_req, res) => answer(res, 200);
});

const target = { namespace: 'ns', bucketName: 'b', objectName: "dir/it's é", versionId: 'v+1' };

async function reencrypt(oci = createOci(config, { hardStopAt: Date.now() + 60_000 })): Promise<{ oci: Oci; ok?: { opcRequestId?: string }; err?: unknown }> {
  return new ObjectStorage(oci).reencryptObject(target).then((ok) => ({ oci, ok }), (err: unknown) => ({ oci, err }));
}

describe('ReencryptObject through the SDK retrier, without the client method', () => {
  it('sends the request once, signed over what goes on the wire, and returns its opc-request-id', async () => {
    const { oci, ok } = await reencrypt();
    expect(ok).toEqual({ opcRequestId: 'req-1' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/n/ns/b/b/actions/reencrypt/dir%2Fit%27s%20%C3%A9?versionId=v%2B1', body: '', signatureValid: true });
    expect(seen[0]?.headers['user-agent']).toMatch(/^Oracle-TypeScriptSDK\/2\.139\.1 /);
    expect(seen[0]?.headers['opc-request-id']).toMatch(/^[0-9A-F]{12}-/);
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 1 });
  });

  it('the SDK retrier retries 503 under our limits: every attempt signed and counted, the last one succeeds', async () => {
    handler = (_req, res, n) => (n < 3 ? answer(res, 503, { code: 'ServiceUnavailable', message: 'busy' }) : answer(res, 200));
    const { oci, ok } = await reencrypt();
    expect(ok).toEqual({ opcRequestId: 'req-3' });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 3 });
  });

  it('gives up after maxAttempts with the last OciError as an OciCallError', async () => {
    handler = (_req, res) => answer(res, 503, { code: 'ServiceUnavailable', message: 'busy' });
    const { oci, err } = await reencrypt();
    expect(err).toBeInstanceOf(OciCallError);
    expect((err as OciCallError).failure).toMatchObject({ status: 503, serviceCode: 'ServiceUnavailable', message: 'busy', opcRequestId: 'req-3', outOfTime: false });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 3 });
  });

  it('does not retry what the SDK does not retry (404): one attempt, status, code and request id kept', async () => {
    handler = (_req, res) => answer(res, 404, { code: 'ObjectNotFound', message: 'gone' });
    const { oci, err } = await reencrypt();
    expect((err as OciCallError).failure).toEqual({ status: 404, serviceCode: 'ObjectNotFound', message: 'gone', opcRequestId: 'req-1', outOfTime: false });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 1 });
  });

  it('reads retry-after: a wait that would pass the hard stop ends the call as out of time, not failed', async () => {
    handler = (_req, res) => answer(res, 429, { code: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '20' });
    const { oci, err } = await reencrypt(createOci(config, { hardStopAt: Date.now() + 10_000 }));
    expect((err as OciCallError).failure).toMatchObject({ status: 429, serviceCode: 'TooManyRequests', outOfTime: true });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 1 });
  });

  it('a 429 with retry-after 0 is retried and counted per attempt', async () => {
    handler = (_req, res, n) => (n < 2 ? answer(res, 429, { code: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '0' }) : answer(res, 200));
    const { oci, ok } = await reencrypt();
    expect(ok).toEqual({ opcRequestId: 'req-2' });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 2 });
  });

  it('abandons an attempt with no answer at the hard stop and says it ran out of time', async () => {
    handler = () => undefined;
    const { oci, err } = await reencrypt(createOci(config, { hardStopAt: Date.now() + 300 }));
    expect((err as OciCallError).failure.outOfTime).toBe(true);
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 1 });
  });

  it('does not start when the hard stop has passed', async () => {
    const { oci, err } = await reencrypt(createOci(config, { hardStopAt: Date.now() - 1 }));
    expect((err as OciCallError).failure).toMatchObject({ outOfTime: true });
    expect(seen).toHaveLength(0);
    expect(oci.apiCalls.size).toBe(0);
  });

  it('retries a refused connection as the SDK retries network errors, and reports its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = loadConfig({ REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: join(dir, 'config'), REENCRYPT_OBJECTSTORAGE_ENDPOINT: `http://127.0.0.1:${port}`, REENCRYPT_MAX_ATTEMPTS: '3' });
    const { oci, err } = await reencrypt(createOci(refused, { hardStopAt: Date.now() + 60_000 }));
    expect((err as OciCallError).failure).toMatchObject({ serviceCode: 'ECONNREFUSED', outOfTime: false });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 3 });
  });

  it('a request the SDK would refuse to compose fails as an OciCallError, nothing sent', async () => {
    const oci = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const err = await new ObjectStorage(oci).reencryptObject({ ...target, objectName: '' }).catch((e: unknown) => e);
    expect((err as OciCallError).failure).toMatchObject({ message: 'Missing required path parameter for {objectName}', outOfTime: false });
    expect(seen).toHaveLength(0);
  });
});

describe('per-call state without AsyncLocalStorage', () => {
  it('overlapping direct calls and SDK-path calls of two invocations each count and read retry-after as their own', async () => {
    // Every first attempt of a name fails with a retry-after that only that call's state may see.
    const attemptsByUrl = new Map<string, number>();
    handler = (req, res) => {
      const n = (attemptsByUrl.get(req.url ?? '') ?? 0) + 1;
      attemptsByUrl.set(req.url ?? '', n);
      if (n === 1) answer(res, 429, { code: 'TooManyRequests', message: 'later' }, { 'retry-after': '0' });
      else setTimeout(() => answer(res, 200, { objects: [] }), 5);
    };
    const a = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const b = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const list = (oci: typeof a, prefix: string) => oci.call('ListObjects', () => oci.objectStorage.listObjects({ namespaceName: 'ns', bucketName: 'b', prefix }));
    const put = (oci: typeof a, objectName: string) => new ObjectStorage(oci).reencryptObject({ namespace: 'ns', bucketName: 'b', objectName });
    await Promise.all([put(a, 'a1'), list(b, 'b1'), put(b, 'b2'), list(a, 'a3'), put(a, 'a4'), put(a, 'a5'), list(b, 'b6')]);
    expect(Object.fromEntries(a.apiCalls)).toEqual({ ReencryptObject: 6, ListObjects: 2 });
    expect(Object.fromEntries(b.apiCalls)).toEqual({ ReencryptObject: 2, ListObjects: 4 });
    expect(callContext.getStore()).toBeUndefined();
  });

  it('callContext.run: each call sees its own state after awaits, while others start and end around it', async () => {
    const state = (operation: string): CallState => ({ operation, hardStopAt: Date.now() + 60_000, maxAttempts: 1, apiCalls: new Map(), attempts: 0, outOfTime: false });
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const seenOps: string[] = [];
    const call = (op: string, ms: number) => callContext.run(state(op), async () => {
      await pause(ms);
      seenOps.push(`${op}:${callContext.getStore()?.operation}`);
      await pause(ms);
      seenOps.push(`${op}:${callContext.getStore()?.operation}`);
    });
    await Promise.all([call('long', 30), call('short', 1), pause(5).then(() => call('late', 2))]);
    expect(callContext.getStore()).toBeUndefined();
    await call('after', 1); // a call after every other one ended: the context is there again
    expect(seenOps.sort()).toEqual(['after:after', 'after:after', 'late:late', 'late:late', 'long:long', 'long:long', 'short:short', 'short:short']);
  });

  it("a DirectCall names itself as the current call only for the start of the HTTP client's send", async () => {
    const during: (CallState | undefined)[] = [];
    const http: HttpClient = {
      async send() {
        during.push(callContext.getStore());
        await null;
        during.push(callContext.getStore());
        return new Response(null, { status: 200 });
      },
    };
    const call = new DirectCall('ReencryptObject', Date.now() + 60_000, 1, new Map(), http);
    await call.exchange({ method: 'POST', uri: 'http://127.0.0.1:1/x', headers: new Headers() }, REENCRYPT_OBJECT);
    expect(during).toEqual([call, undefined]);
    expect(callContext.getStore()).toBeUndefined();
  });

  it('a first attempt that throws at once, or answers other than 2xx, goes to the SDK retrier as its first attempt: retried there, never sent twice', async () => {
    const outcomes: (() => Promise<Response>)[] = [
      () => { throw Object.assign(new Error('boom'), { code: 'EBOOM' }); },
      async () => new Response(JSON.stringify({ code: 'ServiceUnavailable', message: 'busy' }), { status: 503, headers: { 'content-type': 'application/json' } }),
      async () => new Response(null, { status: 204 }),
    ];
    const sent: number[] = [];
    const http: HttpClient = {
      send() {
        sent.push(sent.length + 1);
        const next = outcomes.shift();
        if (!next) throw new Error('sent more than asked');
        return next();
      },
    };
    const call = new DirectCall('ReencryptObject', Date.now() + 60_000, 5, new Map(), http, () => 0);
    const response = await call.exchange({ method: 'POST', uri: 'http://127.0.0.1:1/x', headers: new Headers() }, REENCRYPT_OBJECT);
    expect(response.status).toBe(204);
    expect(sent).toEqual([1, 2, 3]);
    expect(call.attempts).toBe(2); // the retrier's count of failed attempts before the answer
  });
});
