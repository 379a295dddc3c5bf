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
/**
 * A value node:http sends as it is: tab, visible ASCII, space and obs-text
 * only. Such a value also passes fetch's rule (INVALID_VALUE), so one scan of
 * a value usually settles both questions (see `wireSafe`). Anchored, as
 * V8 runs it faster than a search for the first bad character.
 */
const WIRE_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;
const HTTP_WHITESPACE_EDGES = /^[\t\n\r ]+|[\t\n\r ]+$/g;

type Init = Record<string, string> | Iterable<readonly [string, string]> | { forEach(cb: (value: string, name: string) => void): void };

/**
 * Names already checked, as given, to their lowercase form: a request's
 * headers are read and written ~20 times by name (the SDK, the signer, the
 * HTTP client) under the same few literal names. Bounded: hostile input
 * cannot grow it past MAX_KNOWN_NAMES.
 */
const knownNames = new Map<string, string>();
const MAX_KNOWN_NAMES = 256;

function headerName(name: string): string {
  const text = typeof name === 'string' ? name : String(name);
  const known = knownNames.get(text);
  if (known !== undefined) return known;
  if (!TOKEN.test(text)) throw new TypeError(`Headers: invalid header name "${text.slice(0, 100)}"`);
  const lower = text.toLowerCase();
  if (knownNames.size < MAX_KNOWN_NAMES) knownNames.set(text, lower);
  return lower;
}

/** The names the last LightHeaders sorted (never changed: a new set of names gets a new array). */
let lastSorted: readonly string[] = Object.freeze([]);

function hasExactly(names: readonly string[], map: ReadonlyMap<string, string>): boolean {
  if (names.length !== map.size) return false;
  for (const name of names) if (!map.has(name)) return false;
  return true;
}

const isHttpWhitespace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

function headerValue(value: string): string {
  let text = String(value);
  // The edge regex scans the whole value (the authorization header is ~1.5 kB): only run it when an edge needs it.
  if (text.length > 0 && (isHttpWhitespace(text.charCodeAt(0)) || isHttpWhitespace(text.charCodeAt(text.length - 1)))) {
    text = text.replace(HTTP_WHITESPACE_EDGES, '');
  }
  return text;
}

/** Whether `text` (a stripped value) may go on the wire as node:http allows; throws where fetch's Headers throws. */
function checkValue(text: string): boolean {
  if (WIRE_SAFE.test(text)) return true;
  if (INVALID_VALUE.test(text)) throw new TypeError('Headers: invalid header value (NUL, CR, LF or a character above U+00FF)');
  return false;
}

/**
 * A value's leading part that was checked once as LightHeaders checks a whole
 * value (wire-safe, no leading whitespace), so values that start with it can
 * be set checking only their rest (`setAfterChecked`). The signer's
 * `authorization` value is a ~2 kB prefix (the key id: a session token) that
 * stays the same for many requests, then a 344-character signature.
 */
export class CheckedPrefix {
  private constructor(readonly text: string) {}

  /** The prefix, or undefined when it is empty or a value starting with it would not be one node:http sends as it is. */
  static of(text: string): CheckedPrefix | undefined {
    if (text.length === 0 || isHttpWhitespace(text.charCodeAt(0)) || !WIRE_SAFE.test(text)) return undefined;
    return new CheckedPrefix(text);
  }
}

export class LightHeaders implements Headers {
  private readonly map = new Map<string, string>();
  /** Names whose value fetch accepts but node:http would refuse (another control character): usually none. */
  private notWireSafe: Set<string> | undefined;
  /** The names sorted, as iteration goes; dropped when a name comes or goes. */
  private sorted: readonly string[] | undefined;

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
    const safe = checkValue(text);
    const existing = this.map.get(key);
    if (existing === undefined) {
      this.sorted = undefined;
      this.map.set(key, text);
      this.markWireSafe(key, safe);
    } else {
      this.map.set(key, `${existing}, ${text}`);
      if (!safe) this.markWireSafe(key, false); // safe, ", " and safe is safe
    }
  }

  set(name: string, value: string): void {
    const key = headerName(name);
    const text = headerValue(value);
    const safe = checkValue(text);
    if (!this.map.has(key)) this.sorted = undefined;
    this.map.set(key, text);
    this.markWireSafe(key, safe);
  }

  /**
   * `set(name, prefix.text + rest)`, scanning only `rest`: the value is kept as
   * the two joined (V8 joins them without copying the prefix). A `rest` that
   * is not wire-safe or ends in whitespace goes through `set`.
   */
  setAfterChecked(name: string, prefix: CheckedPrefix, rest: string): void {
    if (rest.length === 0 || isHttpWhitespace(rest.charCodeAt(rest.length - 1)) || !WIRE_SAFE.test(rest)) {
      this.set(name, prefix.text + rest);
      return;
    }
    const key = headerName(name);
    if (!this.map.has(key)) this.sorted = undefined;
    this.map.set(key, prefix.text + rest);
    this.markWireSafe(key, true);
  }

  /**
   * True when the value of `name` (lowercase) has only the characters
   * node:http allows in a field value: tab, space, visible ASCII, obs-text.
   * The HTTP client (http-client.ts) asks this instead of scanning every
   * value a second time; the `authorization` value is ~2 kB.
   */
  wireSafe(name: string): boolean {
    return this.map.has(name) && !this.notWireSafe?.has(name);
  }

  private markWireSafe(key: string, safe: boolean): void {
    if (!safe) (this.notWireSafe ??= new Set()).add(key);
    else this.notWireSafe?.delete(key);
  }

  get(name: string): string | null {
    return this.map.get(headerName(name)) ?? null;
  }

  has(name: string): boolean {
    return this.map.has(headerName(name));
  }

  delete(name: string): void {
    const key = headerName(name);
    if (this.map.delete(key)) this.sorted = undefined;
    this.notWireSafe?.delete(key);
  }

  getSetCookie(): string[] {
    const value = this.map.get('set-cookie');
    return value === undefined ? [] : [value];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const name of this.sortedNames()) {
      const value = this.map.get(name);
      if (value !== undefined) callback.call(thisArg, value, name, this); // the callback may have deleted it
    }
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of this.sortedNames()) {
      const value = this.map.get(name);
      if (value !== undefined) yield [name, value];
    }
  }

  private sortedNames(): readonly string[] {
    if (this.sorted === undefined) {
      // Requests of one kind carry the same names (every ReencryptObject the same nine): sorted once, shared.
      this.sorted = hasExactly(lastSorted, this.map) ? lastSorted : (lastSorted = Object.freeze([...this.map.keys()].sort()));
    }
    return this.sorted;
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
