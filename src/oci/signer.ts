import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationDetailsProvider, HttpRequest, RequestSigner } from 'oci-common';
import { CheckedPrefix, LightHeaders } from './light-headers';

/**
 * OCI request signing (draft-cavage-08 as OCI documents it, rsa-sha256) with
 * the private key parsed once into a KeyObject. The SDK's DefaultRequestSigner
 * re-parses the PEM on every request (sshpk, then OpenSSL again): most of the
 * function's CPU per call. The key is rebuilt only when the provider hands out
 * a different key (a refreshed resource-principal session); a config-file key
 * never changes. Providers that delegate to another (a config file naming
 * instance-principal auth, with an obo token) keep the SDK's signer
 * (clients.ts).
 *
 * Same signed headers, same order, same `authorization` text as
 * DefaultRequestSigner (test/unit/signer.test.ts demands byte equality;
 * the unsigned `date` header http-signature adds is left out), with one
 * deliberate difference: the request target is taken verbatim from the URL
 * it is given (the one the HTTP client sends, request-target.ts), where the
 * SDK re-escapes it with the legacy `url.parse` (which escapes `'` and
 * spaces, keeps `é` raw and cuts at `#`) and fetch then sent yet another
 * form.
 */
const BASE_HEADERS = ['x-date', '(request-target)', 'host'] as const;
/** Named as the SDK names them: the `headers="..."` list keeps this case. */
const BODY_HEADERS = ['Content-Type', 'Content-Length', 'x-content-sha256'] as const;
/** The `headers="..."` parameter of the two forms, built once. */
const BASE_LIST = BASE_HEADERS.join(' ');
const BODY_LIST = [...BASE_HEADERS, ...BODY_HEADERS].join(' ');
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);
const EMPTY_SHA256 = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';

/** The subset of the SDK's HttpRequest a signer reads (body already read to a string or bytes). */
export interface SignableRequest {
  readonly method: string;
  readonly uri: string;
  readonly headers: Headers;
  readonly body?: string | Buffer | null;
}

interface CachedKey {
  readonly pem: string;
  readonly passphrase: string | null;
  readonly key: KeyObject;
}

/**
 * A session token's key id (`ST$<JWT>`) as the provider last handed it out,
 * reused without asking the provider again until `askAgainAt` (epoch ms).
 */
interface CachedKeyId {
  readonly keyId: string;
  readonly askAgainAt: number;
}

interface AuthorizationPrefix {
  readonly keyId: string;
  readonly text: string;
  /** Undefined when the key id holds a character a header value may not (then the whole value is checked, and refused, when set). */
  readonly checked: CheckedPrefix | undefined;
}

/**
 * How long before a session token's `exp` the provider is asked again. The
 * SDK's requesting providers (resource principal from files or fixed content,
 * session tokens) hand out the same token until it expires (their
 * SecurityTokenAdapter.isValid: `exp > now` in seconds) and refresh it (and
 * the session key) only then, so within this window asking returns the same
 * key id. Asking costs three generator-based async wrappers per request
 * (~3.5 µs of CPU and ~2.8 kB of garbage on Node 22).
 */
const ASK_BEFORE_EXPIRY_MS = 60_000;

export interface SignerOptions {
  /**
   * Compute the RSA signature in libuv's threadpool (`crypto.sign` with a
   * callback) instead of on the main thread. The same CPU (a little more: the
   * hand-over), but with more than one core the main thread composes and
   * sends other requests meanwhile; on a single-CPU share it gains nothing.
   * bench/README.md, benchmark 9, measures both.
   */
  readonly inThreadpool?: boolean;
}

function signInThreadpool(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    sign('sha256', data, key, (err, signature) => (err ? reject(err) : resolve(signature)));
  });
}

export class CachedKeyRequestSigner implements RequestSigner {
  private cached: CachedKey | undefined;
  private cachedKeyId: CachedKeyId | undefined;
  private basePrefix: AuthorizationPrefix | undefined;
  private bodyPrefix: AuthorizationPrefix | undefined;
  /** Times the key was parsed: for tests of the refresh rule. */
  keyBuilds = 0;
  /** Times the provider was asked for the key id: for tests of the reuse rule. */
  keyIdAsks = 0;
  private readonly inThreadpool: boolean;

  constructor(private readonly provider: AuthenticationDetailsProvider, options: SignerOptions = {}) {
    this.inThreadpool = options.inThreadpool === true;
  }

