import { Readable } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from './auth';
import { ApiError, invalidParameter } from './errors';

/** Query parameters as OCI receives them: decoded once, first occurrence wins. */
export class Query {
  private readonly values = new Map<string, string>();
  private readonly repeated = new Map<string, string[]>();

  constructor(raw: string, plusIsSpace: boolean) {
    if (!raw) return;
    for (const part of raw.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const k = eq < 0 ? part : part.slice(0, eq);
      const v = eq < 0 ? '' : part.slice(eq + 1);
      const key = decodeComponent(plusIsSpace ? k.replace(/\+/g, ' ') : k, 'query');
      const value = decodeComponent(plusIsSpace ? v.replace(/\+/g, ' ') : v, 'query');
      if (!this.values.has(key)) this.values.set(key, value);
      const list = this.repeated.get(key);
      if (list) list.push(value);
      else this.repeated.set(key, [value]);
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Every value of a repeated parameter (the SDK sends arrays as `k=a&k=b`), commas split too. */
  list(name: string): string[] {
    return (this.repeated.get(name) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  }

  int(name: string): number | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw invalidParameter(`The '${name}' query parameter must be an integer, got '${v}'`);
    return Number(v);
  }

  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw invalidParameter(`The '${name}' query parameter must be true or false, got '${v}'`);
    return v === 'true';
  }
}

export function decodeComponent(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidParameter(`Malformed percent-encoding in ${where}: '${text}'`);
  }
}

/** What a route handler sees. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  /** Decoded path parameters, in pattern order. */
  readonly params: readonly string[];
  readonly query: Query;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly principal: Principal | undefined;
  readonly requestId: string;
}

/** What a route handler answers. `body` is JSON unless it is a Buffer. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | undefined>;
  /** Streamed text body (admin NDJSON); takes the place of `body`. */
  stream?: Iterable<string>;
  /** The answer to an earlier request with the same opc-retry-token: nothing was written this time. */
  replayed?: boolean;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Operation name as OCI's API reference names it (also the fault/counter key). */
  operation: string;
  /** Counts as a state-changing write when it succeeds. */
  write?: boolean;
  /** The SDK does not sign this operation's body (PutObject). */
  bodyExempt?: boolean;
  handler: (ctx: RequestContext) => Reply | Promise<Reply>;
}

export function header(ctx: RequestContext, name: string): string | undefined {
  const v = ctx.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function jsonBody<T>(ctx: RequestContext): Partial<T> {
  if (ctx.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(ctx.body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ApiError(400, 'CannotParseRequest', 'The request body must be a JSON object');
    }
    return parsed as Partial<T>;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(400, 'CannotParseRequest', 'The request body is not valid JSON');
  }
}

export function sendReply(res: ServerResponse, method: string, reply: Reply): void {
  const headers = reply.headers;
  if (headers !== undefined) {
    for (const k in headers) {
      const v = headers[k];
      if (v !== undefined) res.setHeader(k, v);
    }
  }
  if (reply.stream) {
    res.statusCode = reply.status;
    Readable.from(reply.stream).pipe(res);
    return;
  }
  let payload: Buffer | undefined;
  if (reply.body !== undefined) {
    if (Buffer.isBuffer(reply.body)) {
      payload = reply.body;
    } else {
      payload = Buffer.from(JSON.stringify(reply.body));
      if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/json');
    }
  }
  res.statusCode = reply.status;
  if (method === 'HEAD') {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', '0');
    res.end();
    return;
  }
  if (payload && reply.status !== 204 && reply.status !== 304) {
    res.setHeader('content-length', String(payload.length));
    res.end(payload);
  } else {
    if (reply.status !== 204 && reply.status !== 304) res.setHeader('content-length', '0');
    res.end();
  }
}

export function errorReply(error: ApiError): Reply {
  return { status: error.status, body: { code: error.code, message: error.message }, headers: error.headers };
}

const NO_BODY = Buffer.alloc(0);

export function readBody(req: IncomingMessage): Promise<Buffer> {
  // A request with neither content-length (or content-length 0) nor transfer-encoding has no body (RFC 9112
  // section 6.3): nothing to wait for, so no listeners and no stream events. Resumed so the request ends.
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Promise.resolve(NO_BODY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export const httpDate = (ms: number): string => new Date(ms).toUTCString();
export const iso = (ms: number): string => new Date(ms).toISOString();
