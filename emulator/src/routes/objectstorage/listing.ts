import { type Reply, type RequestContext, type Route, iso } from '../../http';
import { invalidParameter } from '../../errors';
import type { ObjectStore } from '../../object-store';
import type { BucketRec } from '../../state';
import type { VersionRecord } from '../../types';
import type { Services } from '../../services';
import { B, bucketOf, clampLimit, decodePage, encodePage } from './shared';

const OBJECT_FIELDS = ['name', 'size', 'etag', 'md5', 'timeCreated', 'timeModified', 'storageTier', 'archivalState'] as const;
type ObjectField = (typeof OBJECT_FIELDS)[number];

/** ListObjects and ListObjectVersions. */
export function listingRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;
  return [
    {
      method: 'GET', pattern: new RegExp(`^${B}/o/?$`), operation: 'ListObjects',
      handler: (ctx) => listObjects(bucketOf(state, ctx), ctx, a.listLimitOutOfRange),
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/objectversions/?$`), operation: 'ListObjectVersions',
      handler: (ctx) => listObjectVersions(bucketOf(state, ctx), ctx, a.listLimitOutOfRange, a.versionPagesKeepNameRange),
    },
  ];
}

/** Lower-cased field name -> canonical name: OCI documents `fields` as a case-insensitive list. */
const FIELD_BY_LOWER = new Map<string, ObjectField>(OBJECT_FIELDS.map((f) => [f.toLowerCase(), f]));

/**
 * `fields` of ListObjects / ListObjectVersions: "a comma-separated, case-insensitive list of
 * those field names" (ListObjectsRequest.fields in the SDK / API reference). An unknown name is
 * rejected with 400 InvalidParameter (not documented; see README, smaller choices).
 */
function parseFields(raw: string | undefined): Set<ObjectField> {
  const out = new Set<ObjectField>(['name']);
  if (raw === undefined || raw === '') return out;
  for (const f of raw.split(',')) {
    const name = f.trim();
    if (name === '') continue;
    const field = FIELD_BY_LOWER.get(name.toLowerCase());
    if (!field) throw invalidParameter(`Invalid field '${name}'; valid fields are ${OBJECT_FIELDS.join(', ')}`);
    out.add(field);
  }
  return out;
}

function summary(name: string, v: VersionRecord, fields: Set<ObjectField>): Record<string, unknown> {
  const o: Record<string, unknown> = { name };
  if (fields.has('size')) o['size'] = v.size;
  if (fields.has('etag')) o['etag'] = v.etag;
  if (fields.has('md5')) o['md5'] = v.md5;
  if (fields.has('timeCreated')) o['timeCreated'] = iso(v.timeCreated);
  if (fields.has('timeModified')) o['timeModified'] = iso(v.timeModified);
  if (fields.has('storageTier')) o['storageTier'] = v.storageTier;
  if (fields.has('archivalState') && v.archivalState !== undefined) o['archivalState'] = v.archivalState;
  return o;
}

/** Smallest string greater than every string starting with `p`. */
function successor(p: string): string {
  const last = p.charCodeAt(p.length - 1);
  return p.slice(0, -1) + String.fromCharCode(last + 1);
}

interface ListWindow {
  prefix: string;
  delimiter: string | undefined;
  end: string | undefined;
  limit: number;
  fields: Set<ObjectField>;
}

function listWindow(ctx: RequestContext, outOfRange: { status: number; code: string } | null): ListWindow {
  const delimiter = ctx.query.get('delimiter');
  if (delimiter !== undefined && delimiter !== '/') throw invalidParameter(`Only '/' is supported as a delimiter, got '${delimiter}'`);
  return {
    prefix: ctx.query.get('prefix') ?? '',
    delimiter,
    end: ctx.query.get('end'),
    limit: clampLimit(ctx.query.int('limit'), outOfRange),
    fields: parseFields(ctx.query.get('fields')),
  };
}

/** First index to consider given prefix, start and startAfter. */
function firstIndex(store: ObjectStore, prefix: string, start: string | undefined, startAfter: string | undefined): number {
  let i = store.lowerBound(prefix);
  if (start !== undefined) i = Math.max(i, store.lowerBound(start));
  if (startAfter !== undefined) i = Math.max(i, store.lowerBound(startAfter, true));
  return i;
}

/**
 * Walk names from index i, yielding objects and collapsed prefixes.
 * `visit` returns false to stop. Skips a whole collapsed prefix with one binary search.
 */
function walk(
  store: ObjectStore,
  from: number,
  w: ListWindow,
  visit: (entry: { kind: 'name'; name: string; index: number } | { kind: 'prefix'; prefix: string; name: string }) => boolean,
  live: (name: string) => boolean,
): void {
  const cmp = store.compare;
  let i = from;
  for (;;) {
    const name = store.nameAt(i);
    if (name === undefined || !name.startsWith(w.prefix)) return;
    if (w.end !== undefined && cmp(name, w.end) >= 0) return;
    if (w.delimiter !== undefined) {
      const d = name.indexOf(w.delimiter, w.prefix.length);
      if (d >= 0) {
        const p = name.slice(0, d + w.delimiter.length);
        // A prefix is listed if any live object lies under it; check lazily from this name.
        let j = i;
        let found = false;
        const stop = store.lowerBound(successor(p));
        for (; j < stop; j++) {
          if (live(store.nameAt(j) as string)) {
            found = true;
            break;
          }
        }
        if (found && !visit({ kind: 'prefix', prefix: p, name })) return;
        i = stop;
        continue;
      }
    }
    if (live(name) && !visit({ kind: 'name', name, index: i })) return;
    i++;
  }
}

function listObjects(b: BucketRec, ctx: RequestContext, outOfRange: { status: number; code: string } | null): Reply {
  const w = listWindow(ctx, outOfRange);
  const store = b.store;
  const objects: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let nextStartWith: string | undefined;
  const live = (name: string): boolean => {
    const v = store.latest(name);
    return v !== undefined && !v.isDeleteMarker;
  };
  walk(store, firstIndex(store, w.prefix, ctx.query.get('start'), ctx.query.get('startAfter')), w, (e) => {
    if (objects.length + prefixes.length >= w.limit) {
      nextStartWith = e.kind === 'name' ? e.name : e.prefix;
      return false;
    }
    if (e.kind === 'prefix') prefixes.push(e.prefix);
    else objects.push(summary(e.name, store.latest(e.name) as VersionRecord, w.fields));
    return true;
  }, live);
  const body: Record<string, unknown> = { objects };
  if (w.delimiter !== undefined) body['prefixes'] = prefixes;
  if (nextStartWith !== undefined) body['nextStartWith'] = nextStartWith;
  return { status: 200, body };
}

function listObjectVersions(b: BucketRec, ctx: RequestContext, outOfRange: { status: number; code: string } | null, keepNameRange: boolean): Reply {
  const w = listWindow(ctx, outOfRange);
  w.fields.add('timeModified');
  const store = b.store;
  const page = ctx.query.get('page');
  const token = page !== undefined ? decodePage(page) : undefined;
  const items: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let next: { n: string; v?: string } | undefined;
  // A31: whether a page token keeps the call's start/end name range.
  const keepRange = !token || keepNameRange;
  if (!keepRange) w.end = undefined;
  const from = token
    ? Math.max(firstIndex(store, w.prefix, keepRange ? ctx.query.get('start') : undefined, ctx.query.get('startAfter')), store.lowerBound(token.n))
    : firstIndex(store, w.prefix, ctx.query.get('start'), ctx.query.get('startAfter'));
  walk(store, from, w, (e) => {
    if (e.kind === 'prefix') {
      if (items.length + prefixes.length >= w.limit) {
        next = { n: e.name };
        return false;
      }
      prefixes.push(e.prefix);
      return true;
    }
    const list = store.versions(e.name) ?? [];
    let k = list.length - 1;
    if (token && token.v !== undefined && e.name === token.n) {
      const at = list.findIndex((x) => x.versionId === token.v);
      if (at >= 0) k = at;
    }
    for (; k >= 0; k--) {
      const v = list[k] as VersionRecord;
      if (items.length + prefixes.length >= w.limit) {
        next = { n: e.name, v: v.versionId };
        return false;
      }
      items.push({ ...summary(e.name, v, w.fields), versionId: v.versionId, isDeleteMarker: v.isDeleteMarker });
    }
    return true;
  }, (name) => (store.versions(name)?.length ?? 0) > 0);
  const body: Record<string, unknown> = { items };
  if (w.delimiter !== undefined) body['prefixes'] = prefixes;
  return { status: 200, body, headers: { 'opc-next-page': next ? encodePage(next) : undefined } };
}
