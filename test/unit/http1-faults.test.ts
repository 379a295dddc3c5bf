/**
 * Our HTTP/1.1 connections (src/oci/http1-connections.ts) under the
 * connection faults a real front end produces, driven through what the
 * function really does with them: ReencryptObject through the SDK's retrier
 * (ObjectStorage → createOci → DirectCall → WireHttpClient), real signing.
 *
 * - the stale keep-alive race: the server closes (FIN or RST) a connection it
 *   kept idle just as we reuse it, so the request is written and no response
 *   byte ever comes;
 * - a connection closed or reset in the middle of a response;
 * - `Connection: close` on an answer;
 * - a server that stops reading (and never answers), one that trickles an answer;
 * - a reset during the TLS handshake, and one on a reused TLS connection.
 *
 * What must happen (what node:http's agent did too: it does not retry by
 * itself, the SDK's retrier retries every network error): the attempt fails
 * as a network error (ECONNRESET) the SDK's retrier retries on a NEW
 * connection (the broken one is destroyed, never reused), within
 * REENCRYPT_MAX_ATTEMPTS; with no attempts left the object's call fails as an
 * OciCallError naming the error; nothing hangs past the call's hard stop.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpRequest, RequestSigner } from 'oci-common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig, type Config } from '../../src/config';
import { createOci } from '../../src/oci/clients';
import { DirectCall } from '../../src/oci/direct-call';
import { WireHttpClient } from '../../src/oci/http-client';
import { Http1Connections } from '../../src/oci/http1-connections';
import { LightHeaders } from '../../src/oci/light-headers';
import { REENCRYPT_OBJECT } from '../../src/oci/reencrypt-request';
import { OciCallError } from '../../src/oci/errors';
import { ObjectStorage } from '../../src/oci/object-storage';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const tls = join(__dirname, '../fixtures/tls');
const cert = readFileSync(join(tls, 'localhost-cert.pem'));
const key = readFileSync(join(tls, 'localhost-key.pem'));
let dir: string;
const unsigned: RequestSigner = { signHttpRequest: async () => undefined };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'oci-reencrypt-faults-'));
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writeFileSync(join(dir, 'config'), `[DEFAULT]\nuser=ocid1.user.oc1..u\nfingerprint=00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff\ntenancy=ocid1.tenancy.oc1..t\nregion=us-phoenix-1\nkey_file=${join(dir, 'key.pem')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A configuration of its own per test: the container's clients (and their connections) are per configuration. */
function configFor(endpoint: string, maxAttempts: number): Config {
  return loadConfig({
    REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: join(dir, 'config'),
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: endpoint, REENCRYPT_MAX_ATTEMPTS: String(maxAttempts),
  });
}

/** One request as the raw server saw it: which connection, its index on that connection. */
interface RawRequest {
  readonly socket: Socket;
  /** 1-based, in order of acceptance. */
  readonly connection: number;
  /** 1-based, on this connection. */
  readonly onConnection: number;
  readonly head: string;
}

interface RawServer {
  readonly url: string;
  readonly requests: RawRequest[];
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections the client still holds open (not closed by either side). */
  open(): number;
  close(): Promise<void>;
}

const servers: RawServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\nopc-request-id: ok\r\n\r\n';

/**
 * A server that reads each request (head and Content-Length body) and lets
 * `answer` do anything with the socket: write bytes, end it, reset it, nothing.
 * `tlsFor(connection)` true: the connection is handed to an HTTPS server first.
 */
