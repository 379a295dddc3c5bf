/**
 * The request target (path and query) exactly as it goes on the wire, and
 * therefore exactly as it is signed.
 *
 * The SDK builds paths with encodeURIComponent, which leaves `'` raw, and puts
 * query values in without encoding them at all (OCI-NOTES.md). Here every
 * character outside RFC 3986's unreserved set and the delimiters a target
 * needs is percent-encoded as UTF-8, `'` included (`%27`, the Python SDK's
 * choice; OCI decodes it back), and a `%` that does not start an escape
 * becomes `%25`. Escapes already present are kept as they are, so the
 * encoding done by callers (object-storage.ts) is never applied twice.
 */

/** Characters that stay as they are: unreserved, the sub-delimiters but `'`, and `: @ / ? %`. */
const SAFE = /^[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

export interface WireUrl {
  /** `https:` or `http:`. */
  readonly protocol: string;
  readonly hostname: string;
  /** Empty for the scheme's default port. */
  readonly port: string;
  /** `host[:port]` as the `host` header carries it. */
  readonly host: string;
  /** Path and query, encoded for the wire. */
  readonly target: string;
}

export function toWireUrl(uri: string): WireUrl {
  const schemeEnd = uri.indexOf('://');
  if (schemeEnd <= 0) throw new TypeError(`not an absolute URL: ${uri.slice(0, 200)}`);
  const protocol = `${uri.slice(0, schemeEnd).toLowerCase()}:`;
  if (protocol !== 'https:' && protocol !== 'http:') throw new TypeError(`unsupported protocol ${protocol}`);
  const authorityStart = schemeEnd + 3;
  let pathStart = authorityStart;
  while (pathStart < uri.length && uri[pathStart] !== '/' && uri[pathStart] !== '?') pathStart += 1;
  const host = uri.slice(authorityStart, pathStart);
  if (!host || host.includes('@')) throw new TypeError('the URL must name a host and carry no credentials');
  const { hostname, port } = splitHost(host);
  const rest = uri.slice(pathStart);
  const target = encodeTarget(rest.startsWith('/') ? rest : `/${rest}`);
  return { protocol, hostname, port, host, target };
}

function splitHost(host: string): { hostname: string; port: string } {
  // [v6]:port or name:port
  const close = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  if (colon > close) return { hostname: host.slice(0, colon).replace(/^\[|\]$/g, ''), port: host.slice(colon + 1) };
  return { hostname: host.replace(/^\[|\]$/g, ''), port: '' };
}

export function encodeTarget(target: string): string {
  if (SAFE.test(target) && !hasStrayPercent(target)) return target;
  let out = '';
  const chars = Array.from(target); // code points, so a character outside the BMP is encoded whole
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i] as string;
    if (ch === '%') out += HEX.test(`${chars[i + 1] ?? ''}${chars[i + 2] ?? ''}`) ? '%' : '%25';
    else out += SAFE.test(ch) ? ch : encodeChar(ch);
  }
  return out;
}

function encodeChar(ch: string): string {
  if (ch === "'") return '%27'; // encodeURIComponent leaves it raw
  try {
    return encodeURIComponent(ch);
  } catch {
    return '%EF%BF%BD'; // a lone surrogate has no UTF-8 form: U+FFFD, as the WHATWG URL parser does
  }
}

function hasStrayPercent(target: string): boolean {
  for (let i = target.indexOf('%'); i !== -1; i = target.indexOf('%', i + 1)) {
    if (!HEX.test(target.slice(i + 1, i + 3))) return true;
  }
  return false;
}
