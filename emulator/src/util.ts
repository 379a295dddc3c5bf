import { createHash, hash, randomBytes, randomFillSync, randomUUID } from 'node:crypto';

export const newUuid = (): string => randomUUID();

const OCID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randomSuffix(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += OCID_ALPHABET[b % OCID_ALPHABET.length];
  return out;
}

/** An OCID shaped like OCI's: ocid1.<type>.oc1.<region>.<unique>. */
export function newOcid(type: string, region: string): string {
  return `ocid1.${type}.oc1.${region}.aaaaaaaa${randomSuffix(52)}`;
}

/**
 * Request ids draw from a pool of random bytes refilled 256 ids at a time: one randomFillSync call per 256
 * requests instead of a randomBytes call (a few µs) on every one. Same bytes, same randomness.
 */
const REQUEST_ID_BYTES = 16;
const requestIdPool = Buffer.alloc(REQUEST_ID_BYTES * 256);
let requestIdOffset = requestIdPool.length;

export function newRequestId(): string {
  if (requestIdOffset === requestIdPool.length) {
    randomFillSync(requestIdPool);
    requestIdOffset = 0;
  }
  const id = requestIdPool.toString('hex', requestIdOffset, requestIdOffset + REQUEST_ID_BYTES).toUpperCase();
  requestIdOffset += REQUEST_ID_BYTES;
  return id;
}

/** crypto.hash: one call, no Hash object (a third of createHash's cost for a small input). */
export const sha256Base64 = (data: Buffer | string): string => hash('sha256', data, 'base64');
export const md5Base64 = (data: Buffer | string): string => createHash('md5').update(data).digest('base64');

/** Deterministic 32-bit PRNG (mulberry32). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a), used to derive per-route PRNG streams. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** True when a string holds UTF-16 code units whose order differs from code point order. */
export const HIGH_CHARS = /[\uD800-\uFFFF]/;

function fixUnit(u: number): number {
  // Surrogates (U+D800..U+DFFF) encode code points above U+FFFF: move them above U+E000..U+FFFF.
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  if (u >= 0xe000) return u - 0x800;
  return u;
}

/** Compare two strings by Unicode code point (UTF-8 byte order). */
export function compareCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  return fixUnit(a.charCodeAt(i)) - fixUnit(b.charCodeAt(i));
}

/** Compare two strings by UTF-16 code unit (JavaScript's default order). */
export function compareCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}


export function toDate(value: Date | string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`invalid date: ${String(value)}`);
  return ms;
}
