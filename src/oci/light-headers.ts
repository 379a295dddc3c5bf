/**
 * The `Headers` the bundle's code (the OCI SDK's request composition, our
 * signer and HTTP client) builds request headers with. scripts/build.mjs
 * injects it in place of the global: Node's own Headers is undici's, and the
 * first `new Headers()` loads undici's whole fetch module (about a fifth of a
 * cold start), and every `set` runs WebIDL conversions. Nothing in the
 * function sends through fetch (http-client.ts puts requests on the wire).
 *
 * Behaves as the Fetch standard's Headers does for what requests need:
 * names are case-insensitive and iterate lowercased and sorted; values are
 * stripped of leading and trailing HTTP whitespace; `append` joins with
 * ", "; an invalid name, or a value with NUL, CR or LF, throws a TypeError
 * (no header injection). Guards (immutable response headers) and
 * `set-cookie` splitting do not apply to request headers.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[\0\r\n\u0100-\uffff]/;
const HTTP_WHITESPACE_EDGES = /^[\t\n\r ]+|[\t\n\r ]+$/g;

type Init = Record<string, string> | Iterable<readonly [string, string]> | { forEach(cb: (value: string, name: string) => void): void };

function headerName(name: string): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers: invalid header name "${text.slice(0, 100)}"`);
  return text.toLowerCase();
}

const isHttpWhitespace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

function headerValue(value: string): string {
  let text = String(value);
  // The edge regex scans the whole value (the authorization header is ~1.5 kB): only run it when an edge needs it.
  if (text.length > 0 && (isHttpWhitespace(text.charCodeAt(0)) || isHttpWhitespace(text.charCodeAt(text.length - 1)))) {
    text = text.replace(HTTP_WHITESPACE_EDGES, '');
  }
  if (INVALID_VALUE.test(text)) throw new TypeError('Headers: invalid header value (NUL, CR, LF or a character above U+00FF)');
  return text;
}

export class LightHeaders implements Headers {
  private readonly map = new Map<string, string>();

  constructor(init?: Init | null) {
    if (init === undefined || init === null) return;
    if (init instanceof LightHeaders || (typeof (init as { forEach?: unknown }).forEach === 'function' && !(Symbol.iterator in init))) {
      (init as { forEach(cb: (value: string, name: string) => void): void }).forEach((value, name) => this.append(name, value));
    } else if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Headers: each header must be a [name, value] pair');
        this.append(pair[0], pair[1]);
      }
    } else {
      for (const [name, value] of Object.entries(init as Record<string, string>)) this.append(name, value);
    }
  }

  append(name: string, value: string): void {
    const key = headerName(name);
    const text = headerValue(value);
    const existing = this.map.get(key);
    this.map.set(key, existing === undefined ? text : `${existing}, ${text}`);
  }

  set(name: string, value: string): void {
    this.map.set(headerName(name), headerValue(value));
  }

  get(name: string): string | null {
    return this.map.get(headerName(name)) ?? null;
  }

  has(name: string): boolean {
    return this.map.has(headerName(name));
  }

  delete(name: string): void {
    this.map.delete(headerName(name));
  }

  getSetCookie(): string[] {
    const value = this.map.get('set-cookie');
    return value === undefined ? [] : [value];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.map.keys()].sort()) yield [name, this.map.get(name) as string];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

/** What scripts/build.mjs injects: free references to `Headers` in the bundle resolve here. */
export { LightHeaders as Headers };
