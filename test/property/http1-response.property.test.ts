/**
 * ResponseParser reads any well-formed HTTP/1.1 response the same way however
 * the connection splits its bytes: status, headers (repeated fields joined
 * with ", "), the body under each framing (Content-Length, chunked with
 * extensions and trailers, read to the close, none), interim 1xx responses
 * skipped, and whether the connection may carry the next request.
 * FC_RUNS / FC_SEED as in test/README.md.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Http1ProtocolError, ResponseParser } from '../../src/oci/http1-response';
import { fcParams } from '../support/fast-check';

type Framing = 'length' | 'chunked' | 'close' | 'none';

interface Case {
  status: number;
  reason: string;
  headers: [string, string][];
  body: Buffer;
  framing: Framing;
  chunkSizes: number[];
  extensions: boolean;
  trailers: [string, string][];
  interim: number;
  closeHeader: boolean;
  http10: boolean;
  cuts: number[];
}

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&\'*+-.^_`|~'.split(''));
// Framing headers are chosen by the case, not at random.
const reserved = new Set(['content-length', 'transfer-encoding', 'connection']);
const headerName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 }).filter((n) => !reserved.has(n.toLowerCase()));
const valueChar = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
/** Values as a sender writes them: no edge whitespace (a parser trims it). */
const headerValue = fc.string({ unit: fc.oneof(valueChar, fc.constant('\t')), maxLength: 40 }).map((v) => v.replace(/^[\t ]+|[\t ]+$/g, ''));

const caseArb: fc.Arbitrary<Case> = fc.record({
  status: fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(204, 304)),
  reason: fc.string({ unit: valueChar, maxLength: 20 }),
  headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
  body: fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b)),
  framing: fc.constantFrom<Framing>('length', 'chunked', 'close', 'none'),
  chunkSizes: fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }),
  extensions: fc.boolean(),
  trailers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 2 }),
  interim: fc.integer({ min: 0, max: 2 }),
  closeHeader: fc.boolean(),
  http10: fc.boolean(),
  cuts: fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 12 }),
});

/** What the parser should report of a case. */
function expected(c: Case): { body: Buffer; headers: Record<string, string>; reusable: boolean } {
  const noBody = c.status === 204 || c.status === 304;
  const headers: Record<string, string> = {};
  for (const [name, value] of framingHeaders(c).concat(c.headers)) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
  }
  // A body read to the close ends the connection; otherwise HTTP/1.1 keeps it unless told to close.
  const toClose = !noBody && (c.framing === 'close' || c.framing === 'none');
  return {
    body: noBody || c.framing === 'none' ? Buffer.alloc(0) : c.body,
    headers,
    reusable: !toClose && !c.http10 && !c.closeHeader,
  };
}

function framingHeaders(c: Case): [string, string][] {
  const h: [string, string][] = [];
  if (c.closeHeader) h.push(['Connection', 'close']);
  if (c.status === 204 || c.status === 304) return h;
  if (c.framing === 'length') h.push(['Content-Length', String(c.body.length)]);
  if (c.framing === 'chunked') h.push(['Transfer-Encoding', 'chunked']);
  return h;
}

function wire(c: Case): Buffer {
  const parts: Buffer[] = [];
  const version = c.http10 ? 'HTTP/1.0' : 'HTTP/1.1';
  for (let i = 0; i < c.interim; i++) parts.push(Buffer.from(`${version} 100 Continue\r\n\r\n`, 'latin1'));
  const lines = [`${version} ${c.status} ${c.reason}`, ...framingHeaders(c).concat(c.headers).map(([n, v]) => `${n}: ${v}`)];
  parts.push(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'));
  const noBody = c.status === 204 || c.status === 304;
  if (!noBody && (c.framing === 'length' || c.framing === 'close')) parts.push(c.body);
  if (!noBody && c.framing === 'chunked') {
    let at = 0;
    for (let i = 0; at < c.body.length; i++) {
      const size = Math.min(c.chunkSizes[i % c.chunkSizes.length] as number, c.body.length - at);
      parts.push(Buffer.from(`${size.toString(16)}${c.extensions ? ';name="v"' : ''}\r\n`, 'latin1'), c.body.subarray(at, at + size), Buffer.from('\r\n'));
      at += size;
    }
    parts.push(Buffer.from(`0\r\n${c.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`, 'latin1'));
  }
  return Buffer.concat(parts);
}

/** The bytes cut at the given offsets (as a connection may deliver them). */
function pieces(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of at) {
    if (cut > from) out.push(bytes.subarray(from, cut));
    from = Math.max(from, cut);
  }
  out.push(bytes.subarray(from));
  return out.filter((p) => p.length > 0);
}

