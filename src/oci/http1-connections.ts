/**
 * Keep-alive HTTP/1.1 connections for requests whose body is in hand: one
 * write of the serialized request, the response read by ResponseParser.
 *
 * Why not node:http: its ClientRequest, IncomingMessage, agent bookkeeping and
 * stream machinery cost ~45–100 µs of CPU per call here, and each of the many
 * async resources it creates pays for AsyncLocalStorage's propagation (the
 * SDK's per-call context). Why not undici's Pool (as fast per call): loading it
 * and compiling its WASM parser costs ~30 ms of CPU at the first request and
 * several MiB of resident memory, against issue 11's cold-start and idle-RSS
 * targets. bench/README.md has the figures.
 *
 * TLS: `tls.connect` with Node's CAs and host-name check (the defaults), SNI,
 * ALPN `http/1.1`, sessions resumed across connections to the same origin.
 * Connections are reused LIFO; an idle one is dropped when the server closes
 * it, sends anything, or fails, and never keeps the process alive.
 *
 * Reads: every connection reads into one buffer (the sockets' documented
 * `onread` option, net and tls alike) and feeds the bytes to its parser at
 * once, which copies what it keeps. A socket's 'data' events would allocate
 * a 64 KiB read buffer per read, wrap it in a Buffer and run the stream
 * machinery (push, emit, a nextTick) for each response: CPU and garbage per
 * call that nothing here needs. One buffer is enough: the callback runs
 * synchronously on the event loop, one read at a time.
 */
