import { createVerify, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FixedTimeDelayStrategy, MaxAttemptsTerminationStrategy, OciError, SimpleAuthenticationDetailsProvider, Region } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, type Config } from '../../src/config';
import { callContext, type CallState } from '../../src/oci/call-context';
import { createOci, ociClients } from '../../src/oci/clients';
import { OciCallError } from '../../src/oci/errors';
import { ObjectStorage } from '../../src/oci/object-storage';
import { hardStops, WireHttpClient, wireRequestFinish, wireRequestStart } from '../../src/oci/http-client';
import { CachedKeyRequestSigner } from '../../src/oci/signer';

/**
 * The keep-alive HTTP client under the real SDK clients, against a real HTTP
 * server that verifies every signature over the request target it received.
 */
const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaaexample';
const USER = 'ocid1.user.oc1..aaaaaaaaexample';
const FINGERPRINT = '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
interface Seen { method: string; url: string; body: Buffer; signatureValid: boolean }

let server: Server;
let endpoint: string;
let handler: Handler;
const seen: Seen[] = [];
const connections = new Set<Socket>();
let connectionCount = 0;
let dir: string;
let config: Config;

function verifySignature(req: IncomingMessage): boolean {
  const auth = req.headers.authorization ?? '';
  const list = /headers="([^"]+)"/.exec(auth)?.[1]?.split(' ') ?? [];
  const signature = /signature="([^"]+)"/.exec(auth)?.[1] ?? '';
  const text = list.map((h) => (h === '(request-target)'
    ? `(request-target): ${(req.method ?? '').toLowerCase()} ${req.url}`
    : `${h.toLowerCase()}: ${String(req.headers[h.toLowerCase()])}`)).join('\n');
  return createVerify('RSA-SHA256').update(text).verify(publicKey, signature, 'base64');
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': `req-${seen.length}`, ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, signatureValid: verifySignature(req) });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    connectionCount += 1;
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'oci-reencrypt-http-'));
  const keyFile = join(dir, 'key.pem');
  const configFile = join(dir, 'config');
  writeFileSync(keyFile, PRIVATE_KEY_PEM);
  writeFileSync(configFile, `[DEFAULT]\nuser=${USER}\nfingerprint=${FINGERPRINT}\ntenancy=${TENANCY}\nregion=us-phoenix-1\nkey_file=${keyFile}\n`);
  config = loadConfig({ REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: configFile, REENCRYPT_OBJECTSTORAGE_ENDPOINT: endpoint, REENCRYPT_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  for (const socket of connections) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
});

beforeEach(() => {
  seen.length = 0;
  handler = (_req, res) => json(res, 200, { objects: [] });
});

function sdkClientWith(retryConfiguration: ConstructorParameters<typeof ObjectStorageClient>[1]): ObjectStorageClient {
  const provider = new SimpleAuthenticationDetailsProvider(TENANCY, USER, FINGERPRINT, PRIVATE_KEY_PEM, null, Region.US_PHOENIX_1);
  const client = new ObjectStorageClient({ httpClient: new WireHttpClient(new CachedKeyRequestSigner(provider)) }, retryConfiguration);
  client.endpoint = endpoint;
  return client;
}

describe('the container builds its clients once (issue 8: memory grew per invocation)', () => {
  it('every invocation gets the same SDK clients, without circuit breakers', () => {
    const first = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const second = createOci(config, { hardStopAt: Date.now() + 60_000 });
    expect(second.objectStorage).toBe(first.objectStorage);
    expect(second.kmsVault).toBe(first.kmsVault);
    expect(second.secrets).toBe(first.secrets);
    expect(second.kmsManagement('http://127.0.0.1:1')).toBe(first.kmsManagement('http://127.0.0.1:1'));
    expect(ociClients(config).signer).toBe(ociClients(config).signer);
    // The SDK creates an opossum breaker per client unless told not to; it is never released.
    expect((first.objectStorage as unknown as { _circuitBreaker: unknown })._circuitBreaker).toBeNull();
    expect((first.kmsVault as unknown as { _circuitBreaker: unknown })._circuitBreaker).toBeNull();
  });

  it('counts API calls per invocation even when invocations overlap on the shared clients', async () => {
    const a = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const b = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const list = (oci: typeof a) => oci.call('ListObjects', () => oci.objectStorage.listObjects({ namespaceName: 'ns', bucketName: 'b' }));
    await Promise.all([list(a), list(b), list(a), list(a), list(b)]);
    expect(Object.fromEntries(a.apiCalls)).toEqual({ ListObjects: 3 });
    expect(Object.fromEntries(b.apiCalls)).toEqual({ ListObjects: 2 });
  });
});

