/**
 * Where a Key Management event keeps the key OCID is not published (see
 * OCI-NOTES.md). Look in the likely places first, then anywhere in `data`,
 * so the function works whichever layout OCI uses.
 */
import { MAX_OCID_CHARS } from './schemas';

/**
 * Whole OCIDs only, as the manual request's schema has them: a string that merely starts like one
 * (200 KB long, or carrying `/`, `?` or a line break) is not taken for a key to look up and report.
 */
const ocidOf = (type: string) => new RegExp(`^ocid1\\.${type}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[A-Za-z0-9._-]+$`);
const KEY = ocidOf('key');
const KEY_VERSION = ocidOf('keyversion');
const VAULT = ocidOf('vault');

export interface KeyReference {
  readonly keyId?: string;
  readonly keyVersionId?: string;
  readonly vaultId?: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export function findKeyReference(data: Record<string, unknown>): KeyReference {
  const details = isRecord(data.additionalDetails) ? data.additionalDetails : {};
  const preferred = [details.keyId, details.keyOcid, data.resourceId, details.resourceId];
  const all = [...preferred, ...collectStrings(data as Json)];
  const keyId = first(all, KEY);
  const keyVersionId = first([details.keyVersionId, data.resourceId, ...all], KEY_VERSION);
  const vaultId = first([details.vaultId, ...all], VAULT);
  return { ...(keyId && { keyId }), ...(keyVersionId && { keyVersionId }), ...(vaultId && { vaultId }) };
}

function first(values: readonly unknown[], pattern: RegExp): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.length <= MAX_OCID_CHARS && pattern.test(v));
}

function collectStrings(value: Json, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || value === null) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out, depth + 1);
  else if (typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out, depth + 1);
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
