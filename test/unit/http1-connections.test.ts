import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { HttpRequest, RequestSigner } from 'oci-common';
import { afterEach, describe, expect, it } from 'vitest';
import { requestHead, WireHttpClient } from '../../src/oci/http-client';
import { Http1Connections, idleLimitMs } from '../../src/oci/http1-connections';
import { LightHeaders } from '../../src/oci/light-headers';
import { toWireUrl } from '../../src/oci/request-target';

/**
 * WireHttpClient's own HTTP/1.1 connections (bodies in hand) against real
 * servers: keep-alive reuse and its ends, each framing of a response body,
 * malformed answers, TLS verified against the CAs it is given.
 */
const fixtures = join(__dirname, '../fixtures/tls');
const cert = readFileSync(join(fixtures, 'localhost-cert.pem'));
const key = readFileSync(join(fixtures, 'localhost-key.pem'));
const unsigned: RequestSigner = { signHttpRequest: async () => undefined };

interface Running {
  url: string;
  /** Connections accepted so far; open now. */
  connections: () => number;
  open: () => number;
  /** TLS connections that resumed an earlier session. */
  resumed: () => number;
  requests: string[];
  dropConnections(): void;
  close(): Promise<void>;
}
const running: Running[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function listen(server: Server | NetServer, scheme: 'http' | 'https'): Promise<Running> {
  let connections = 0;
  const sockets = new Set<Socket>();
  let resumed = 0;
  server.on(scheme === 'https' ? 'secureConnection' : 'connection', (socket: Socket & { isSessionReused?: () => boolean }) => {
    connections += 1;
    if (socket.isSessionReused?.()) resumed += 1;
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const r: Running = {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    open: () => sockets.size,
    resumed: () => resumed,
    requests: [],
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  running.push(r);
  return r;
}

function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void, scheme: 'http' | 'https' = 'http', keepAliveTimeoutMs = 600_000): Promise<Running> {
  let r: Running | undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    r?.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => handler(req, res));
  };
  const server = scheme === 'https' ? createHttpsServer({ cert, key }, onRequest) : createHttpServer(onRequest);
  server.keepAliveTimeout = keepAliveTimeoutMs;
  return listen(server, scheme).then((x) => (r = x));
}

/** A server that answers each request's head with `answer` as raw bytes, then does `after`. */
function rawServer(answer: string, after: 'keep' | 'end' = 'keep'): Promise<Running> {
  const server = createNetServer((socket) => {
    let seen = '';
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      if (!seen.includes('\r\n\r\n')) return;
      seen = '';
      socket.write(answer, 'latin1');
      if (after === 'end') socket.end();
    });
    socket.on('error', () => undefined);
  });
  return listen(server, 'http');
}

async function send(client: WireHttpClient, url: string, method = 'POST', body: string | undefined = '{}'): Promise<{ status: number; text: string; headers: Map<string, string> }> {
  const response = await client.send({ method, uri: url, headers: new LightHeaders({ 'content-type': 'application/json' }), body } as unknown as HttpRequest);
  const headers = new Map<string, string>();
  response.headers.forEach((v, k) => headers.set(k, v));
  return { status: response.status, text: await response.text(), headers };
}

describe('keep-alive connections', () => {
  it('one connection carries sequential calls; Connection: close ends it and the next call opens another', async () => {
    let closeNext = false;
    const s = await httpServer((req, res) => {
      if (closeNext) res.setHeader('connection', 'close');
      res.end(`${req.method} ${req.url}`);
    });
    const client = new WireHttpClient(unsigned);
    for (let i = 0; i < 3; i++) expect((await send(client, `${s.url}/a/${i}`)).text).toBe(`POST /a/${i}`);
    expect(s.connections()).toBe(1);
    closeNext = true;
    await send(client, `${s.url}/b`);
    closeNext = false;
    expect((await send(client, `${s.url}/c`)).text).toBe('POST /c');
    expect(s.connections()).toBe(2);
  });

  it('a connection the server closed while idle is dropped; the next call opens another', async () => {
    const s = await httpServer((_req, res) => res.end('ok'));
    const client = new WireHttpClient(unsigned);
    await send(client, `${s.url}/1`);
    s.dropConnections();
    // Wait (by turns of the event loop, bounded generously) until the client has seen the close.
    for (let i = 0; i < 500 && s.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await send(client, `${s.url}/2`)).text).toBe('ok');
    expect(s.connections()).toBe(2);
  });

  it('an idle connection the server talks on unasked is dropped, and the next call opens another', async () => {
    let count = 0;
    let extraWritten = false;
    const server = createNetServer((socket) => {
      count += 1;
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra', () => { extraWritten = true; }), 20);
        socket.on('data', () => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nwrong'));
      });
    });
    const s = await listen(server, 'http');
    const client = new WireHttpClient(unsigned);
    expect((await send(client, `${s.url}/1`)).text).toBe('ok');
    // Wait (by turns of the event loop, bounded generously, no clock) until the unasked bytes are
    // out and the client has closed the connection they came on: under load 200 ms was not always enough.
    for (let i = 0; i < 1000 && (!extraWritten || s.open() > 0); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await send(client, `${s.url}/2`)).text).toBe('ok');
    expect(count).toBe(2);
  });
});