describe('the wire', () => {
  it("sends an object name with ' as %27 and the signature covers exactly that target", async () => {
    handler = (_req, res) => json(res, 200, {});
    const oci = createOci(config, { hardStopAt: Date.now() + 60_000 });
    await oci.call('ReencryptObject', () => oci.objectStorage.reencryptObject({
      namespaceName: 'ns', bucketName: 'b', objectName: "it's (1)*! o'clock/é", reencryptObjectDetails: { kmsKeyId: 'ocid1.key.oc1..k' },
    }));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/n/ns/b/b/actions/reencrypt/it%27s%20(1)*!%20o%27clock%2F%C3%A9');
    expect(seen[0]?.signatureValid).toBe(true);
    expect(JSON.parse(seen[0]?.body.toString() ?? '')).toEqual({ kmsKeyId: 'ocid1.key.oc1..k' });
  });

  it('encodes raw query values for the wire and signs them as sent', async () => {
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
    await client.listObjects({ namespaceName: 'ns', bucketName: 'b', prefix: "café/it's", start: 'a b' });
    expect(seen[0]?.url).toBe('/n/ns/b/b/o?prefix=caf%C3%A9/it%27s&start=a%20b');
    expect(seen[0]?.signatureValid).toBe(true);
  });

  it('announces each request on its own connections to diagnostics subscribers, start and finish, with the status', async () => {
    handler = (req, res) => json(res, req.url?.includes('missing') ? 404 : 200, { objects: [] });
    const events: string[] = [];
    const onStart = (m: unknown) => { const { method, target } = m as { method: string; target: string }; events.push(`start ${method} ${target}`); };
    const onFinish = (m: unknown) => {
      const { start, status } = m as { start: { method: string; target: string }; status?: number };
      events.push(`finish ${start.method} ${start.target} ${status}`);
    };
    wireRequestStart.subscribe(onStart);
    wireRequestFinish.subscribe(onFinish);
    try {
      const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
      await client.listObjects({ namespaceName: 'ns', bucketName: 'b', prefix: 'a b' });
      await expect(client.listObjects({ namespaceName: 'ns', bucketName: 'missing' })).rejects.toBeInstanceOf(OciError);
    } finally {
      wireRequestStart.unsubscribe(onStart);
      wireRequestFinish.unsubscribe(onFinish);
    }
    expect(events).toEqual([
      'start GET /n/ns/b/b/o?prefix=a%20b', 'finish GET /n/ns/b/b/o?prefix=a%20b 200',
      'start GET /n/ns/b/missing/o', 'finish GET /n/ns/b/missing/o 404',
    ]);
  });

  it('keeps one connection alive across sequential calls', async () => {
    const before = connectionCount;
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
    for (let i = 0; i < 20; i += 1) await client.listObjects({ namespaceName: 'ns', bucketName: 'b' });
    expect(seen).toHaveLength(20);
    expect(connectionCount - before).toBeLessThanOrEqual(1);
  });

  it('streams a body the signature excludes (PutObject) and sends it whole', async () => {
    handler = (_req, res) => json(res, 200, {});
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
    const parts = ['first part, ', 'second part, ', 'é end'];
    const bytes = Buffer.byteLength(parts.join(''));
    await client.putObject({ namespaceName: 'ns', bucketName: 'b', objectName: 'streamed', contentLength: bytes, putObjectBody: Readable.from(parts) });
    expect(seen[0]?.method).toBe('PUT');
    expect(seen[0]?.body.toString()).toBe(parts.join(''));
    expect(seen[0]?.signatureValid).toBe(true);
  });

  it('hands the SDK an error response it turns into OciError with status, code and request id', async () => {
    handler = (_req, res) => json(res, 404, { code: 'BucketNotFound', message: 'no such bucket' });
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
    const err = await client.getBucket({ namespaceName: 'ns', bucketName: 'gone' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciError);
    expect(err).toMatchObject({ statusCode: 404, serviceCode: 'BucketNotFound', opcRequestId: 'req-1' });
  });
});

describe("the SDK's retry configuration still drives retries", () => {
  it('the SDK\'s own MaxAttemptsTerminationStrategy(3) retries a 503 twice and succeeds on the third', async () => {
    let n = 0;
    handler = (_req, res) => (++n < 3 ? json(res, 503, { code: 'ServiceUnavailable', message: 'busy' }) : json(res, 200, { objects: [] }));
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(3), delayStrategy: new FixedTimeDelayStrategy(0) } });
    await client.listObjects({ namespaceName: 'ns', bucketName: 'b' });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.signatureValid)).toBe(true);
  });

  it('the SDK\'s MaxAttemptsTerminationStrategy(2) gives up after two and throws the last OciError', async () => {
    handler = (_req, res) => json(res, 503, { code: 'ServiceUnavailable', message: 'busy' });
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(2), delayStrategy: new FixedTimeDelayStrategy(0) } });
    const err = await client.listObjects({ namespaceName: 'ns', bucketName: 'b' }).catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(err).toMatchObject({ statusCode: 503, serviceCode: 'ServiceUnavailable' });
  });

  it('our deadline retry configuration: 429 with retry-after is recorded, retried, and counted per attempt', async () => {
    let n = 0;
    handler = (_req, res) => (++n < 2
      ? json(res, 429, { code: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '0' })
      : json(res, 200, { objects: [] }));
    const oci = createOci(config, { hardStopAt: Date.now() + 60_000 });
    await oci.call('ListObjects', () => oci.objectStorage.listObjects({ namespaceName: 'ns', bucketName: 'b' }));
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ListObjects: 2 });
  });

  it('records retry-after for the retry strategy', async () => {
    handler = (_req, res) => json(res, 429, { code: 'TooManyRequests', message: 'slow down' }, { 'retry-after': '7' });
    const client = sdkClientWith({ retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
    const state: CallState = { operation: 'ListObjects', hardStopAt: Date.now() + 60_000, maxAttempts: 1, apiCalls: new Map(), attempts: 0, outOfTime: false };
    await callContext.run(state, () => client.listObjects({ namespaceName: 'ns', bucketName: 'b' })).catch(() => undefined);
    expect(state.retryAfterMs).toBe(7000);
    expect(state.apiCalls.get('ListObjects')).toBe(1);
  });

  it('retries a refused connection as the SDK retries network errors, and reports its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refusedConfig = loadConfig({ ...configEnv(), REENCRYPT_OBJECTSTORAGE_ENDPOINT: `http://127.0.0.1:${port}` });
    const oci = createOci(refusedConfig, { hardStopAt: Date.now() + 60_000 });
    const err = await oci.call('GetNamespace', () => oci.objectStorage.getNamespace({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciCallError);
    expect((err as OciCallError).failure).toMatchObject({ serviceCode: 'ECONNREFUSED', outOfTime: false });
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ GetNamespace: 3 });
  });
});

