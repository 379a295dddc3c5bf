import { describe, expect, it } from 'vitest';
import { Http1ProtocolError, MAX_HEAD_BYTES, ResponseParser } from '../../src/oci/http1-response';

/** Feeds `text` (latin1) to a fresh parser; returns the parser and whether the response completed. */
function parse(text: string, head = false): { parser: ResponseParser; done: boolean } {
  const parser = new ResponseParser(head);
  return { parser, done: parser.feed(Buffer.from(text, 'latin1')) };
}

const refused = (text: string) => expect(() => parse(text)).toThrow(Http1ProtocolError);

describe('ResponseParser: framing', () => {
  it('reads a Content-Length body and keeps the connection', () => {
    const { parser, done } = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nOpc-Request-Id: R1\r\n\r\nhello');
    expect(done).toBe(true);
    expect(parser.status).toBe(200);
    expect(parser.statusText).toBe('OK');
    expect(parser.headers).toEqual({ 'content-length': '5', 'opc-request-id': 'R1' });
    expect(parser.body().toString()).toBe('hello');
    expect(parser.reusable).toBe(true);
  });

  it('a HEAD response has no body whatever its Content-Length says', () => {
    const { parser, done } = parse('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n', true);
    expect(done).toBe(true);
    expect(parser.body().length).toBe(0);
    expect(parser.reusable).toBe(true);
  });

  it('204 and 304 have no body; a 1xx before the final response is skipped', () => {
    expect(parse('HTTP/1.1 204 No Content\r\n\r\n').done).toBe(true);
    expect(parse('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n').done).toBe(true);
    const { parser, done } = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
    expect(done).toBe(true);
    expect(parser.status).toBe(201);
    expect(parser.headers).toEqual({ 'content-length': '2' });
    expect(parser.body().toString()).toBe('ok');
  });

  it('joins a repeated field with ", " as fetch did, and accepts a repeated equal Content-Length', () => {
    const { parser } = parse('HTTP/1.1 200 OK\r\nVary: a\r\nvary: b\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok');
    expect(parser.headers.vary).toBe('a, b');
    expect(parser.body().toString()).toBe('ok');
  });

  it('Connection: close, HTTP/1.0 without keep-alive, and a body read to the close end the connection', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').parser.reusable).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').parser.reusable).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n').parser.reusable).toBe(true);
    const { parser, done } = parse('HTTP/1.1 200 OK\r\n\r\nall of it');
    expect(done).toBe(false);
    expect(parser.end()).toBe(true);
    expect(parser.body().toString()).toBe('all of it');
    expect(parser.reusable).toBe(false);
  });

  it('a Transfer-Encoding other than chunked is read to the close', () => {
    const { parser, done } = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz');
    expect(done).toBe(false);
    expect(parser.end()).toBe(true);
    expect(parser.body().toString()).toBe('zz');
  });
});

describe('ResponseParser: refuses what is malformed', () => {
  it('a status line that is not HTTP/1.x', () => {
    refused('HTTP/2 200 OK\r\n\r\n');
    refused('HTTP/1.1 20 OK\r\n\r\n');
    refused('ICY 200 OK\r\n\r\n');
    refused('HTTP/1.1 200 O\nK\r\n\r\n');
  });

  it('obs-fold, a space before the colon, a line without a colon, control characters in a value', () => {
    refused('HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nA : b\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nnocolon\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nA: b\0c\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nA: b\nX-Injected: c\r\n\r\n');
  });

  it('both Transfer-Encoding and Content-Length (a smuggled response), or Content-Lengths that disagree or are not numbers', () => {
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n');
  });

  it('a malformed chunk size, a chunk longer than its size, a missing CRLF', () => {
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n0\r\n\r\n');
    refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nab\r\n0\r\n\r\n');
  });

  it('a head larger than MAX_HEAD_BYTES, even when it never ends', () => {
    const parser = new ResponseParser(false);
    parser.feed(Buffer.from('HTTP/1.1 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < MAX_HEAD_BYTES / 1000 + 2; i++) parser.feed(Buffer.from(`X-Pad-${i}: ${'p'.repeat(990)}\r\n`));
    }).toThrow(/too large/);
  });

  it('an unrequested protocol switch', () => {
    refused('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n');
  });
});