  /** RequestSigner for the SDK's own types; the body must already be read (a string or a Buffer). */
  signHttpRequest(request: HttpRequest, forceExcludeBody = false): Promise<void> {
    const body: unknown = request.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      throw new TypeError('CachedKeyRequestSigner signs string or Buffer bodies; read a stream first');
    }
    return this.sign({ method: request.method, uri: request.uri, headers: request.headers, body }, forceExcludeBody);
  }

  async sign(request: SignableRequest, forceExcludeBody = false): Promise<void> {
    const { headers } = request;
    if (!headers.has('host')) headers.set('host', hostOf(request.uri));
    if (!headers.has('x-date')) headers.set('x-date', httpDate());

    const method = request.method.toUpperCase();
    const withBody = !forceExcludeBody && METHODS_WITH_BODY.has(method);
    if (withBody) {
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
      const body = request.body ?? '';
      const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
      headers.set('x-content-sha256', length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('base64'));
      if (!headers.has('content-length')) headers.set('content-length', String(length));
    }

    const reusable = this.cachedKeyId !== undefined && Date.now() < this.cachedKeyId.askAgainAt ? this.cachedKeyId.keyId : undefined;
    let keyId = reusable ?? await this.askKeyId();
    let pem = this.provider.getPrivateKey();
    // A session key that changed under a reused key id: ask for both again, in the SDK's order (key id first).
    if (reusable !== undefined && pem !== this.cached?.pem) {
      this.cachedKeyId = undefined;
      keyId = await this.askKeyId();
      pem = this.provider.getPrivateKey();
    }
    const key = this.keyFor(pem, this.provider.getPassphrase());
    // The signing string: each signed header's lowercase name and value, in the order of the list.
    let signingString = `x-date: ${required(headers, 'x-date')}\n(request-target): ${method.toLowerCase()} ${targetOf(request.uri)}\nhost: ${required(headers, 'host')}`;
    if (withBody) {
      signingString += `\ncontent-type: ${required(headers, 'content-type')}\ncontent-length: ${required(headers, 'content-length')}\nx-content-sha256: ${required(headers, 'x-content-sha256')}`;
    }
    const data = Buffer.from(signingString, 'utf8');
    const signature = (this.inThreadpool ? await signInThreadpool(data, key) : sign('sha256', data, key)).toString('base64');
    const prefix = this.authorizationPrefix(keyId, withBody);
    if (prefix.checked && headers instanceof LightHeaders) headers.setAfterChecked('authorization', prefix.checked, `${signature}"`);
    else headers.set('authorization', `${prefix.text}${signature}"`);
  }

  /**
   * The `authorization` value up to the signature, kept while the key id is the same: it is
   * ~2 kB with a session token's key id, and the bundle's Headers then scans only the signature.
   */
  private authorizationPrefix(keyId: string, withBody: boolean): AuthorizationPrefix {
    const cached = withBody ? this.bodyPrefix : this.basePrefix;
    if (cached?.keyId === keyId) return cached;
    const text = `Signature version="1",keyId="${keyId}",algorithm="rsa-sha256",headers="${withBody ? BODY_LIST : BASE_LIST}",signature="`;
    const prefix = { keyId, text, checked: CheckedPrefix.of(text) };
    if (withBody) this.bodyPrefix = prefix;
    else this.basePrefix = prefix;
    return prefix;
  }

  /** The provider's key id; a session token's is kept until shortly before the token expires. */
  private async askKeyId(): Promise<string> {
    this.keyIdAsks += 1;
    const keyId = await this.provider.getKeyId();
    if (this.cachedKeyId?.keyId !== keyId) {
      const expiresAt = sessionTokenExpiry(keyId);
      this.cachedKeyId = expiresAt === undefined ? undefined : { keyId, askAgainAt: expiresAt - ASK_BEFORE_EXPIRY_MS };
    }
    return keyId;
  }

  private keyFor(pem: string, passphrase: string | null): KeyObject {
    const cached = this.cached;
    if (cached && cached.pem === pem && cached.passphrase === passphrase) return cached.key;
    const key = parseKey(pem, passphrase);
    this.cached = { pem, passphrase, key };
    this.keyBuilds += 1;
    return key;
  }
}

/** The current second as an HTTP date (`toUTCString`), formatted once per second rather than once per request. */
let dateSecond = Number.NaN;
let dateText = '';
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/**
 * When a session token's key id (`ST$` and a JWT) expires (epoch ms, its `exp`
 * claim); undefined for any other key id (an API key's `tenancy/user/fingerprint`)
 * or a token without a readable `exp`: then the provider is asked every time.
 */
export function sessionTokenExpiry(keyId: string): number | undefined {
  if (!keyId.startsWith('ST$')) return undefined;
  const parts = keyId.slice(3).split('.');
  if (parts.length !== 3) return undefined;
  try {
    const exp: unknown = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'))?.exp;
    const ms = typeof exp === 'number' ? exp * 1000 : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

function required(headers: Headers, name: string): string {
  const value = headers.get(name);
  if (value === null || value === '') throw new Error(`Unable to sign request: ${name} is missing`);
  return value;
}

function parseKey(pem: string, passphrase: string | null): KeyObject {
  // OCI API keys and resource-principal session keys are PEM (PKCS#1 or PKCS#8, maybe encrypted).
  return createPrivateKey({ key: pem, format: 'pem', ...(passphrase && { passphrase }) });
}

function hostOf(uri: string): string {
  const start = uri.indexOf('://');
  if (start < 0) throw new Error('Cannot parse host from url');
  let end = start + 3;
  while (end < uri.length && uri[end] !== '/' && uri[end] !== '?' && uri[end] !== '#') end += 1;
  const host = uri.slice(start + 3, end);
  if (!host) throw new Error('Cannot parse host from url');
  return host.toLowerCase();
}

/** Path and query exactly as given: the caller passes the URL it sends. */
function targetOf(uri: string): string {
  const start = uri.indexOf('://');
  let i = start < 0 ? 0 : start + 3;
  while (i < uri.length && uri[i] !== '/' && uri[i] !== '?') i += 1;
  const target = uri.slice(i);
  return target.startsWith('/') ? target : `/${target}`;
}