describe('the tenancy namespace', () => {
  it('is looked up once per container: later invocations reuse it', async () => {
    handler = (_req, res) => json(res, 200, 'tenancy-ns');
    const before = seen.length;
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      // Each invocation builds its own Oci (per-call state) over the container's one set of clients.
      const oci = createOci(config, { hardStopAt: Date.now() + 60_000 });
      answers.push(await new ObjectStorage(oci).getNamespace());
    }
    expect(answers).toEqual(['tenancy-ns', 'tenancy-ns', 'tenancy-ns']);
    expect(seen.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /n']);
  });
});

describe('the hard stop', () => {
  it('abandons a call whose response does not come before the hard stop, and says it ran out of time', async () => {
    handler = () => undefined; // never answers
    const oci = createOci(config, { hardStopAt: Date.now() + 300 });
    const err = await oci.call('GetNamespace', () => oci.objectStorage.getNamespace({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OciCallError);
    expect((err as OciCallError).failure.outOfTime).toBe(true);
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ GetNamespace: 1 });
  });

  it('abandons every call of an invocation in flight at its one hard stop, and leaves no timer behind', async () => {
    handler = (req, res) => {
      if (req.url?.includes('answered')) answerJson(res);
    };
    const answerJson = (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('"tenancy-ns"');
    };
    // The hard stop's timer is a fake one, fired by the test once the answered calls are in: with a real
    // 500 ms timer, answering five signed calls took longer than that on a loaded machine, and they were
    // abandoned too. (Only setTimeout and clearTimeout are faked; sockets and Date are real.)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const oci = createOci(config, { hardStopAt: Date.now() + 500 });
    const storage = new ObjectStorage(oci);
    const stuck = Array.from({ length: 20 }, (_, i) => storage.reencryptObject({ namespace: 'ns', bucketName: 'b', objectName: `stuck-${i}` }).then(() => 'done', (e: unknown) => e));
    const answered = await Promise.all(Array.from({ length: 5 }, (_, i) => storage.reencryptObject({ namespace: 'ns', bucketName: 'b', objectName: `answered-${i}` })));
    expect(answered).toHaveLength(5);
    expect(hardStops.pending).toBe(1); // the stuck ones share one timer
    vi.advanceTimersByTime(500);
    vi.useRealTimers();
    for (const outcome of await Promise.all(stuck)) expect((outcome as OciCallError).failure.outOfTime).toBe(true);
    expect(Object.fromEntries(oci.apiCalls)).toEqual({ ReencryptObject: 25 });
    expect(hardStops.pending).toBe(0);
  });

  it('clears the shared timer once the last call waiting on it is answered', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('');
    };
    const oci = createOci(config, { hardStopAt: Date.now() + 60_000 });
    const storage = new ObjectStorage(oci);
    await Promise.all(Array.from({ length: 10 }, (_, i) => storage.reencryptObject({ namespace: 'ns', bucketName: 'b', objectName: `o-${i}` })));
    expect(hardStops.pending).toBe(0);
  });

  it('also covers a response whose body stops halfway', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"objects":[');
    };
    const oci = createOci(config, { hardStopAt: Date.now() + 300 });
    const err = await oci.call('ListObjects', () => oci.objectStorage.listObjects({ namespaceName: 'ns', bucketName: 'b' })).catch((e: unknown) => e);
    expect((err as OciCallError).failure.outOfTime).toBe(true);
  });
});

function configEnv(): Record<string, string> {
  return { REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: join(dir, 'config'), REENCRYPT_MAX_ATTEMPTS: '3' };
}
