/**
 * An HTTP/1.1 response read from a connection's bytes, incrementally (RFC 9112):
 * the status line, the header fields, and the body framed as RFC 9112 §6.3
 * says (no body for HEAD, 1xx, 204 and 304; chunked; Content-Length; or up to
 * the connection's close). Interim 1xx responses are skipped. Anything
 * malformed throws Http1ProtocolError and the connection is not reused.
 *
 * Header names are lowercased; a repeated field is joined with ", " as fetch's
 * Headers did (what the SDK read before this client).
 */

export class Http1ProtocolError extends Error {
  /** Shaped like the network errors the SDK's retrier reads (code + message). */
  readonly code = 'HPE_INVALID_RESPONSE';
}

/** The most header bytes accepted (Node's default is 16 KiB; OCI's responses carry a few hundred). */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 1024;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value: visible characters, spaces, tabs and obs-text; no other control character. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,15})(?:[\t ]*;[\t\x20-\x7e\x80-\xff]*)?$/;
const DIGITS = /^\d{1,15}$/;

const enum State { Head, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done }

const CR = 0x0d;
const LF = 0x0a;

export class ResponseParser {
  status = 0;
  statusText = '';
  headers: Record<string, string> = {};
  /** False when the connection may not carry another request after this response. */
  reusable = true;
  private state = State.Head;
  /** Bytes of an unfinished head or line, kept across chunks. */
  private pending: Buffer | undefined;
  private remaining = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly headRequest: boolean) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** The body read so far (all of it once `done`). */
  body(): Buffer {
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
  }

  /**
   * Reads `chunk[0, end)`; true once the response is complete. Bytes after a
   * complete response (the server sent more than one answer) make the
   * connection unusable.
   *
   * The bytes are read during the call only: whatever the parser keeps (a
   * body, an unfinished line) it copies, because the connections read every
   * socket into one buffer they reuse (http1-connections.ts).
   */
  feed(chunk: Buffer, end = chunk.length): boolean {
    let at = 0;
    while (at < end) {
      switch (this.state) {
        case State.Head: at = this.readHead(chunk, at, end); break;
        case State.Length: at = this.readBody(chunk, at, end, State.Done); break;
        case State.ChunkSize: at = this.readLine(chunk, at, end, MAX_CHUNK_LINE, (line) => this.onChunkSize(line)); break;
        case State.ChunkData: at = this.readBody(chunk, at, end, State.ChunkDataEnd); break;
        case State.ChunkDataEnd: at = this.readLine(chunk, at, end, 2, (line) => {
          if (line.length !== 0) throw new Http1ProtocolError('a chunk is longer than its size says');
          this.state = State.ChunkSize;
        }); break;
        case State.Trailers: at = this.readLine(chunk, at, end, MAX_HEAD_BYTES, (line) => {
          if (line.length === 0) this.state = State.Done; // trailer fields are read and dropped
        }); break;
        case State.UntilClose: this.chunks.push(copyOf(chunk, at, end)); at = end; break;
        case State.Done: this.reusable = false; return true;
      }
    }
    return this.state === State.Done;
  }

  /** The server closed the connection: true when that ends the response (a body read to the close). */
  end(): boolean {
    if (this.state === State.UntilClose) this.state = State.Done;
    this.reusable = false;
    return this.state === State.Done;
  }

  private readHead(chunk: Buffer, at: number, chunkEnd: number): number {
    const before = this.pending?.length ?? 0;
    // `buffer` is a view of `chunk` when nothing is pending: kept only as a copy.
    const buffer = this.pending ? Buffer.concat([this.pending, chunk.subarray(at, chunkEnd)]) : chunk.subarray(at, chunkEnd);
    const end = buffer.indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1');
    if (end < 0) {
      if (buffer.length > MAX_HEAD_BYTES) throw new Http1ProtocolError('the response head is too large');
      this.pending = this.pending ? buffer : copyOf(buffer, 0, buffer.length);
      return chunkEnd;
    }
    if (end > MAX_HEAD_BYTES) throw new Http1ProtocolError('the response head is too large');
    this.pending = undefined;
    this.onHead(buffer.toString('latin1', 0, end));
    // What follows the head in `buffer` starts at end + 4; in `chunk` that is at + (end + 4 - before).
    return at + end + 4 - before;
  }

  private onHead(text: string): void {
    const lines = text.split('\r\n');
    const status = STATUS_LINE.exec(lines[0] as string);
    if (!status) throw new Http1ProtocolError('not an HTTP/1.x status line');
    const code = Number(status[2]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i += 1) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      if (!TOKEN.test(name)) throw new Http1ProtocolError('a malformed header line'); // also obs-fold and bare LF
      const value = trimOws(line.slice(colon + 1));
      if (!FIELD_VALUE.test(value)) throw new Http1ProtocolError('a header value with a control character');
      const key = name.toLowerCase();
      const existing = headers[key];
      headers[key] = existing === undefined ? value : `${existing}, ${value}`;
    }
    if (code < 200) {
      if (code === 101) throw new Http1ProtocolError('an unrequested protocol switch');
      return; // interim response (100 Continue, 103 Early Hints): the final one follows
    }
    this.status = code;
    this.statusText = status[3] ?? '';
    this.headers = headers;
    const connection = headers.connection?.toLowerCase() ?? '';
    if (status[1] === '0' ? !/(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection) : /(?:^|,)\s*close\s*(?:,|$)/.test(connection)) this.reusable = false;
    this.frameBody(code);
  }

  private frameBody(code: number): void {
    const { headers } = this;
    if (this.headRequest || code === 204 || code === 304) {
      this.state = State.Done;
      return;
    }
    const transferEncoding = headers['transfer-encoding'];
    if (transferEncoding !== undefined) {
      // Both framings at once is how responses are smuggled (RFC 9112 §6.3): refuse it.
      if (headers['content-length'] !== undefined) throw new Http1ProtocolError('both Transfer-Encoding and Content-Length');
      if (/(?:^|,)\s*chunked\s*$/i.test(transferEncoding)) {
        this.state = State.ChunkSize;
      } else {
        this.state = State.UntilClose;
        this.reusable = false;
      }
      return;
    }
    const contentLength = headers['content-length'];
    if (contentLength !== undefined) {
      const values = contentLength.split(',').map(trimOws);
      if (!values.every((v) => DIGITS.test(v) && v === values[0])) throw new Http1ProtocolError('an invalid Content-Length');
      this.remaining = Number(values[0]);
      this.state = this.remaining === 0 ? State.Done : State.Length;
      return;
    }
    this.state = State.UntilClose;
    this.reusable = false;
  }

  private readBody(chunk: Buffer, at: number, end: number, next: State): number {
    const take = Math.min(this.remaining, end - at);
    this.chunks.push(copyOf(chunk, at, at + take));
    this.remaining -= take;
    if (this.remaining === 0) this.state = next;
    return at + take;
  }

  /** Reads up to CRLF (at most `max` bytes before it), then hands the line (latin1) to `onLine`. */
  private readLine(chunk: Buffer, at: number, end: number, max: number, onLine: (line: string) => void): number {
    const rest = chunk.subarray(at, end); // bytes past `end` are not this response's (a reused buffer)
    const found = rest.indexOf(LF);
    const lf = found < 0 ? -1 : at + found;
    const piece = found < 0 ? rest : rest.subarray(0, found + 1);
    const line = this.pending ? Buffer.concat([this.pending, piece]) : piece;
    if (lf < 0) {
      if (line.length > max + 2) throw new Http1ProtocolError('a chunk line is too long');
      this.pending = this.pending ? line : copyOf(line, 0, line.length);
      return end;
    }
    this.pending = undefined;
    if (line.length < 2 || line[line.length - 2] !== CR || line.length - 2 > max) throw new Http1ProtocolError('a malformed chunk line');
    onLine(line.toString('latin1', 0, line.length - 2));
    return lf + 1;
  }

  private onChunkSize(line: string): void {
    const size = CHUNK_SIZE.exec(line);
    if (!size) throw new Http1ProtocolError('a malformed chunk size');
    this.remaining = parseInt(size[1] as string, 16);
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData;
  }
}

/** A copy of `bytes[start, end)`: the bytes fed to the parser are reused after `feed` returns. */
function copyOf(bytes: Buffer, start: number, end: number): Buffer {
  const copy = Buffer.allocUnsafe(end - start);
  bytes.copy(copy, 0, start, end);
  return copy;
}

function trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start += 1;
  while (end > start && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end -= 1;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
