import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { channel } from 'node:diagnostics_channel';
import { Readable } from 'node:stream';
import type { HttpClient, HttpRequest, RequestSigner } from 'oci-common';
import { callContext, type CallState } from './call-context';

export type { ApiCallCounter } from './call-context';
import { Http1Connections, type Exchange as ConnectionExchange } from './http1-connections';
import { ResponseParser } from './http1-response';
import { HardStops, untilHardStop, type Stoppable } from './hard-stops';
import { LightHeaders } from './light-headers';
import { toWireUrl, type WireUrl } from './request-target';

export interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * What node:http publishes on its `http.client.*` channels, for requests on our
 * own connections (which node:http never sees): a diagnostic such as the
 * benchmark's C/L probe subscribes. Publishing costs a property read while
 * nobody listens. Messages: `{ method, target }` at start; `{ start, status }`
 * (or `{ start, error }`) when the response has been read whole, `start` being
 * the start message itself.
 */
export const wireRequestStart = channel('oci-reencrypt:wire.request.start');
export const wireRequestFinish = channel('oci-reencrypt:wire.request.finish');

/** node:https, loaded when first needed: only streamed bodies go through node:http(s), and loading it (with node:tls) costs 2.5–6 ms of CPU. */
const nodeHttps = (): typeof import('node:https') => require('node:https') as typeof import('node:https');

/** Keep-alive connections, one pool per container. Idle sockets close after 30 s (or the server's Keep-Alive hint). */
export function keepAliveAgents(): Agents {
  const options = { keepAlive: true, timeout: 30_000, scheduling: 'lifo' as const };
  return { http: new HttpAgent(options), https: new (nodeHttps().Agent)(options) };
}

/**
 * The one place requests go on the wire: the SDK clients' `httpClient`.
 * - the request target is encoded for the wire once (request-target.ts) and
 *   the signature covers exactly that target;
 * - keep-alive HTTP/1.1 connections of our own for bodies in hand, which is
 *   every request the function makes on its hot path (http1-connections.ts:
 *   one write per request, TLS verified against Node's CAs), `node:http` /
 *   `node:https` for streamed bodies; no fetch, no Request/Response objects;
 * - per call (callContext): counts attempts per operation, records
 *   `retry-after` for the retry strategy, and abandons the attempt at the
 *   call's hard stop, the response body included;
 * - errors keep the shapes the SDK retrier reads: a response of any status is
 *   returned (the retrier turns non-2xx into OciError); a network failure
 *   rejects with the Node error (`code`, `message`: retried), the hard stop
 *   with `{code: 'ETIMEDOUT', shouldBeRetried: false}`.
 * No circuit breaker: in a short-lived function a tripped breaker would fail
 * every remaining object of a sweep at once.
 *
 * Request bodies: strings and Buffers are sent as they are; a stream is piped
 * when the signature excludes the body (PutObject), and read first otherwise
 * (the signature covers its hash). Response bodies are read whole before the
 * response is handed over (the largest the function reads is a 1000-item
 * listing), so an abandoned response never holds a connection.
 * Proxies: the SDK's fetch did not honour HTTP(S)_PROXY either.
 */
export class WireHttpClient implements HttpClient {
  constructor(
    private readonly signer: RequestSigner,
    private agents?: Agents,
    private readonly connections: Http1Connections = new Http1Connections(),
  ) {}

