import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { HttpClient, HttpRequest, RequestSigner } from 'oci-common';
import { callContext, type CallState } from './call-context';

export type { ApiCallCounter } from './call-context';
import { toWireUrl, type WireUrl } from './request-target';

export interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Keep-alive connections, one pool per container. Idle sockets close after 30 s (or the server's Keep-Alive hint). */
export function keepAliveAgents(): Agents {
  const options = { keepAlive: true, timeout: 30_000, scheduling: 'lifo' as const };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}

/**
 * The one place requests go on the wire: the SDK clients' `httpClient`.
 * - the request target is encoded for the wire once (request-target.ts) and
 *   the signature covers exactly that target;
 * - keep-alive `node:http`/`node:https` (TLS verified against Node's CAs),
 *   no fetch, no Request/Response objects to build;
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
  constructor(private readonly signer: RequestSigner, private readonly agents: Agents = keepAliveAgents()) {}

  async send(req: HttpRequest, forceExcludeBody = false, _targetService?: string, operationName?: string): Promise<Response> {
    const state = callContext.getStore();
    if (state) {
      // A retry-after applies to the wait after the response that carried it, not to later ones.
      state.retryAfterMs = undefined;
      const op = state.operation || operationName || 'unknown';
      state.apiCalls.set(op, (state.apiCalls.get(op) ?? 0) + 1);
    }
    const url = toWireUrl(req.uri);
    const body = await requestBody(req.body, forceExcludeBody);
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
    const outgoingHeaders: OutgoingHttpHeaders = {};
    headers.forEach((value, name) => {
      outgoingHeaders[name] = value;
    });
    const https = url.protocol === 'https:';
    const options = {
      agent: https ? this.agents.https : this.agents.http,
      hostname: url.hostname, ...(url.port && { port: url.port }),
      method, path: url.target, headers: outgoingHeaders,
    };
    return new Promise<WireResponse>((resolve, reject) => {
      const outgoing = https ? httpsRequest(options) : httpRequest(options);
      let incoming: IncomingMessage | undefined;
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (error: unknown, response?: WireResponse) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        if (response) resolve(response);
        else reject(error);
      };
      if (state) {
        timer = setTimeout(() => {
          state.outOfTime = true;
          // Shaped like the SDK's own network errors (code + message); not retried: there is no time left.
          const error = { code: 'ETIMEDOUT', message: 'no response before the invocation deadline', shouldBeRetried: false };
          settle(error);
          (incoming ?? outgoing).destroy();
        }, Math.max(0, state.hardStopAt - Date.now()));
      }
      outgoing.on('error', (err) => settle(err));
      outgoing.on('response', (res) => {
        incoming = res;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => settle(err));
        res.on('close', () => {
          if (!res.complete) settle(Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => settle(undefined, new WireResponse(res.statusCode ?? 0, res.statusMessage ?? '', res.headers, chunks)));
      });
      if (body instanceof Readable) {
        body.on('error', (err) => {
          settle(err);
          outgoing.destroy();
        });
        body.pipe(outgoing);
      } else {
        outgoing.end(body);
      }
    });
  }
}

/** The body as the signer and the wire take it, following the SDK's rules (an empty body is no body). */
async function requestBody(body: unknown, forceExcludeBody: boolean): Promise<string | Buffer | Readable | undefined> {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Readable) {
    if (forceExcludeBody) return body; // streamed: the signature does not cover it
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    return Buffer.concat(chunks);
  }
  throw new TypeError('Unable to read body content');
}

/** A response read whole: what the SDK's clients and retrier read of a fetch Response. */
export class WireResponse {
  readonly headers: WireHeaders;
  private readonly content: Buffer;
  private used = false;

  constructor(readonly status: number, readonly statusText: string, headers: IncomingHttpHeaders, chunks: Buffer[]) {
    this.headers = new WireHeaders(headers);
    this.content = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
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