async function rawServer(answer: (r: RawRequest) => void, options: { tls?: (connection: number, socket: Socket) => 'tls' | 'reset' } = {}): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const serve = (socket: Socket, connection: number): void => {
    let buffered = Buffer.alloc(0);
    let onConnection = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.subarray(end + 4 + length);
        onConnection += 1;
        const request = { socket, connection, onConnection, head };
        requests.push(request);
        answer(request);
      }
    });
  };
  // TLS connections: the HTTPS server does the handshake; its request handler is unused (raw answers).
  const https = createHttpsServer({ cert, key });
  https.removeAllListeners('request');
  let secured = 0;
  https.on('secureConnection', (socket: Socket) => {
    secured += 1;
    socket.on('error', () => undefined);
    serve(socket, secured);
  });
  https.on('tlsClientError', () => undefined);
  const server: Server = createNetServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const mode = options.tls?.(accepted, socket);
    if (mode === undefined) serve(socket, accepted);
    // Read the ClientHello, then reset: the handshake fails half way.
    else if (mode === 'reset') socket.once('data', () => socket.resetAndDestroy());
    else https.emit('connection', socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const running: RawServer = {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  servers.push(running);
  return running;
}

const target = (objectName: string) => ({ namespace: 'ns', bucketName: 'b', objectName });

async function reencrypt(config: Config, objectName: string, hardStopInMs = 60_000) {
  const oci = createOci(config, { hardStopAt: Date.now() + hardStopInMs });
  const outcome = await new ObjectStorage(oci).reencryptObject(target(objectName)).then((ok) => ({ ok, err: undefined }), (err: unknown) => ({ ok: undefined, err }));
  return { ...outcome, attempts: oci.apiCalls.get('ReencryptObject') ?? 0 };
}

/** Polls, by turns of the event loop (a generous bound only stops a hang), until `done`. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the stale keep-alive race: the server closes the idle connection as the next request arrives', () => {
  for (const close of ['FIN', 'RST'] as const) {
    it(`${close}, no response byte: retried on a new connection, the closed one never used again`, async () => {
      // The first connection's second request is the one that meets the close.
      const s = await rawServer((r) => {
        if (r.connection > 1 || r.onConnection === 1) r.socket.write(OK);
        else if (close === 'FIN') r.socket.end();
        else r.socket.resetAndDestroy();
      });
      const config = configFor(s.url, 3);
      expect((await reencrypt(config, 'first')).ok).toEqual({ opcRequestId: 'ok' });
      const second = await reencrypt(config, 'second');
      expect(second.ok).toEqual({ opcRequestId: 'ok' });
      // Written on the kept connection (refused there), then again on a new one.
      expect(s.requests.map((r) => `${r.connection}.${r.onConnection}`)).toEqual(['1.1', '1.2', '2.1']);
      expect(second.attempts).toBe(2);
      await until(() => s.open() === 1);
      expect(s.open()).toBe(1);
      // The next call reuses the new connection, not the broken one.
      expect((await reencrypt(config, 'third')).ok).toEqual({ opcRequestId: 'ok' });
      expect(s.requests.at(-1)).toMatchObject({ connection: 2, onConnection: 2 });
    });
  }

  it('with no attempts left, the object fails with ECONNRESET as an OciCallError (reported, not dropped, not hung)', async () => {
    const s = await rawServer((r) => {
      if (r.onConnection === 1) r.socket.write(OK);
      else r.socket.end();
    });
    const config = configFor(s.url, 1);
    await reencrypt(config, 'first');
    const { err, attempts } = await reencrypt(config, 'second');
    expect(err).toBeInstanceOf(OciCallError);
    expect((err as OciCallError).failure).toMatchObject({ serviceCode: 'ECONNRESET', outOfTime: false });
    expect(attempts).toBe(1);
  });
});

describe('a connection closed in the middle of a response', () => {
  for (const close of ['FIN', 'RST'] as const) {
    it(`${close} after part of the head or the body: retried on a new connection`, async () => {
      const partial = ['HTTP/1.1 200 OK\r\nContent-Le', 'HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n{"only":'];
      const s = await rawServer((r) => {
        const cut = partial[r.connection - 1];
        if (cut === undefined) {
          r.socket.write(OK);
          return;
        }
        r.socket.write(cut);
        setTimeout(() => (close === 'FIN' ? r.socket.end() : r.socket.resetAndDestroy()), 20);
      });
      const { ok, attempts } = await reencrypt(configFor(s.url, 4), 'cut');
      expect(ok).toEqual({ opcRequestId: 'ok' });
      expect(attempts).toBe(3);
      expect(s.requests.map((r) => `${r.connection}.${r.onConnection}`)).toEqual(['1.1', '2.1', '3.1']);
    });
  }
});

describe('Connection: close', () => {
  it('the connection is closed by us after the answer and the next call opens a new one', async () => {
    const s = await rawServer((r) => r.socket.write(OK.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n')));
    const config = configFor(s.url, 1);
    for (const name of ['a', 'b', 'c']) expect((await reencrypt(config, name)).ok).toEqual({ opcRequestId: 'ok' });
    expect(s.accepted()).toBe(3);
    // Each was destroyed by the client although the server never closed it.
    await until(() => s.open() === 0);
    expect(s.open()).toBe(0);
  });
});

describe('a server that does not answer', () => {
  it('one that reads the request and never answers: the attempt ends at the hard stop, out of time, and its connection is destroyed', async () => {
    const s = await rawServer(() => undefined);
    const config = configFor(s.url, 4);
    const { err, attempts } = await reencrypt(config, 'silent', 800);
    expect((err as OciCallError).failure).toMatchObject({ outOfTime: true });
    expect(attempts).toBe(1);
    await until(() => s.open() === 0);
    expect(s.open()).toBe(0);
  });

  it('one that stops reading in the middle of a large body: the write never completes, the attempt ends at the hard stop, its connection destroyed', async () => {
    let open = 0;
    let accepted = 0;
    const paused = new Set<Socket>();
    const server = createNetServer((socket) => {
      accepted += 1;
      open += 1;
      paused.add(socket);
      socket.pause(); // reads nothing: our write fills the socket buffers and waits
      socket.on('close', () => (open -= 1));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ url: '', requests: [], accepted: () => accepted, open: () => open, close: () => new Promise<void>((resolve) => {
      for (const socket of paused) socket.destroy();
      server.close(() => resolve());
    }) });
    const call = new DirectCall('PutObject', Date.now() + 800, 4, new Map(), new WireHttpClient(unsigned));
    const request = {
      method: 'PUT', uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/n/ns/b/b/o/big`,
      headers: new LightHeaders({ 'content-type': 'application/octet-stream' }), body: Buffer.alloc(16 * 1024 * 1024, 0x61),
    };
    const err = await call.exchange(request as unknown as HttpRequest, REENCRYPT_OBJECT).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'ETIMEDOUT' });
    expect(call.outOfTime).toBe(true);
    expect(call.apiCalls.get('PutObject')).toBe(1);
    expect(accepted).toBeLessThanOrEqual(1);
    // Our close waits in the kernel behind the bytes the server never read: reading them, it sees the close.
    for (const socket of paused) socket.resume();
    await until(() => open === 0);
    expect(open).toBe(0);
  });

  it('one that trickles its answer: the attempt still ends at the hard stop, its connection destroyed', async () => {
    const s = await rawServer((r) => {
      r.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      const timer = setInterval(() => (r.socket.destroyed ? clearInterval(timer) : r.socket.write('x')), 50);
    });
    const { err } = await reencrypt(configFor(s.url, 4), 'slow', 800);
    expect((err as OciCallError).failure).toMatchObject({ outOfTime: true });
    await until(() => s.open() === 0);
    expect(s.open()).toBe(0);
  });
});

describe('TLS', () => {
  /** ReencryptObject through the SDK's retrier on connections that trust the test CA (createOci's use Node's CAs). */
  async function overTls(url: string, maxAttempts: number) {
    const call = new DirectCall('ReencryptObject', Date.now() + 60_000, maxAttempts, new Map(), new WireHttpClient(unsigned, undefined, new Http1Connections({ ca: cert })));
    const request = { method: 'POST', uri: `${url}/n/ns/b/b/actions/reencrypt/o`, headers: new LightHeaders({ 'content-type': 'application/json' }), body: '' };
    const ok = await call.exchange(request as unknown as HttpRequest, REENCRYPT_OBJECT).then((r) => r.status, (err: unknown) => err);
    return { ok, attempts: call.apiCalls.get('ReencryptObject') ?? 0 };
  }

  it('a reset during the handshake is retried on a new connection', async () => {
    const s = await rawServer((r) => r.socket.write(OK), { tls: (n) => (n === 1 ? 'reset' : 'tls') });
    const { ok, attempts } = await overTls(s.url, 3);
    expect(ok).toBe(200);
    expect(attempts).toBe(2);
    expect(s.accepted()).toBe(2);
  });

  it('a reset on a reused TLS connection, before any response byte, is retried on a new one', async () => {
    const s = await rawServer((r) => (r.onConnection === 1 ? r.socket.write(OK) : r.socket.destroy()), { tls: () => 'tls' });
    const connections = new Http1Connections({ ca: cert });
    const client = new WireHttpClient(unsigned, undefined, connections);
    const send = async () => {
      const call = new DirectCall('ReencryptObject', Date.now() + 60_000, 3, new Map(), client);
      const request = { method: 'POST', uri: `${s.url}/n/ns/b/b/actions/reencrypt/o`, headers: new LightHeaders({ 'content-type': 'application/json' }), body: '' };
      const status = await call.exchange(request as unknown as HttpRequest, REENCRYPT_OBJECT).then((r) => r.status);
      return { status, attempts: call.apiCalls.get('ReencryptObject') };
    };
    expect(await send()).toEqual({ status: 200, attempts: 1 });
    expect(await send()).toEqual({ status: 200, attempts: 2 });
    expect(s.requests.map((r) => `${r.connection}.${r.onConnection}`)).toEqual(['1.1', '1.2', '2.1']);
  });
});