import { connect as netConnect, isIP, type OnReadOpts, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { ResponseParser } from './http1-response';

/** node:net's `onread` option: data is read into `buffer` and handed to `callback` instead of emitted as 'data'. */
type OnRead = OnReadOpts & { readonly buffer: Uint8Array };

/** Where a request goes (request-target.ts's WireUrl has these). */
export interface Origin {
  /** `https:` or `http:`. */
  readonly protocol: string;
  readonly hostname: string;
  /** Empty for the scheme's default port. */
  readonly port: string;
  /** `host[:port]`. */
  readonly host: string;
}

/** One request on a connection, from its write to its response's last byte (or failure). */
export interface Exchange {
  readonly parser: ResponseParser;
  /** Called once: with the parser when the response is complete, or with the error. */
  finish(error: unknown): void;
}

/** Shaped like the network errors the SDK's retrier reads. */
function closedEarly(): Error {
  return Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' });
}

/** Longest a connection waits idle for its next request (node:http's agent had `timeout: 30_000`). */
export const IDLE_LIMIT_MS = 30_000;

/**
 * How long a connection may stay idle: IDLE_LIMIT_MS, or less when the server
 * said when it closes idle connections (`Keep-Alive: timeout=N`), with a second
 * to spare as node:http's agent does. A connection dropped without a FIN (a
 * NAT's idle timeout) would otherwise swallow the next request until the hard stop.
 */
export function idleLimitMs(keepAlive: string | undefined): number {
  const timeout = keepAlive === undefined ? undefined : /(?:^|[\s,])timeout=(\d+)/i.exec(keepAlive)?.[1];
  return timeout === undefined ? IDLE_LIMIT_MS : Math.max(0, Math.min(IDLE_LIMIT_MS, Number(timeout) * 1000 - 1000));
}

/** Size of the read buffer all connections share (node:net reads up to 64 KiB at a time too). */
const READ_BUFFER_BYTES = 64 * 1024;
let readBuffer: Buffer | undefined;

/** The read buffer every connection's socket reads into, made when the first connection opens. */
function sharedReadBuffer(): Buffer {
  readBuffer ??= Buffer.allocUnsafe(READ_BUFFER_BYTES);
  return readBuffer;
}

class Connection {
  exchange: Exchange | undefined;
  /** While idle: the instant (Date.now()) after which it is not used again. */
  idleUntil = 0;
  readonly socket: Socket;
  private broken = false;

  /** `open` opens the socket with the given `onread` option (the connection's reader). */
  constructor(open: (onread: OnRead) => Socket, private readonly pool: OriginPool) {
    const socket = open({ buffer: sharedReadBuffer(), callback: this.onRead });
    this.socket = socket;
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  get usable(): boolean {
    return !this.broken && !this.socket.destroyed;
  }

  /** Abandons the connection (the hard stop, or a failure): it is never reused. */
  destroy(): void {
    this.broken = true;
    this.pool.forget(this);
    this.socket.destroy();
  }

  /**
   * `onread`'s callback: `bytes` (the shared buffer) holds `length` new bytes
   * until this returns. Always true: keep reading (false would pause the socket).
   */
  private readonly onRead = (length: number, bytes: Uint8Array): boolean => {
    this.read(length, bytes as Buffer);
    return true;
  };

  private read(length: number, bytes: Buffer): void {
    const exchange = this.exchange;
    if (!exchange) {
      this.destroy(); // nothing was asked: a server that talks now is not to be trusted with the next request
      return;
    }
    let complete: boolean;
    try {
      complete = exchange.parser.feed(bytes, length);
    } catch (err) {
      this.exchange = undefined;
      this.destroy();
      exchange.finish(err);
      return;
    }
    if (!complete) return;
    this.exchange = undefined;
    if (exchange.parser.reusable) this.pool.release(this, idleLimitMs(exchange.parser.headers['keep-alive']));
    else this.destroy();
    exchange.finish(undefined);
  }

  private readonly onEnd = (): void => {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.destroy();
    if (exchange) exchange.finish(exchange.parser.end() ? undefined : closedEarly());
  };

  private readonly onError = (err: Error): void => {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.destroy();
    exchange?.finish(err);
  };

  private readonly onClose = (): void => {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.destroy();
    exchange?.finish(closedEarly());
  };
}

/** TLS settings beyond Node's defaults: only tests set any (a CA of their own). */
export interface TlsSettings {
  readonly ca?: string | Buffer;
}

class OriginPool {
  private readonly idle: Connection[] = [];
  private session: Buffer | undefined;

  constructor(private readonly origin: Origin, private readonly tls: TlsSettings) {}

  acquire(): Connection {
    const now = Date.now();
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop()) {
      if (connection.usable && now <= connection.idleUntil) {
        connection.socket.ref();
        return connection;
      }
      connection.destroy();
    }
    return new Connection((onread) => this.connect(onread), this);
  }

  release(connection: Connection, idleLimit: number): void {
    if (!connection.usable || idleLimit <= 0) {
      connection.destroy();
      return;
    }
    connection.idleUntil = Date.now() + idleLimit;
    connection.socket.unref();
    this.idle.push(connection);
  }

  forget(connection: Connection): void {
    const i = this.idle.indexOf(connection);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private connect(onread: OnRead): Socket {
    const { hostname, port } = this.origin;
    const https = this.origin.protocol === 'https:';
    const options = { host: hostname, port: Number(port || (https ? 443 : 80)), noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000, onread };
    if (!https) return netConnect(options);
    // node:tls is loaded by the first https connection, not at start (the emulator's endpoints are plain HTTP).
    const socket: TLSSocket = (require('node:tls') as typeof import('node:tls')).connect({
      ...options, ...this.tls, ALPNProtocols: ['http/1.1'], ...(isIP(hostname) === 0 && { servername: hostname }), ...(this.session && { session: this.session }),
    });
    socket.on('session', (session: Buffer) => {
      this.session = session;
    });
    return socket;
  }
}

/** The connections of one container, by origin. */
export class Http1Connections {
  private readonly pools = new Map<string, OriginPool>();

  constructor(private readonly tls: TlsSettings = {}) {}

  /**
   * Writes `head` and `body` on a connection to `origin` and reads the response
   * into `exchange.parser`. Returns a function that abandons the request
   * (its connection is closed, never reused).
   */
  send(origin: Origin, head: string, body: string | Buffer | undefined, exchange: Exchange): () => void {
    const key = `${origin.protocol}//${origin.host}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new OriginPool(origin, this.tls);
      this.pools.set(key, pool);
    }
    const connection = pool.acquire();
    connection.exchange = exchange;
    const { socket } = connection;
    if (body === undefined) {
      socket.write(head, 'latin1');
    } else if (typeof body === 'string' && Buffer.byteLength(body, 'utf8') === body.length) {
      socket.write(head + body, 'latin1'); // an ASCII body: its latin1 bytes are its UTF-8 bytes
    } else {
      socket.cork();
      socket.write(head, 'latin1');
      socket.write(body);
      socket.uncork();
    }
    return () => {
      if (connection.exchange === exchange) connection.exchange = undefined;
      connection.destroy();
    };
  }
}
