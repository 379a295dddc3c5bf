import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { HttpRequest, RequestSigner } from 'oci-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WireHttpClient } from '../../src/oci/http-client';

/**
 * The HTTP client hands Node its request headers as a raw list, which Node
 * writes as given: what Node used to add to a header object (Host, the
 * Content-Length of a body in hand) the client must add itself.
 */
interface Received { method: string; url: string; rawHeaders: string[]; body: string }

let server: Server;
let endpoint: string;
const received: Received[] = [];
const unsigned: RequestSigner = { signHttpRequest: async () => undefined };

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function send(request: { method: string; path: string; headers: Record<string, string>; body?: unknown }, forceExcludeBody = false): Promise<Received> {
  const client = new WireHttpClient(unsigned);
  const response = await client.send({ method: request.method, uri: `${endpoint}${request.path}`, headers: new Headers(request.headers), body: request.body } as HttpRequest, forceExcludeBody);
  expect(response.status).toBe(200);
  const last = received.at(-1);
  if (!last) throw new Error('nothing received');
  return last;
}

/** Header names (lowercased) and values as they arrived, in order. */
const pairs = (raw: string[]): [string, string][] => raw.flatMap((v, i) => (i % 2 === 0 ? [[v.toLowerCase(), raw[i + 1] as string] as [string, string]] : []));
const header = (r: Received, name: string) => pairs(r.rawHeaders).filter(([n]) => n === name).map(([, v]) => v);

describe('request headers on the wire', () => {
  it('are sent in the order Headers iterates them, each once, host included', async () => {
    const r = await send({ method: 'GET', path: '/n/ns/b/x/o?limit=1', headers: { 'x-date': 'Tue, 10 Mar 2026 12:00:00 GMT', host: 'example.test', accept: 'application/json', 'opc-request-id': 'R1' } });
    const names = pairs(r.rawHeaders).map(([n]) => n);
    expect(names.filter((n) => n !== 'connection')).toEqual(['accept', 'host', 'opc-request-id', 'x-date']);
    expect(header(r, 'host')).toEqual(['example.test']);
    expect(header(r, 'connection')).toEqual(['keep-alive']);
    expect(header(r, 'content-length')).toEqual([]);
    expect(header(r, 'transfer-encoding')).toEqual([]);
  });

  it('a request without host gets the URL\'s host and port, as Node adds it', async () => {
    const r = await send({ method: 'GET', path: '/n', headers: { accept: 'application/json' } });
    expect(header(r, 'host')).toEqual([endpoint.slice('http://'.length)]);
  });

  it('a body in hand without content-length gets its byte length (not chunked)', async () => {
    const text = '{"name":"é日本🙂"}';
    const r = await send({ method: 'POST', path: '/n/ns/b/x/actions/reencrypt/o', headers: { 'content-type': 'application/json' }, body: text });
    expect(header(r, 'content-length')).toEqual([String(Buffer.byteLength(text))]);
    expect(header(r, 'transfer-encoding')).toEqual([]);
    expect(r.body).toBe(text);
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const b = await send({ method: 'PUT', path: '/n/ns/b/x/o/bin', headers: {}, body: bytes });
    expect(header(b, 'content-length')).toEqual(['4']);
  });

  it('a given content-length is kept, not repeated', async () => {
    const r = await send({ method: 'PUT', path: '/n/ns/b/x/o/t', headers: { 'content-length': '5' }, body: 'hello' });
    expect(header(r, 'content-length')).toEqual(['5']);
    expect(r.body).toBe('hello');
  });

  it('a stream the signature excludes is piped (chunked without a length), one the signature covers is read first', async () => {
    const piped = await send({ method: 'PUT', path: '/n/ns/b/x/o/s', headers: {}, body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]) }, true);
    expect(header(piped, 'transfer-encoding')).toEqual(['chunked']);
    expect(piped.body).toBe('abcd');
    const read = await send({ method: 'POST', path: '/n/ns/b/x/o/s', headers: {}, body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]) });
    expect(header(read, 'content-length')).toEqual(['4']);
    expect(read.body).toBe('abcd');
  });

  it('header injection is refused before anything is sent', async () => {
    const count = received.length;
    const client = new WireHttpClient(unsigned);
    // Headers refuses CR/LF itself; a header source that does not must still be refused by Node's checks on the raw list.
    const sneaky = { forEach: (cb: (v: string, n: string) => void) => cb('x\r\nx-injected: 1', 'x-a') } as unknown as Headers;
    await expect(client.send({ method: 'GET', uri: `${endpoint}/n`, headers: sneaky } as HttpRequest)).rejects.toThrow();
    expect(received.length).toBe(count);
  });
});
