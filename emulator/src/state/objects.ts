import { EmulatorUsageError } from '../errors';
import type { EmulatorState } from '../state';
import type {
  ArchivalState,
  Encryption,
  EncryptionRow,
  EncryptionSummaryRow,
  ReadEncryptionOptions,
  SeedGenerator,
  SeedObject,
  SeedResult,
  SeedVersion,
  StorageTier,
  VersionRecord,
} from '../types';
import { md5Base64, toDate } from '../util';
import { ObjectVersion } from '../version';
import type { BucketRec } from './buckets';

const EMPTY_MD5 = md5Base64('');

function seedVersion(state: EmulatorState, bucket: BucketRec, v: SeedVersion, now: number, fallback: Encryption): VersionRecord {
  const timeModified = toDate(v.timeModified, now);
  const storageTier: StorageTier = v.storageTier ?? (bucket.storageTier === 'Archive' ? 'Archive' : 'Standard');
  const archivalState: ArchivalState | undefined = v.archivalState ?? (storageTier === 'Archive' ? 'Archived' : undefined);
  return new ObjectVersion(
    v.versionId, v.etag, v.md5 ?? EMPTY_MD5, v.size ?? 0, toDate(v.timeCreated, timeModified), timeModified,
    storageTier, archivalState, v.encryption ? state.resolveEncryptionInput(v.encryption, bucket) : fallback,
    false, v.contentType, v.metadata,
  );
}

export function deleteMarker(timeModified: number): VersionRecord {
  return new ObjectVersion(undefined, undefined, EMPTY_MD5, 0, timeModified, timeModified, 'Standard', undefined, null, true, undefined, undefined);
}

/** Bulk insert object versions, bypassing the API (no events, no counters). */
export function seedObjects(state: EmulatorState, bucketName: string, input: SeedObject[] | SeedGenerator): SeedResult {
  const started = Date.now();
  const bucket = state.buckets.get(bucketName);
  if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
  const fallback = state.bucketEncryption(bucket);
  const entries = new Map<string, VersionRecord[]>();
  let versions = 0;
  const push = (name: string, list: VersionRecord[]): void => {
    const existing = entries.get(name);
    if (existing) existing.push(...list);
    else entries.set(name, list);
    versions += list.length;
  };
  if (Array.isArray(input)) {
    for (const o of input) {
      if (typeof o.name !== 'string' || o.name === '') throw new EmulatorUsageError('every seeded object needs a name');
      const list: VersionRecord[] = [];
      for (const pv of o.previousVersions ?? []) list.push(seedVersion(state, bucket, pv, started, fallback));
      const newest = seedVersion(state, bucket, o, started, fallback);
      list.push(newest);
      if (o.deleteMarker) {
        const t = typeof o.deleteMarker === 'object' ? toDate(o.deleteMarker.timeModified, started) : Math.max(started, newest.timeModified + 1);
        list.push(deleteMarker(t));
      }
      push(o.name, list);
    }
  } else {
    const g = input;
    if (!Number.isInteger(g.count) || g.count < 0) throw new EmulatorUsageError(`count must be a non-negative integer, got ${g.count}`);
    const start = g.startIndex ?? 0;
    const pad = g.pad ?? String(start + g.count - 1).length;
    const prefix = g.prefix ?? 'object-';
    const suffix = g.suffix ?? '';
    const baseTime = toDate(g.timeModified, started);
    const step = g.timeStepMs ?? 0;
    const encryption = g.encryption ? state.resolveEncryptionInput(g.encryption, bucket) : fallback;
    const oldEncryption = g.extraVersionEncryption ? state.resolveEncryptionInput(g.extraVersionEncryption, bucket) : encryption;
    const extra = g.extraVersions ?? 0;
    const tier: StorageTier = g.storageTier ?? 'Standard';
    const md5 = EMPTY_MD5;
    const names: string[] = [];
    const lists: (VersionRecord | VersionRecord[])[] = [];
    const size = g.size ?? 0;
    for (let i = start; i < start + g.count; i++) {
      const name = `${prefix}${String(i).padStart(pad, '0')}${suffix}`;
      const t = baseTime + (i - start) * step;
      const archived = (g.archivedEvery !== undefined && g.archivedEvery > 0 && i % g.archivedEvery === 0) || tier === 'Archive';
      const newest = new ObjectVersion(undefined, undefined, md5, size, t, t, archived ? 'Archive' : tier, archived ? 'Archived' : undefined, encryption, false, undefined, undefined);
      const marker = g.deleteMarkerEvery !== undefined && g.deleteMarkerEvery > 0 && i % g.deleteMarkerEvery === 0;
      if (extra === 0 && !marker) {
        names.push(name);
        lists.push(newest);
        versions++;
        continue;
      }
      const list: VersionRecord[] = [];
      for (let k = extra; k >= 1; k--) {
        list.push(new ObjectVersion(undefined, undefined, md5, size, t - k * 1000, t - k * 1000, tier, tier === 'Archive' ? 'Archived' : undefined, oldEncryption, false, undefined, undefined));
      }
      list.push(newest);
      if (marker) list.push(deleteMarker(t + 1));
      names.push(name);
      lists.push(list);
      versions += list.length;
    }
    bucket.store.bulkInsert(names, lists);
    return { objects: names.length, versions, ms: Date.now() - started };
  }
  bucket.store.bulkInsert([...entries.keys()], [...entries.values()].map((l) => (l.length === 1 ? (l[0] as VersionRecord) : l)));
  return { objects: entries.size, versions, ms: Date.now() - started };
}