  async send(req: HttpRequest, forceExcludeBody = false, _targetService?: string, operationName?: string): Promise<Response> {
    const state = callContext.getStore();
    if (state) {
      // A retry-after applies to the wait after the response that carried it, not to later ones.
      state.retryAfterMs = undefined;
      const op = state.operation || operationName || 'unknown';
      state.apiCalls.set(op, (state.apiCalls.get(op) ?? 0) + 1);
    }
    const url = toWireUrl(req.uri);
    // A stream is the one body that needs awaiting (read whole for signing); the rest is used as it is.
    const body = req.body instanceof Readable && !forceExcludeBody ? await readWhole(req.body) : requestBody(req.body);
    await this.signer.signHttpRequest({
      method: req.method, headers: req.headers, uri: `${url.protocol}//${url.host}${url.target}`,
      body: body instanceof Readable ? undefined : body,
    }, forceExcludeBody);
    const response = await this.exchange(url, req.method, req.headers, body, state);
    if (state) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined) state.retryAfterMs = retryAfter;
    }
    // The SDK reads status, statusText, headers.get/forEach, text(), json() and body: WireResponse has them all.
    return response as unknown as Response;
  }

  private exchange(url: WireUrl, method: string, headers: Headers, body: string | Buffer | Readable | undefined, state: CallState | undefined): Promise<WireResponse> {
    const head = body instanceof Readable ? undefined : requestHead(method, url, headers, body);
    if (head === undefined) return this.exchangeWithNodeHttp(url, method, headers, body, state);
    return new Promise<WireResponse>((resolve, reject) => {
      const exchange = new Http1Exchange(method === 'HEAD', resolve, reject);
      if (wireRequestStart.hasSubscribers || wireRequestFinish.hasSubscribers) exchange.publishTo({ method, target: url.target });
      const abandon = this.connections.send(url, head, body as string | Buffer | undefined, exchange);
      if (state) exchange.stopAt(state, abandon);
    });
  }

  /** A streamed body (PutObject), or headers only node:http knows how to frame (transfer-encoding, expect). */
  private exchangeWithNodeHttp(url: WireUrl, method: string, headers: Headers, body: string | Buffer | Readable | undefined, state: CallState | undefined): Promise<WireResponse> {
    const https = url.protocol === 'https:';
    this.agents ??= keepAliveAgents();
    const options: RequestOptions = {
      agent: https ? this.agents.https : this.agents.http,
      hostname: url.hostname, method, path: url.target, headers: rawHeaders(headers, url.host, body),
    };
    if (url.port) options.port = url.port;
    return new Promise<WireResponse>((resolve, reject) => {
      const exchange = new NodeHttpExchange(resolve, reject);
      const outgoing = https ? nodeHttps().request(options) : httpRequest(options);
      exchange.outgoing = outgoing;
      if (state) exchange.stopAt(state);
      outgoing.on('error', exchange.onError);
      outgoing.on('response', exchange.onResponse);
      if (body instanceof Readable) {
        body.on('error', (err) => {
          exchange.settle(err);
          outgoing.destroy();
        });
        body.pipe(outgoing);
      } else {
        outgoing.end(body);
      }
    });
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What node:http accepts in a header value: no control character but tab (no CR, LF or NUL: no header injection). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The request line and header block, ready for the wire, validated as
 * node:http validates them (a bad name or value throws before anything is
 * sent). Headers go in the order Headers iterates them; `host` and the
 * `content-length` of a body in hand (0 for a POST, PUT or PATCH without
 * one) are added when missing, as node:http adds them. Undefined for framing only node:http does (transfer-encoding,
 * expect).
 */
export function requestHead(method: string, url: WireUrl, headers: Headers, body: string | Buffer | undefined): string | undefined {
  if (!TOKEN.test(method)) throw new TypeError(`invalid HTTP method "${method.slice(0, 20)}"`);
  let head = `${method} ${url.target} HTTP/1.1\r\n`;
  let hasHost = false;
  let hasLength = false;
  let nodeFraming = false;
  // The bundle's Headers (light-headers.ts) checked each name and value as it was set: it says which values pass.
  const checked = headers instanceof LightHeaders ? headers : undefined;
  headers.forEach((value, name) => {
    if (!checked && !TOKEN.test(name)) throw new TypeError(`invalid header name "${name.slice(0, 100)}"`);
    if (!checked?.wireSafe(name) && !FIELD_VALUE.test(value)) throw new TypeError(`invalid value of header "${name}"`);
    const lower = name.toLowerCase();
    if (lower === 'host') hasHost = true;
    else if (lower === 'content-length') hasLength = true;
    else if (lower === 'transfer-encoding' || lower === 'expect' || lower === 'connection') nodeFraming = true;
    head += `${name}: ${value}\r\n`;
  });
  if (nodeFraming) return undefined;
  if (!hasHost) head += `host: ${url.host}\r\n`;
  // POST, PUT and PATCH define a meaning for content: without a body they say it is empty (as node:http did).
  if (!hasLength && (body !== undefined || method === 'POST' || method === 'PUT' || method === 'PATCH')) {
    head += `content-length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`;
  }
  return `${head}connection: keep-alive\r\n\r\n`;
}

/**
 * The request headers as Node's raw `[name, value, name, value, ...]` list, in
 * the order Headers iterates them (sorted, as before): Node writes them as
 * given, without building its own header map first. What Node would add to a
 * header object it cannot add to a raw list, so it is added here: `host`
 * (our signer always sets it) and the `content-length` of a body in hand.
 */
function rawHeaders(headers: Headers, host: string, body: string | Buffer | Readable | undefined): string[] {
  const raw: string[] = [];
  let hasHost = false;
  let hasLength = false;
  headers.forEach((value, name) => {
    if (name === 'host') hasHost = true;
    else if (name === 'content-length' || name === 'transfer-encoding') hasLength = true;
    raw.push(name, value);
  });
  if (!hasHost) raw.push('host', host);
  if (!hasLength && body !== undefined && !(body instanceof Readable)) raw.push('content-length', String(Buffer.byteLength(body)));
  return raw;
}

/**
 * One request on our HTTP/1.1 connections until its response is read whole,
 * or it fails, or the call's hard stop abandons it.
 */
class Http1Exchange implements ConnectionExchange, Stoppable {
  readonly parser: ResponseParser;
  private settled = false;
  private message: { method: string; target: string } | undefined;
  /** While the call's hard stop may abandon it (stopAt). */
  private stop: { readonly state: CallState; readonly abandon: () => void } | undefined;

  constructor(headRequest: boolean, private readonly resolve: (response: WireResponse) => void, private readonly reject: (error: unknown) => void) {
    this.parser = new ResponseParser(headRequest);
  }

  /** Diagnostics only: announce this request now and its end in finish(). */
  publishTo(message: { method: string; target: string }): void {
    this.message = message;
    wireRequestStart.publish(message);
  }

  stopAt(state: CallState, abandon: () => void): void {
    if (this.settled) return;
    this.stop = { state, abandon };
    hardStops.add(state.hardStopAt, this);
  }

  /** Stoppable: the hard stop passed with no complete response. */
  hardStop(): void {
    const stop = this.stop;
    if (stop === undefined) return;
    stop.state.outOfTime = true;
    this.finish(outOfTimeError());
    stop.abandon();
  }

  finish(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (this.stop) hardStops.remove(this.stop.state.hardStopAt, this);
    if (this.message) wireRequestFinish.publish(error !== undefined ? { start: this.message, error } : { start: this.message, status: this.parser.status });
    if (error !== undefined) {
      this.reject(error);
      return;
    }
    const { parser } = this;
    this.resolve(new WireResponse(parser.status, parser.statusText, parser.headers, parser.body()));
  }
}

/** The hard-stop timers of the requests on our HTTP/1.1 connections, one per hard stop instant (hard-stops.ts). */
export const hardStops = new HardStops();

/** Shaped like the SDK's own network errors (code + message); not retried: there is no time left. */
function outOfTimeError(): { code: string; message: string; shouldBeRetried: boolean } {
  return { code: 'ETIMEDOUT', message: 'no response before the invocation deadline', shouldBeRetried: false };
}

/**
 * One request through node:http until its response is read whole, or it
 * fails, or the call's hard stop abandons it (the response body included).
 */
class NodeHttpExchange {
  outgoing: ClientRequest | undefined;
  private incoming: IncomingMessage | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settled = false;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly resolve: (response: WireResponse) => void, private readonly reject: (error: unknown) => void) {}

  stopAt(state: CallState): void {
    this.timer = setTimeout(() => {
      state.outOfTime = true;
      this.settle(outOfTimeError());
      (this.incoming ?? this.outgoing)?.destroy();
    }, untilHardStop(state.hardStopAt));
  }

  settle(error: unknown, response?: WireResponse): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    if (response) this.resolve(response);
    else this.reject(error);
  }

  readonly onError = (err: Error): void => this.settle(err);

  readonly onResponse = (res: IncomingMessage): void => {
    this.incoming = res;
    res.on('data', this.onData);
    res.on('error', this.onError);
    res.on('close', this.onClose);
    res.on('end', this.onEnd);
  };

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
  };

  private readonly onClose = (): void => {
    if (!this.incoming?.complete) this.settle(Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
  };

  private readonly onEnd = (): void => {
    const res = this.incoming as IncomingMessage;
    const content = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.settle(undefined, new WireResponse(res.statusCode ?? 0, res.statusMessage ?? '', res.headers, content));
  };
}

/** The body as the signer and the wire take it, following the SDK's rules (an empty body is no body); a stream is passed on. */
function requestBody(body: unknown): string | Buffer | Readable | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('Unable to read body content');
}

/** A stream body the signature covers (its hash is signed): read whole first. */
async function readWhole(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** A response read whole: what the SDK's clients and retrier read of a fetch Response. */
export class WireResponse {
  readonly headers: WireHeaders;
  private used = false;

  constructor(readonly status: number, readonly statusText: string, headers: IncomingHttpHeaders, private readonly content: Buffer) {
    this.headers = new WireHeaders(headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /** A web stream of the body, as fetch gives it (InvokeFunction, GetObject). */
  get body(): ReadableStream<Uint8Array> {
    return Readable.toWeb(Readable.from([this.take()])) as ReadableStream<Uint8Array>;
  }

  async text(): Promise<string> {
    return this.take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  private take(): Buffer {
    if (this.used) throw new TypeError('Body is unusable: Body has already been read');
    this.used = true;
    return this.content;
  }
}

/** Read-only, case-insensitive response headers, as fetch's Headers reads them. */
export class WireHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) callback(value, name);
    }
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** `retry-after` is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