describe('idle limits', () => {
  it('30 s, or a second less than the server\'s Keep-Alive timeout', () => {
    expect(idleLimitMs(undefined)).toBe(30_000);
    expect(idleLimitMs('timeout=5')).toBe(4000);
    expect(idleLimitMs('timeout=5, max=1000')).toBe(4000);
    expect(idleLimitMs('max=10, timeout=120')).toBe(30_000);
    expect(idleLimitMs('timeout=1')).toBe(0);
    expect(idleLimitMs('max=3')).toBe(30_000);
  });

  it('a connection idle past its limit is not used again, though the server keeps it open', async () => {
    const s = await httpServer((_req, res) => {
      res.setHeader('keep-alive', 'timeout=2');
      res.end('ok');
    });
    const client = new WireHttpClient(unsigned);
    await send(client, `${s.url}/1`);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await send(client, `${s.url}/2`);
    expect(s.connections()).toBe(2);
  });

  it('a server that closes idle connections within a second gets a new one per call', async () => {
    const s = await httpServer((_req, res) => {
      res.setHeader('keep-alive', 'timeout=1');
      res.end('ok');
    });
    const client = new WireHttpClient(unsigned);
    await send(client, `${s.url}/1`);
    await send(client, `${s.url}/2`);
    expect(s.connections()).toBe(2);
  });
});

