import { ApiError, invalidParameter } from '../errors';
import { type Reply, type RequestContext, type Route, header, httpDate, iso, jsonBody } from '../http';
import type { ObjectStore } from '../object-store';
import type { BucketRec, EmulatorState } from '../state';
import { type Encryption, StorageTiers, type StorageTier, type VersionRecord } from '../types';
import { md5Base64, sha256Base64 } from '../util';
import { ObjectVersion } from '../version';
import type { Services } from '../services';

const NS = '/n/([^/]+)';
const B = `${NS}/b/([^/]+)`;
const OBJECT_FIELDS = ['name', 'size', 'etag', 'md5', 'timeCreated', 'timeModified', 'storageTier', 'archivalState'] as const;
type ObjectField = (typeof OBJECT_FIELDS)[number];

interface SseCKey {
  algorithm: string;
  key: string;
  keySha256: string;
}

export function objectStorageRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;

  const bucketOf = (ctx: RequestContext): BucketRec => {
    checkNamespace(state, ctx.params[0] as string);
    return state.bucket(ctx.params[1] as string);
  };

  const objectNotFound = (bucket: BucketRec, name: string, versionId?: string): ApiError =>
    new ApiError(404, 'ObjectNotFound', `The object '${name}'${versionId ? ` (version ${versionId})` : ''} was not found in the bucket '${bucket.name}'`);

  /** The version a request addresses: the named one, or the latest (404 if it is a delete marker). */
  const addressedVersion = (bucket: BucketRec, name: string, versionId: string | undefined): VersionRecord => {
    const list = bucket.store.versions(name);
    if (!list || list.length === 0) throw objectNotFound(bucket, name, versionId);
    if (versionId !== undefined) {
      const v = list.find((x) => x.versionId === versionId);
      if (!v) throw objectNotFound(bucket, name, versionId);
      return v;
    }
    const latest = list[list.length - 1] as VersionRecord;
    if (latest.isDeleteMarker) throw objectNotFound(bucket, name);
    return latest;
  };

  const bucketJson = (b: BucketRec, fields: string[]): Record<string, unknown> => {
    const wanted = new Set(fields);
    for (const f of wanted) {
      if (f !== 'approximateCount' && f !== 'approximateSize' && f !== 'autoTiering') throw invalidParameter(`Invalid field '${f}'`);
    }
    const out: Record<string, unknown> = {
      namespace: b.namespace,
      name: b.name,
      compartmentId: b.compartmentId,
      metadata: {},
      createdBy: b.createdBy,
      timeCreated: iso(b.timeCreated),
      etag: b.etag,
      publicAccessType: b.publicAccessType,
      storageTier: b.storageTier,
      objectEventsEnabled: b.objectEventsEnabled,
      freeformTags: b.freeformTags,
      definedTags: b.definedTags,
      ...(b.kmsKeyId ? { kmsKeyId: b.kmsKeyId } : {}),
      replicationEnabled: false,
      isReadOnly: false,
      id: b.id,
      versioning: b.versioning,
      autoTiering: 'Disabled',
    };
    if (wanted.has('approximateCount') || wanted.has('approximateSize')) {
      let count = 0;
      let size = 0;
      for (const name of b.store.namesFrom(0)) {
        for (const v of b.store.versions(name) ?? []) {
          if (!v.isDeleteMarker) {
            count++;
            size += v.size;
          }
        }
      }
      if (wanted.has('approximateCount')) out['approximateCount'] = count;
      if (wanted.has('approximateSize')) out['approximateSize'] = size;
    }
    return out;
  };

  const checkIfMatch = (ctx: RequestContext, etag: string | undefined): void => {
    const ifMatch = header(ctx, 'if-match');
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) {
      throw new ApiError(412, 'IfMatchFailed', `The If-Match header '${ifMatch}' does not match the current ETag`);
    }
    if (ifMatch === '*' && etag === undefined) throw new ApiError(412, 'IfMatchFailed', 'The resource does not exist');
  };

  const sseCFromHeaders = (ctx: RequestContext): SseCKey | undefined => {
    const algorithm = header(ctx, 'opc-sse-customer-algorithm');
    const key = header(ctx, 'opc-sse-customer-key');
    const keySha256 = header(ctx, 'opc-sse-customer-key-sha256');
    if (algorithm === undefined && key === undefined && keySha256 === undefined) return undefined;
    if (algorithm === undefined || key === undefined || keySha256 === undefined) {
      throw invalidParameter('opc-sse-customer-algorithm, opc-sse-customer-key and opc-sse-customer-key-sha256 must be sent together');
    }
    return validateSseC({ algorithm, key, keySha256 }, 'headers');
  };

  const emitObject = (kind: 'createobject' | 'updateobject' | 'deleteobject', b: BucketRec, name: string, v: VersionRecord): void => {
    if (b.objectEventsEnabled) state.events?.objectChanged(kind, b, name, v);
  };

  const objectHeaders = (b: BucketRec, v: VersionRecord): Record<string, string | undefined> => {
    const h: Record<string, string | undefined> = {
      etag: v.etag,
      'content-length': String(v.size),
      'content-md5': v.md5,
      'content-type': v.contentType ?? 'application/octet-stream',
      'last-modified': httpDate(v.timeModified),
      'storage-tier': v.storageTier,
      'archival-state': v.archivalState,
      'version-id': b.versioning === 'Disabled' ? undefined : v.versionId,
    };
    if (v.encryption?.kind === 'sse-c') {
      h['opc-sse-customer-algorithm'] = 'AES256';
      h['opc-sse-customer-key-sha256'] = v.encryption.keySha256;
    }
    for (const [k, val] of Object.entries(v.metadata ?? {})) h[`opc-meta-${k}`] = val;
    return h;
  };

  /** SSE-C rules for reading an object (HeadObject / GetObject). */
  const checkReadKey = (ctx: RequestContext, v: VersionRecord): void => {
    const given = sseCFromHeaders(ctx);
    if (v.encryption?.kind === 'sse-c') {
      if (!given) throw ApiError.from(a.headSseCWithoutKey, 'The object is encrypted with a customer-provided key; the SSE-C headers are required');
      if (given.keySha256 !== v.encryption.keySha256) throw ApiError.from(a.sseCKeyMismatch, 'The customer-provided key does not match the key the object is encrypted with');
    } else if (given && a.headSseCOnNonSseCObject) {
      throw ApiError.from(a.headSseCOnNonSseCObject, 'The object is not encrypted with a customer-provided key');
    }
  };

  const readObject = (ctx: RequestContext, withBody: boolean): Reply => {
    const b = bucketOf(ctx);
    const name = ctx.params[2] as string;
    const v = addressedVersion(b, name, ctx.query.get('versionId'));
    if (v.isDeleteMarker) throw objectNotFound(b, name, v.versionId);
    checkReadKey(ctx, v);
    const ifNoneMatch = header(ctx, 'if-none-match');
    if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch === v.etag)) return { status: 304, headers: { etag: v.etag } };
    checkIfMatch(ctx, v.etag);
    if (withBody && (v.archivalState === 'Archived' || v.archivalState === 'Restoring')) {
      throw new ApiError(409, 'NotRestored', `The object '${name}' is archived; restore it before reading`);
    }
    return { status: 200, headers: objectHeaders(b, v), body: withBody ? Buffer.alloc(Math.min(v.size, 64 * 1024 * 1024)) : undefined };
  };

  const routes: Route[] = [
    {
      method: 'GET', pattern: /^\/n\/?$/, operation: 'GetNamespace',
      handler: () => ({ status: 200, body: state.namespace }),
    },
    {
      method: 'GET', pattern: new RegExp(`^${NS}/b/?$`), operation: 'ListBuckets',
      handler: (ctx) => {
        checkNamespace(state, ctx.params[0] as string);
        const compartmentId = ctx.query.get('compartmentId');
        if (!compartmentId) throw new ApiError(400, 'MissingParameter', 'The compartmentId query parameter is required');
        const limit = clampLimit(ctx.query.int('limit'), a.listLimitOutOfRange);
        const page = ctx.query.get('page');
        const fieldList = ctx.query.list('fields');
        for (const f of fieldList) if (f !== 'tags') throw invalidParameter(`Invalid field '${f}'`);
        const fields = fieldList.length > 0 ? 'tags' : undefined;
        const after = page !== undefined ? decodePage(page).n : undefined;
        const all = [...state.buckets.values()]
          .filter((b) => b.compartmentId === compartmentId)
          .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
          .filter((b) => after === undefined || b.name > after);
        const items = all.slice(0, limit).map((b) => ({
          namespace: b.namespace, name: b.name, compartmentId: b.compartmentId, createdBy: b.createdBy,
          timeCreated: iso(b.timeCreated), etag: b.etag,
          ...(fields === 'tags' ? { freeformTags: b.freeformTags, definedTags: b.definedTags } : {}),
        }));
        const last = items[items.length - 1];
        return {
          status: 200, body: items,
          headers: { 'opc-next-page': all.length > limit && last ? encodePage({ n: last.name }) : undefined },
        };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${NS}/b/?$`), operation: 'CreateBucket', write: true,
      handler: (ctx) => {
        checkNamespace(state, ctx.params[0] as string);
        const d = jsonBody<{ name: string; compartmentId: string; kmsKeyId: string; versioning: string; objectEventsEnabled: boolean; storageTier: string; publicAccessType: string; freeformTags: Record<string, string> }>(ctx);
        if (typeof d.name !== 'string') throw new ApiError(400, 'MissingParameter', 'name is required');
        if (typeof d.compartmentId !== 'string') throw new ApiError(400, 'MissingParameter', 'compartmentId is required');
        if (d.versioning !== undefined && d.versioning !== 'Enabled' && d.versioning !== 'Disabled') throw invalidParameter(`Invalid versioning '${d.versioning}'`);
        if (d.storageTier !== undefined && d.storageTier !== 'Standard' && d.storageTier !== 'Archive') throw invalidParameter(`Invalid storageTier '${d.storageTier}'`);
        const b = state.createBucket({
          name: d.name, compartmentId: d.compartmentId, kmsKeyId: d.kmsKeyId, versioning: d.versioning,
          objectEventsEnabled: d.objectEventsEnabled, storageTier: d.storageTier, publicAccessType: d.publicAccessType,
          freeformTags: d.freeformTags, createdBy: principalId(ctx),
        });
        return { status: 200, body: bucketJson(b, []), headers: { etag: b.etag, location: `/n/${b.namespace}/b/${encodeURIComponent(b.name)}` } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/?$`), operation: 'GetBucket',
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const inm = header(ctx, 'if-none-match');
        if (inm !== undefined && (inm === '*' || inm === b.etag)) return { status: 304, headers: { etag: b.etag } };
        checkIfMatch(ctx, b.etag);
        return { status: 200, body: bucketJson(b, ctx.query.list('fields')), headers: { etag: b.etag } };
      },
    },
    {
      method: 'HEAD', pattern: new RegExp(`^${B}/?$`), operation: 'HeadBucket',
      handler: (ctx) => {
        const b = bucketOf(ctx);
        checkIfMatch(ctx, b.etag);
        return { status: 200, headers: { etag: b.etag } };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${B}/?$`), operation: 'UpdateBucket', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        checkIfMatch(ctx, b.etag);
        const d = jsonBody<{ name: string; kmsKeyId: string; versioning: 'Enabled' | 'Suspended'; objectEventsEnabled: boolean; publicAccessType: string; freeformTags: Record<string, string> }>(ctx);
        if (d.name !== undefined && d.name !== b.name) throw invalidParameter('Renaming a bucket is not supported by the emulator');
        const updated = state.updateBucket(b.name, {
          kmsKeyId: d.kmsKeyId, versioning: d.versioning, objectEventsEnabled: d.objectEventsEnabled,
          publicAccessType: d.publicAccessType, freeformTags: d.freeformTags,
        });
        return { status: 200, body: bucketJson(updated, []), headers: { etag: updated.etag } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/o/?$`), operation: 'ListObjects',
      handler: (ctx) => listObjects(bucketOf(ctx), ctx, a.listLimitOutOfRange),
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/objectversions/?$`), operation: 'ListObjectVersions',
      handler: (ctx) => listObjectVersions(bucketOf(ctx), ctx, a.listLimitOutOfRange),
    },
    {
      method: 'PUT', pattern: new RegExp(`^${B}/o/(.+)$`), operation: 'PutObject', write: true, bodyExempt: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const name = ctx.params[2] as string;
        if (Buffer.byteLength(name) > 1024) throw invalidParameter('Object names are limited to 1024 bytes');
        const latest = b.store.latest(name);
        const exists = latest !== undefined && !latest.isDeleteMarker;
        const ifNoneMatch = header(ctx, 'if-none-match');
        if (ifNoneMatch === '*' && exists) throw new ApiError(412, 'IfNoneMatchFailed', `The object '${name}' already exists`);
        checkIfMatch(ctx, exists ? latest.etag : undefined);
        const md5 = md5Base64(ctx.body);
        const contentMd5 = header(ctx, 'content-md5');
        if (contentMd5 !== undefined && contentMd5 !== md5) throw new ApiError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what was received');
        const sha = header(ctx, 'opc-content-sha256');
        if (sha !== undefined && sha !== sha256Base64(ctx.body)) throw new ApiError(400, 'InvalidDigest', 'The opc-content-sha256 you specified did not match what was received');
        const tierHeader = header(ctx, 'storage-tier');
        if (tierHeader !== undefined && !(StorageTiers as readonly string[]).includes(tierHeader)) throw invalidParameter(`Invalid storage-tier '${tierHeader}'`);
        const storageTier: StorageTier = (tierHeader as StorageTier | undefined) ?? (b.storageTier === 'Archive' ? 'Archive' : 'Standard');
        const sseC = sseCFromHeaders(ctx);
        const kmsKeyId = header(ctx, 'opc-sse-kms-key-id');
        if (sseC && kmsKeyId) throw invalidParameter('opc-sse-kms-key-id cannot be combined with SSE-C headers');
        let encryption: Encryption;
        if (sseC) encryption = state.sseCEncryption(sseC.keySha256);
        else if (kmsKeyId) {
          const key = state.usableKey(kmsKeyId);
          encryption = state.kmsEncryption(key.id, state.currentKeyVersion(key).id);
        } else encryption = state.bucketEncryption(b);
        const metadata: Record<string, string> = {};
        for (const [k, v] of Object.entries(ctx.headers)) {
          if (k.startsWith('opc-meta-') && typeof v === 'string') metadata[k.slice('opc-meta-'.length)] = v;
        }
        const now = Date.now();
        const version = new ObjectVersion(
          undefined, undefined, md5, ctx.body.length, now, now, storageTier, storageTier === 'Archive' ? 'Archived' : undefined,
          encryption, false, header(ctx, 'content-type'), Object.keys(metadata).length ? metadata : undefined,
        );
        if (b.versioning === 'Disabled') b.store.replaceAll(name, version);
        else b.store.addVersion(name, version);
        emitObject(exists && !a.overwriteEmitsCreateObject ? 'updateobject' : 'createobject', b, name, version);
        return {
          status: 200,
          headers: {
            etag: version.etag, 'opc-content-md5': md5, 'last-modified': httpDate(now),
            'version-id': b.versioning === 'Disabled' ? undefined : version.versionId,
          },
        };
      },
    },
    { method: 'HEAD', pattern: new RegExp(`^${B}/o/(.+)$`), operation: 'HeadObject', handler: (ctx) => readObject(ctx, false) },
    { method: 'GET', pattern: new RegExp(`^${B}/o/(.+)$`), operation: 'GetObject', handler: (ctx) => readObject(ctx, true) },
    {
      method: 'DELETE', pattern: new RegExp(`^${B}/o/(.+)$`), operation: 'DeleteObject', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const name = ctx.params[2] as string;
        const versionId = ctx.query.get('versionId');
        const now = Date.now();
        if (versionId !== undefined) {
          const v = addressedVersion(b, name, versionId);
          checkIfMatch(ctx, v.etag);
          b.store.removeVersion(name, versionId);
          if (!v.isDeleteMarker) emitObject('deleteobject', b, name, v);
          return { status: 204, headers: { 'version-id': versionId, 'is-delete-marker': String(v.isDeleteMarker), 'last-modified': httpDate(now) } };
        }
        const latest = addressedVersion(b, name, undefined);
        checkIfMatch(ctx, latest.etag);
        if (b.versioning === 'Disabled') {
          b.store.removeVersion(name, latest.versionId);
          emitObject('deleteobject', b, name, latest);
          return { status: 204, headers: { 'last-modified': httpDate(now) } };
        }
        const marker = state.deleteMarker(now);
        b.store.addVersion(name, marker);
        emitObject('deleteobject', b, name, marker);
        return { status: 204, headers: { 'version-id': marker.versionId, 'is-delete-marker': 'true', 'last-modified': httpDate(now) } };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${B}/actions/reencrypt/(.+)$`), operation: 'ReencryptObject', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const name = ctx.params[2] as string;
        const versionId = ctx.query.get('versionId');
        const d = jsonBody<{ kmsKeyId: string; sseCustomerKey: SseCKey; sourceSseCustomerKey: SseCKey }>(ctx);
        if (d.kmsKeyId !== undefined && typeof d.kmsKeyId !== 'string') throw invalidParameter('kmsKeyId must be a string');
        if (d.kmsKeyId && d.sseCustomerKey) throw invalidParameter('Specify either kmsKeyId or sseCustomerKey, not both');
        const target = d.sseCustomerKey ? validateSseC(d.sseCustomerKey, 'sseCustomerKey') : undefined;
        const source = d.sourceSseCustomerKey ? validateSseC(d.sourceSseCustomerKey, 'sourceSseCustomerKey') : undefined;
        const list = b.store.versions(name);
        let v: VersionRecord | undefined;
        if (versionId !== undefined) {
          v = list?.find((x) => x.versionId === versionId);
          if (!v) throw objectNotFound(b, name, versionId);
          if (v.isDeleteMarker) throw ApiError.from(a.reencryptDeleteMarker, `Version ${versionId} of '${name}' is a delete marker`);
        } else {
          v = addressedVersion(b, name, undefined);
        }
        if (v.encryption?.kind === 'sse-c') {
          if (!source) throw ApiError.from(a.reencryptSseCWithoutSourceKey, `The object '${name}' is encrypted with a customer-provided key; sourceSseCustomerKey is required`);
          if (source.keySha256 !== v.encryption.keySha256) throw ApiError.from(a.sseCKeyMismatch, 'sourceSseCustomerKey does not match the key the object is encrypted with');
        }
        if (v.archivalState === 'Archived' || v.archivalState === 'Restoring') {
          throw ApiError.from(a.reencryptArchived, `The object '${name}' is ${v.archivalState.toLowerCase()}; restore it before re-encrypting`);
        }
        let encryption: Encryption;
        if (target) encryption = state.sseCEncryption(target.keySha256);
        else if (d.kmsKeyId) {
          const key = state.usableKey(d.kmsKeyId);
          encryption = state.kmsEncryption(key.id, state.currentKeyVersion(key).id);
        } else encryption = state.bucketEncryption(b);
        v.encryption = encryption;
        if (a.reencryptChangesTimeModified) v.timeModified = Date.now();
        if (a.reencryptChangesEtag && v instanceof ObjectVersion) v.renewEtag();
        if (a.reencryptEmitsUpdateObject) emitObject('updateobject', b, name, v);
        return { status: 200 };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${B}/actions/reencrypt/?$`), operation: 'ReencryptBucket', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        if (!b.kmsKeyId) throw ApiError.from(a.reencryptBucketWithoutKmsKey, `The bucket '${b.name}' has no kmsKeyId; it uses an Oracle-managed key`);
        state.usableKey(b.kmsKeyId);
        const keyOnly = ctx.query.bool('isReencryptBucketKeyOnly') ?? false;
        const wr = services.workRequests.startReencrypt(b, keyOnly);
        return { status: 202, headers: { 'opc-work-request-id': wr.id } };
      },
    },
    {
      method: 'GET', pattern: /^\/workRequests\/([^/]+)$/, operation: 'GetWorkRequest',
      handler: (ctx) => {
        const wr = state.workRequests.get(ctx.params[0] as string);
        if (!wr) throw ApiError.from(a.notFoundGeneric, `Work request ${ctx.params[0]} not found`);
        return { status: 200, body: services.workRequests.toJson(wr), headers: { 'retry-after': wr.status === 'COMPLETED' || wr.status === 'FAILED' ? undefined : '1' } };
      },
    },
  ];
  return routes;
}

function principalId(ctx: RequestContext): string {
  const p = ctx.principal;
  if (!p) return 'unknown';
  return p.kind === 'user' ? p.userId : `resource:${p.compartmentId}`;
}

function checkNamespace(state: EmulatorState, ns: string): void {
  if (ns !== state.namespace) throw new ApiError(404, 'NamespaceNotFound', `You do not have authorization to perform this request, or the namespace '${ns}' could not be found`);
}

function validateSseC(k: Partial<SseCKey>, where: string): SseCKey {
  if (!k || typeof k !== 'object') throw invalidParameter(`${where} must be an object`);
  if (k.algorithm !== 'AES256') throw invalidParameter(`${where}: the only supported algorithm is AES256`);
  if (typeof k.key !== 'string' || typeof k.keySha256 !== 'string') throw invalidParameter(`${where}: key and keySha256 are required`);
  const raw = Buffer.from(k.key, 'base64');
  if (raw.length !== 32 || raw.toString('base64') !== k.key) throw invalidParameter(`${where}: key must be a base64-encoded 256-bit key`);
  if (sha256Base64(raw) !== k.keySha256) throw invalidParameter(`${where}: keySha256 is not the SHA-256 of key`);
  return { algorithm: k.algorithm, key: k.key, keySha256: k.keySha256 };
}

function clampLimit(limit: number | undefined, outOfRange: { status: number; code: string } | null): number {
  if (limit === undefined) return 1000;
  if (limit >= 1 && limit <= 1000) return limit;
  if (outOfRange) throw ApiError.from(outOfRange, `limit must be between 1 and 1000, got ${limit}`);
  return Math.min(Math.max(limit, 1), 1000);
}

function encodePage(token: { n: string; v?: string }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodePage(page: string): { n: string; v?: string } {
  try {
    const t = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as { n?: unknown; v?: unknown };
    if (typeof t.n === 'string' && (t.v === undefined || typeof t.v === 'string')) return t as { n: string; v?: string };
  } catch {
    /* fall through */
  }
  throw invalidParameter(`Invalid page token '${page}'`);
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

function listObjectVersions(b: BucketRec, ctx: RequestContext, outOfRange: { status: number; code: string } | null): Reply {
  const w = listWindow(ctx, outOfRange);
  w.fields.add('timeModified');
  const store = b.store;
  const page = ctx.query.get('page');
  const token = page !== undefined ? decodePage(page) : undefined;
  const items: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let next: { n: string; v?: string } | undefined;
  const from = token
    ? Math.max(firstIndex(store, w.prefix, ctx.query.get('start'), ctx.query.get('startAfter')), store.lowerBound(token.n))
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
