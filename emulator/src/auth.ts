import { createHash, createPublicKey, createSign, createVerify, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { notAuthenticated } from './errors';
import { newUuid, sha256Base64 } from './util';

/** Who signed a request. */
export type Principal =
  | { kind: 'resource'; tenancyId: string; compartmentId: string; /** The token's `sub`: the resource's OCID. */ resourceId?: string }
  | { kind: 'user'; tenancyId: string; userId: string; fingerprint: string };

export interface ResourcePrincipalEnv {
  OCI_RESOURCE_PRINCIPAL_VERSION: '2.2';
  OCI_RESOURCE_PRINCIPAL_RPST: string;
  OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: string;
  OCI_RESOURCE_PRINCIPAL_REGION: string;
  [name: string]: string;
}

export interface ApiKeyPrincipal {
  keyId: string;
  tenancyId: string;
  userId: string;
  fingerprint: string;
  /** PEM of the private key, when the emulator generated the pair. */
  privateKeyPem: string | undefined;
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** Headers every request must sign, and those a request with a body must sign besides (in the order they are checked). */
const BASE_HEADERS: readonly string[] = ['(request-target)', 'host'];
const BODY_HEADERS: readonly string[] = [...BASE_HEADERS, 'content-type', 'content-length', 'x-content-sha256'];

export interface VerifyInput {
  method: string;
  /** Raw request target (path and query) as received. */
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer | undefined;
  /** PutObject / UploadPart: the body need not be signed. */
  bodyExempt: boolean;
}

/**
 * Issues resource-principal session tokens (RPST) and API keys, and verifies
 * OCI HTTP signatures (draft-cavage, rsa-sha256) made with either.
 */
export class Authenticator {
  private readonly signingKey: KeyObject;
  private readonly signingPublicKey: KeyObject;
  private readonly signingKid = `emulator-${newUuid()}`;
  private readonly apiKeys = new Map<string, { principal: ApiKeyPrincipal; publicKey: KeyObject }>();
  /** Session public keys by RPST, so a token's JWK is parsed once. */
  private readonly tokenCache = new Map<string, { principal: Principal; publicKey: KeyObject; exp: number }>();
  /**
   * The last token verified and its entry: a caller signs request after request with one token, and comparing
   * two ~2 kB strings is cheaper than hashing a new one for the map. Expiry is still checked on every request.
   */
  private lastToken: { token: string; entry: { principal: Principal; publicKey: KeyObject; exp: number } } | undefined;

  constructor(
    private readonly region: string,
    private readonly defaultTenancyId: string,
    private readonly clockSkewToleranceSeconds: number,
    private readonly acceptLegacyEscapedTarget = false,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.signingKey = privateKey;
    this.signingPublicKey = publicKey;
  }

  issueResourcePrincipal(input: { tenancyId?: string; compartmentId: string; ttlSeconds?: number }): ResourcePrincipalEnv {
    const session = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const jwk = session.publicKey.export({ format: 'jwk' });
    const header = { alg: 'RS256', typ: 'JWT', kid: this.signingKid };
    const claims = {
      sub: `ocid1.fnfunc.oc1.${this.region}.emulator`,
      iss: 'authService.oracle.com',
      aud: 'oci',
      iat: now,
      exp: now + (input.ttlSeconds ?? 3600),
      jti: newUuid(),
      res_type: 'fnfunc',
      res_tenant: input.tenancyId ?? this.defaultTenancyId,
      res_compartment: input.compartmentId,
      ttype: 'res',
      jwk: JSON.stringify({ ...jwk, kid: 'session', alg: 'RS256', use: 'sig' }),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(this.signingKey);
    return {
      OCI_RESOURCE_PRINCIPAL_VERSION: '2.2',
      OCI_RESOURCE_PRINCIPAL_RPST: `${signingInput}.${b64url(signature)}`,
      OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: session.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      OCI_RESOURCE_PRINCIPAL_REGION: this.region,
    };
  }

  /** Accept an API key. Without a public key the emulator generates a pair and returns the private half. */
  registerApiKey(input: { tenancyId?: string; userId: string; fingerprint?: string; publicKeyPem?: string }): ApiKeyPrincipal {
    let publicKey: KeyObject;
    let privateKeyPem: string | undefined;
    if (input.publicKeyPem) {
      publicKey = createPublicKey(input.publicKeyPem);
    } else {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      publicKey = pair.publicKey;
      privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    }
    const fingerprint = input.fingerprint ?? fingerprintOf(publicKey);
    const tenancyId = input.tenancyId ?? this.defaultTenancyId;
    const keyId = `${tenancyId}/${input.userId}/${fingerprint}`;
    const principal: ApiKeyPrincipal = { keyId, tenancyId, userId: input.userId, fingerprint, privateKeyPem };
    this.apiKeys.set(keyId, { principal, publicKey });
    return principal;
  }

  private verifyRpst(token: string): { principal: Principal; publicKey: KeyObject } {
    const last = this.lastToken;
    const cached = last !== undefined && last.token === token ? last.entry : this.tokenCache.get(token);
    const nowSeconds = Date.now() / 1000;
    if (cached) {
      if (cached.exp <= nowSeconds) throw notAuthenticated('The security token has expired.');
      this.lastToken = { token, entry: cached };
      return cached;
    }
    const parts = token.split('.');
    if (parts.length !== 3) throw notAuthenticated('Malformed security token.');
    const [h, p, s] = parts as [string, string, string];
    let header: { alg?: string };
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw notAuthenticated('Malformed security token.');
    }
    if (header.alg !== 'RS256') throw notAuthenticated('Unsupported security token algorithm.');
    const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(this.signingPublicKey, Buffer.from(s, 'base64url'));
    if (!ok) throw notAuthenticated('The security token signature is invalid.');
    const exp = claims['exp'];
    if (typeof exp !== 'number' || exp <= nowSeconds) throw notAuthenticated('The security token has expired.');
    const tenancyId = claims['res_tenant'];
    const compartmentId = claims['res_compartment'];
    const jwkText = claims['jwk'];
    if (typeof tenancyId !== 'string' || typeof compartmentId !== 'string' || typeof jwkText !== 'string') {
      throw notAuthenticated('The security token lacks res_tenant, res_compartment or jwk.');
    }
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: JSON.parse(jwkText) as JsonWebKey, format: 'jwk' });
    } catch {
      throw notAuthenticated('The security token carries an unreadable session key.');
    }
    const sub = claims['sub'];
    const principal: Principal = { kind: 'resource', tenancyId, compartmentId, ...(typeof sub === 'string' && { resourceId: sub }) };
    const entry = { principal, publicKey, exp };
    this.tokenCache.set(token, entry);
    return entry;
  }

  /** Verify a request's signature; throws 401 NotAuthenticated on any failure. */
  verify(input: VerifyInput): Principal {
    const authorization = input.headers['authorization'];
    if (typeof authorization !== 'string' || !authorization.startsWith('Signature ')) {
      throw notAuthenticated('Missing or malformed Authorization header.');
    }
    const params = new Map<string, string>();
    for (const m of authorization.slice('Signature '.length).matchAll(/([a-zA-Z]+)="([^"]*)"/g)) {
      params.set((m[1] as string).toLowerCase(), m[2] as string);
    }
    const keyId = params.get('keyid');
    const signature = params.get('signature');
    const algorithm = params.get('algorithm');
    const headerList = params.get('headers');
    if (params.get('version') !== '1') throw notAuthenticated('Signature version must be 1.');
    if (!keyId || !signature || !headerList) throw notAuthenticated('Signature lacks keyId, headers or signature.');
    if (algorithm !== 'rsa-sha256') throw notAuthenticated(`Unsupported algorithm ${String(algorithm)}.`);
    const signed = headerList.toLowerCase().split(/\s+/).filter(Boolean);
    const method = input.method.toUpperCase();
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    const required = hasBody && !input.bodyExempt ? BODY_HEADERS : BASE_HEADERS;
    for (const h of required) {
      if (!signed.includes(h)) throw notAuthenticated(`The signature must cover the '${h}' header.`);
    }
    if (!signed.includes('date') && !signed.includes('x-date')) throw notAuthenticated("The signature must cover 'date' or 'x-date'.");

    const lines: string[] = [];
    let targetLine = -1;
    for (const h of signed) {
      if (h === '(request-target)') {
        targetLine = lines.length;
        lines.push(`(request-target): ${input.method.toLowerCase()} ${input.target}`);
        continue;
      }
      const value = input.headers[h];
      if (value === undefined) throw notAuthenticated(`Signed header '${h}' is missing from the request.`);
      lines.push(`${h}: ${Array.isArray(value) ? value.join(', ') : value}`);
    }

    const dateText = (signed.includes('x-date') ? input.headers['x-date'] : input.headers['date']) as string | undefined;
    const date = dateText ? Date.parse(dateText) : NaN;
    if (Number.isNaN(date)) throw notAuthenticated('The request date is missing or unreadable.');
    if (Math.abs(Date.now() - date) > this.clockSkewToleranceSeconds * 1000) {
      throw notAuthenticated(`The request date ${dateText} is more than ${this.clockSkewToleranceSeconds} seconds from the server's clock.`);
    }

    if (signed.includes('x-content-sha256')) {
      const expected = sha256Base64(input.body ?? Buffer.alloc(0));
      if (input.headers['x-content-sha256'] !== expected) throw notAuthenticated('x-content-sha256 does not match the request body.');
    }

    let principal: Principal;
    let publicKey: KeyObject;
    if (keyId.startsWith('ST$')) {
      ({ principal, publicKey } = this.verifyRpst(keyId.slice(3)));
    } else {
      const entry = this.apiKeys.get(keyId);
      if (!entry) throw notAuthenticated(`Unknown keyId ${keyId}.`);
      principal = { kind: 'user', tenancyId: entry.principal.tenancyId, userId: entry.principal.userId, fingerprint: entry.principal.fingerprint };
      publicKey = entry.publicKey;
    }
    const signatureBytes = Buffer.from(signature, 'base64');
    let valid = rsaSha256Verifies(lines.join('\n'), publicKey, signatureBytes);
    if (!valid && this.acceptLegacyEscapedTarget && targetLine >= 0) {
      const escaped = input.target.replace(/[{}|\\^`'"<> ]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
      if (escaped !== input.target) {
        lines[targetLine] = `(request-target): ${input.method.toLowerCase()} ${escaped}`;
        valid = rsaSha256Verifies(lines.join('\n'), publicKey, signatureBytes);
      }
    }
    if (!valid) throw notAuthenticated('The signature does not verify.');
    return principal;
  }
}

/** A module-level function, not a closure per request: under tsx each named closure also costs a defineProperty. */
function rsaSha256Verifies(text: string, publicKey: KeyObject, signature: Buffer): boolean {
  return createVerify('RSA-SHA256').update(text).verify(publicKey, signature);
}

/** OCI API key fingerprint: MD5 of the DER public key, colon-separated hex. */
export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const hex = createHash('md5').update(der).digest('hex');
  return hex.match(/../g)?.join(':') ?? hex;
}