describe('response bodies', () => {
  it('reads a chunked body whole and keeps the connection', async () => {
    const s = await httpServer((_req, res) => {
      res.write('{"items":[');
      res.write('1,2');
      res.end(']}');
    });
    const client = new WireHttpClient(unsigned);
    const r = await send(client, `${s.url}/l`, 'GET', undefined);
    expect(r.text).toBe('{"items":[1,2]}');
    expect(r.headers.get('transfer-encoding')).toBe('chunked');
    await send(client, `${s.url}/l`, 'GET', undefined);
    expect(s.connections()).toBe(1);
  });

  it('a HEAD response ends at its head whatever its Content-Length, and the connection carries the next call', async () => {
    const s = await httpServer((_req, res) => {
      res.setHeader('content-length', '1234');
      res.end();
    });
    const client = new WireHttpClient(unsigned);
    const r = await send(client, `${s.url}/o`, 'HEAD', undefined);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe('1234');
    expect(r.text).toBe('');
    await send(client, `${s.url}/o`, 'HEAD', undefined);
    expect(s.connections()).toBe(1);
  });

  it('a body without a length is read to the close', async () => {
    const s = await rawServer('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end', 'end');
    const r = await send(new WireHttpClient(unsigned), `${s.url}/x`);
    expect(r.text).toBe('to the end');
  });

  it('a response cut short rejects with ECONNRESET; a malformed one with HPE_INVALID_RESPONSE (both network errors to the SDK)', async () => {
    const short = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly', 'end');
    await expect(send(new WireHttpClient(unsigned), `${short.url}/x`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const bad = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    await expect(send(new WireHttpClient(unsigned), `${bad.url}/x`)).rejects.toMatchObject({ code: 'HPE_INVALID_RESPONSE' });
  });

  it('a refused connection rejects with ECONNREFUSED', async () => {
    const s = await httpServer((_req, res) => res.end());
    const url = s.url;
    await s.close();
    running.pop();
    await expect(send(new WireHttpClient(unsigned), `${url}/x`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('request heads', () => {
  const url = toWireUrl('http://example.test:8080/n/ns/b/x/o/a%2Fb?versionId=v1');
  const headersOf = (pairs: [string, string][]): Headers => ({
    forEach: (cb: (value: string, name: string) => void) => { for (const [n, v] of pairs) cb(v, n); },
  }) as unknown as Headers;

  it('is the request line, the headers in order, host and content-length when missing, keep-alive', () => {
    expect(requestHead('POST', url, new LightHeaders({ 'x-date': 'd', accept: 'application/json' }), 'é')).toBe(
      'POST /n/ns/b/x/o/a%2Fb?versionId=v1 HTTP/1.1\r\naccept: application/json\r\nx-date: d\r\nhost: example.test:8080\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n');
  });

  it('a POST, PUT or PATCH without a body says its content is empty; GET, HEAD and DELETE say nothing', () => {
    for (const method of ['POST', 'PUT', 'PATCH']) expect(requestHead(method, url, new LightHeaders(), undefined)).toContain('\r\ncontent-length: 0\r\n');
    for (const method of ['GET', 'HEAD', 'DELETE']) expect(requestHead(method, url, new LightHeaders(), undefined)).not.toContain('content-length');
  });

  it('refuses a header value with CR, LF or NUL and a bad name or method before anything is sent', () => {
    expect(() => requestHead('GET', url, headersOf([['x-a', 'v\r\nx-injected: 1']]), undefined)).toThrow(TypeError);
    expect(() => requestHead('GET', url, headersOf([['x-a', 'v\0']]), undefined)).toThrow(TypeError);
    expect(() => requestHead('GET', url, headersOf([['x a', 'v']]), undefined)).toThrow(TypeError);
    expect(() => requestHead('GET /x HTTP/1.1\r\n', url, headersOf([]), undefined)).toThrow(TypeError);
  });

  it('refuses what node:http refuses in a value even when the bundle\'s Headers took it (fetch allows other control characters)', () => {
    for (const value of ['a\x01b', 'a\x7fb', '\x1b[31m']) {
      const headers = new LightHeaders();
      headers.set('x-a', value); // fetch's rule: only NUL, CR, LF and characters above U+00FF are refused
      expect(() => requestHead('GET', url, headers, undefined)).toThrow(TypeError);
      headers.set('x-a', 'fine\tvalue é');
      expect(requestHead('GET', url, headers, undefined)).toContain('\r\nx-a: fine\tvalue é\r\n');
      headers.append('x-a', value);
      expect(() => requestHead('GET', url, headers, undefined)).toThrow(TypeError);
    }
  });

  it('leaves transfer-encoding, expect and connection to node:http (undefined)', () => {
    for (const name of ['transfer-encoding', 'expect', 'connection']) expect(requestHead('PUT', url, headersOf([[name, 'x']]), 'b')).toBeUndefined();
  });
});

describe('TLS', () => {
  it('verifies the server against the CAs it trusts, keeps the connection, and resumes sessions', async () => {
    const s = await httpServer((req, res) => res.end(`${req.method} ${req.url}`), 'https');
    const client = new WireHttpClient(unsigned, undefined, new Http1Connections({ ca: cert }));
    for (let i = 0; i < 3; i++) expect((await send(client, `${s.url}/t/${i}`)).text).toBe(`POST /t/${i}`);
    expect(s.connections()).toBe(1);
    s.dropConnections();
    for (let i = 0; i < 500 && s.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await send(client, `${s.url}/t/again`)).text).toBe('POST /t/again');
    expect(s.connections()).toBe(2);
    expect(s.resumed()).toBe(1);
  });

  it('refuses a server whose certificate it cannot verify (Node\'s CAs by default), before sending anything', async () => {
    const s = await httpServer((_req, res) => res.end('no'), 'https');
    const error = await send(new WireHttpClient(unsigned), `${s.url}/t`).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/CERT|SELF_SIGNED/) });
    expect(s.requests).toEqual([]);
  });

  it('checks the host name against the certificate', async () => {
    const s = await httpServer((_req, res) => res.end('no'), 'https');
    const error = await send(new WireHttpClient(unsigned, undefined, new Http1Connections({ ca: cert })), s.url.replace('127.0.0.1', '127.0.0.2') + '/t')
      .then(() => undefined, (e: unknown) => e);
    // 127.0.0.2 reaches the same server on Linux; the certificate names only localhost and 127.0.0.1.
    expect(error).toMatchObject({ code: expect.stringMatching(/ERR_TLS_CERT_ALTNAME_INVALID|ECONNREFUSED/) });
    expect(s.requests).toEqual([]);
  });
});

describe('idle connections', () => {
  it('do not keep a process alive', { timeout: 90_000 }, async () => {
    // The server keeps the connection open longer than the child may live: only the client can let the child end.
    const s = await httpServer((_req, res) => res.end('ok'));
    const script = `
      const { WireHttpClient } = require(${JSON.stringify(join(__dirname, '../../src/oci/http-client.ts'))});
      const { LightHeaders } = require(${JSON.stringify(join(__dirname, '../../src/oci/light-headers.ts'))});
      const client = new WireHttpClient({ signHttpRequest: async () => undefined });
      client.send({ method: 'GET', uri: ${JSON.stringify(`${s.url}/x`)}, headers: new LightHeaders() })
        .then((r) => r.text()).then((t) => console.log('got ' + t));`;
    // Counted, not timed: the child must end by itself (a generous limit only stops a hang).
    const child = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const p = execFile(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000, cwd: join(__dirname, '../..') },
        (_err, stdout) => resolve({ code: p.exitCode, stdout }));
    });
    expect(child.stdout).toContain('got ok');
    expect(child.code).toBe(0);
    expect(s.connections()).toBe(1);
  });
});