/** Every object version's encryption state, in list order (name, then newest version first). */
export function* iterateEncryption(state: EmulatorState, bucketName: string, options: ReadEncryptionOptions = {}): Generator<EncryptionRow> {
  const bucket = state.buckets.get(bucketName);
  if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
  const store = bucket.store;
  const prefix = options.prefix ?? '';
  for (const name of store.namesFrom(store.lowerBound(prefix))) {
    if (!name.startsWith(prefix)) break;
    const list = store.versions(name);
    if (!list || list.length === 0) continue;
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i] as VersionRecord;
      const isLatest = i === list.length - 1;
      if (!options.includeVersions && (!isLatest || v.isDeleteMarker)) break;
      yield toRow(name, v, isLatest);
    }
  }
}

export function readEncryption(state: EmulatorState, bucketName: string, options: ReadEncryptionOptions = {}): EncryptionRow[] {
  return [...iterateEncryption(state, bucketName, options)];
}

/** Counts per (kind, keyId, keyVersionId / keySha256); delete markers are not counted. */
export function encryptionSummary(state: EmulatorState, bucketName: string, options: ReadEncryptionOptions = {}): EncryptionSummaryRow[] {
  const bucket = state.buckets.get(bucketName);
  if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
  const counts = new Map<Encryption, number>();
  const store = bucket.store;
  const prefix = options.prefix ?? '';
  for (const name of store.namesFrom(store.lowerBound(prefix))) {
    if (!name.startsWith(prefix)) break;
    const list = store.versions(name) ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const v = list[i] as VersionRecord;
      if (!options.includeVersions && (i !== list.length - 1 || v.isDeleteMarker)) break;
      if (v.encryption) counts.set(v.encryption, (counts.get(v.encryption) ?? 0) + 1);
    }
  }
  return [...counts].map(([enc, count]) => ({ ...enc, count }));
}

function toRow(name: string, v: VersionRecord, isLatest: boolean): EncryptionRow {
  const e = v.encryption;
  return {
    name,
    versionId: v.versionId,
    isDeleteMarker: v.isDeleteMarker,
    isLatest,
    timeCreated: new Date(v.timeCreated),
    timeModified: new Date(v.timeModified),
    archivalState: v.archivalState,
    storageTier: v.storageTier,
    encryption: e === null ? { kind: 'none' } : { ...e },
  };
}