/**
 * A connection's reads: every piece lands in one buffer that the next read
 * overwrites, followed by bytes that are not this response's (`feed` reads
 * up to `end` only). After each feed the buffer is scribbled over, so a
 * parser that kept a reference instead of a copy reads garbage.
 */
const reused = Buffer.alloc(16384);
const NOT_OURS = Buffer.from('\r\n\r\n0\r\n\r\nHTTP/1.1 500 X\r\n\r\n', 'latin1');
function feedReused(parser: ResponseParser, piece: Buffer): boolean {
  for (let i = 0; i < reused.length; i += NOT_OURS.length) NOT_OURS.copy(reused, i);
  expect(piece.length).toBeLessThanOrEqual(reused.length);
  piece.copy(reused);
  const done = parser.feed(reused, piece.length);
  reused.fill(0x41);
  return done;
}

describe('ResponseParser', () => {
  it('reads every well-formed response alike, however its bytes are split', () => {
    fc.assert(fc.property(caseArb, fc.boolean(), (c, reuse) => {
      const bytes = wire(c);
      const parser = new ResponseParser(false);
      let done = false;
      for (const piece of pieces(bytes, c.cuts)) {
        expect(done).toBe(false); // nothing completes before its last byte
        done = reuse ? feedReused(parser, piece) : parser.feed(piece);
      }
      const want = expected(c);
      const noBody = c.status === 204 || c.status === 304;
      if (!noBody && (c.framing === 'close' || c.framing === 'none')) {
        expect(done).toBe(false); // only the close ends it
        expect(parser.end()).toBe(true);
      } else {
        expect(done).toBe(true);
      }
      expect(parser.status).toBe(c.status);
      expect(parser.statusText).toBe(c.reason);
      expect(parser.headers).toEqual(want.headers);
      expect(parser.body().equals(want.body)).toBe(true);
      expect(parser.reusable).toBe(want.reusable);
    }), fcParams(300));
  });

  it('never completes a response cut short, and the close then fails it unless the body runs to the close', () => {
    fc.assert(fc.property(caseArb, fc.integer({ min: 1, max: 5000 }), (c, cut) => {
      const bytes = wire(c);
      const short = bytes.subarray(0, cut % bytes.length); // at least one byte missing
      const parser = new ResponseParser(false);
      let done = false;
      for (const piece of pieces(short, c.cuts)) done = parser.feed(piece);
      const noBody = c.status === 204 || c.status === 304;
      const toClose = !noBody && (c.framing === 'close' || c.framing === 'none');
      expect(done).toBe(false);
      // A body read to the close may end anywhere after the head; nothing else may.
      const ended = parser.end();
      if (!toClose) expect(ended).toBe(false);
      expect(parser.reusable).toBe(false);
    }), fcParams(300));
  });

  it('marks the connection unusable when bytes follow a complete response', () => {
    fc.assert(fc.property(caseArb.filter((c) => c.framing === 'length' || c.framing === 'chunked'), fc.uint8Array({ minLength: 1, maxLength: 40 }), (c, extra) => {
      const parser = new ResponseParser(false);
      expect(parser.feed(Buffer.concat([wire(c), Buffer.from(extra)]))).toBe(true);
      expect(parser.reusable).toBe(false);
    }), fcParams(100));
  });

  it('throws Http1ProtocolError, never anything else, on arbitrary bytes after a status line', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.integer({ min: 0, max: 500 }), { maxLength: 6 }), (noise, cuts) => {
      const parser = new ResponseParser(false);
      try {
        for (const piece of pieces(Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from(noise)]), cuts)) parser.feed(piece);
        parser.end();
      } catch (err) {
        expect(err).toBeInstanceOf(Http1ProtocolError);
        expect((err as Http1ProtocolError).code).toBe('HPE_INVALID_RESPONSE');
      }
    }), fcParams(300));
  });
});