describe('idle connections under steady traffic', () => {
  afterEach(() => vi.useRealTimers());

  it('a connection left idle past its limit below the one in use is closed, not kept open while the top one carries the traffic', async () => {
    // The server never closes a connection itself. It answers the first three together once all three
    // are in (three connections at once), asking for at most 2 s idle after them (our limit: 1 s); after
    // the later answers it allows 30 s. The idle limits are read on Date, which stands still here and
    // is moved by hand: how long this machine takes between two calls changes nothing (with real time,
    // a stall of a second between the burst and the first steady call expired all three).
    const burst = OK.replace('\r\n\r\n', '\r\nKeep-Alive: timeout=2\r\n\r\n');
    const steady = OK.replace('\r\n\r\n', '\r\nKeep-Alive: timeout=30\r\n\r\n');
    const held: RawRequest[] = [];
    const s = await rawServer((r) => {
      if (s.requests.length > 3) {
        r.socket.write(steady);
        return;
      }
      held.push(r);
      if (held.length === 3) for (const h of held) h.socket.write(burst);
    });
    const config = configFor(s.url, 1);
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    // A burst of three at once: three connections, idle afterwards.
    await Promise.all(['a', 'b', 'c'].map((name) => reencrypt(config, name)));
    expect(s.accepted()).toBe(3);
    // Then one call at a time, a quarter of a second apart, for well past the burst's idle limit:
    // the most recently used connection carries them.
    for (let i = 0; i < 8; i++) {
      vi.setSystemTime(t0 + i * 250);
      expect((await reencrypt(config, `steady-${i}`)).ok).toEqual({ opcRequestId: 'ok' });
    }
    await until(() => s.open() === 1);
    expect(s.accepted()).toBe(3);
    expect(s.open()).toBe(1);
  });
});

describe('a hard stop further away than a timer holds', () => {
  it('40 days away (the CLI with --max-duration 3456000): the call is answered, not abandoned at once as out of time', async () => {
    const s = await rawServer((r) => setTimeout(() => r.socket.write(OK), 50));
    const call = new DirectCall('ReencryptObject', Date.now() + 40 * 24 * 3600 * 1000, 1, new Map(), new WireHttpClient(unsigned));
    const request = { method: 'POST', uri: `${s.url}/n/ns/b/b/actions/reencrypt/o`, headers: new LightHeaders({ 'content-type': 'application/json' }), body: '' };
    const status = await call.exchange(request as unknown as HttpRequest, REENCRYPT_OBJECT).then((r) => r.status, (err: unknown) => err);
    expect(status).toBe(200);
    expect(call.outOfTime).toBe(false);
  });
});
