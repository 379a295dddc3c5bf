import { ApiError, invalidParameter } from '../../errors';
import { type RequestContext, header } from '../../http';
import type { BucketRec, EmulatorState } from '../../state';
import { sha256Base64 } from '../../util';

/** Path pieces every Object Storage route shares: namespace, then bucket. */
export const NS = '/n/([^/]+)';
export const B = `${NS}/b/([^/]+)`;

export interface SseCKey {
  algorithm: string;
  key: string;
  keySha256: string;
}

/** The bucket a /n/{namespaceName}/b/{bucketName}/... request addresses. */
export function bucketOf(state: EmulatorState, ctx: RequestContext): BucketRec {
  checkNamespace(state, ctx.params[0] as string);
  return state.bucket(ctx.params[1] as string);
}

export function checkIfMatch(ctx: RequestContext, etag: string | undefined): void {
  const ifMatch = header(ctx, 'if-match');
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) {
    throw new ApiError(412, 'IfMatchFailed', `The If-Match header '${ifMatch}' does not match the current ETag`);
  }
  if (ifMatch === '*' && etag === undefined) throw new ApiError(412, 'IfMatchFailed', 'The resource does not exist');
}

export function sseCFromHeaders(ctx: RequestContext): SseCKey | undefined {
  const algorithm = header(ctx, 'opc-sse-customer-algorithm');
  const key = header(ctx, 'opc-sse-customer-key');
  const keySha256 = header(ctx, 'opc-sse-customer-key-sha256');
  if (algorithm === undefined && key === undefined && keySha256 === undefined) return undefined;
  if (algorithm === undefined || key === undefined || keySha256 === undefined) {
    throw invalidParameter('opc-sse-customer-algorithm, opc-sse-customer-key and opc-sse-customer-key-sha256 must be sent together');
  }
  return validateSseC({ algorithm, key, keySha256 }, 'headers');
}

export function principalId(ctx: RequestContext): string {
  const p = ctx.principal;
  if (!p) return 'unknown';
  return p.kind === 'user' ? p.userId : `resource:${p.compartmentId}`;
}

export function checkNamespace(state: EmulatorState, ns: string): void {
  if (ns !== state.namespace) throw new ApiError(404, 'NamespaceNotFound', `You do not have authorization to perform this request, or the namespace '${ns}' could not be found`);
}

export function validateSseC(k: Partial<SseCKey>, where: string): SseCKey {
  if (!k || typeof k !== 'object') throw invalidParameter(`${where} must be an object`);
  if (k.algorithm !== 'AES256') throw invalidParameter(`${where}: the only supported algorithm is AES256`);
  if (typeof k.key !== 'string' || typeof k.keySha256 !== 'string') throw invalidParameter(`${where}: key and keySha256 are required`);
  const raw = Buffer.from(k.key, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== k.key) throw invalidParameter(`${where}: key must be a base64-encoded 256-bit key`);
  if (sha256Base64(raw) !== k.keySha256) throw invalidParameter(`${where}: keySha256 is not the SHA-256 of key`);
  return { algorithm: k.algorithm, key: k.key, keySha256: k.keySha256 };
}

export function clampLimit(limit: number | undefined, outOfRange: { status: number; code: string } | null): number {
  if (limit === undefined) return 1000;
  if (limit >= 1 && limit <= 1000) return limit;
  if (outOfRange) throw ApiError.from(outOfRange, `limit must be between 1 and 1000, got ${limit}`);
  return Math.min(Math.max(limit, 1), 1000);
}

export function encodePage(token: { n: string; v?: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodePage(page: string): { n: string; v?: string } {
  try {
    const t = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as { n?: unknown; v?: unknown };
    if (typeof t.n === 'string' && (t.v === undefined || typeof t.v === 'string')) return t as { n: string; v?: string };
  } catch {
    /* fall through */
  }
  throw invalidParameter(`Invalid page token '${page}'`);
}
