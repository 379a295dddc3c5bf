import { ApiError, invalidParameter } from '../../errors';
import { type Reply, type RequestContext, type Route, header, httpDate, jsonBody } from '../../http';
import type { BucketRec } from '../../state';
import { type Encryption, StorageTiers, type StorageTier, type VersionRecord } from '../../types';
import { md5Base64, sha256Base64 } from '../../util';
import { ObjectVersion } from '../../version';
import type { Services } from '../../services';
import { B, type SseCKey, bucketOf as bucketIn, checkIfMatch, checkObjectName, sseCFromHeaders, validateSseC, versionIdHeader } from './shared';

/**
 * Larger bodies are not kept: GetObject answers that many zero bytes (assumption A20). The
 * function's state objects are a few KB; test data is seeded without bodies.
 */
export const MAX_STORED_BODY_BYTES = 8 * 1024 * 1024;

/** Object operations (PutObject, HeadObject, GetObject, DeleteObject, ReencryptObject). */
export function objectRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;
  const bucketOf = (ctx: RequestContext): BucketRec => bucketIn(state, ctx);

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

  const emitObject = (kind: 'createobject' | 'updateobject' | 'deleteobject', b: BucketRec, name: string, v: VersionRecord): void => {
    if (b.objectEventsEnabled) state.events?.objectChanged(kind, b, name, v);
  };

  const objectHeaders = (b: BucketRec, v: VersionRecord): Record<string, string | undefined> => {
    const h: Record<string, string | undefined> = {
      etag: v.etag,
      'content-length': String(v.size),
      // A committed multipart upload has no MD5 of its whole content, only the multipart one ("<md5>-<parts>").
      'content-md5': v.md5.includes('-') ? undefined : v.md5,
      'opc-multipart-md5': v.md5.includes('-') ? v.md5 : undefined,
      'content-type': v.contentType ?? 'application/octet-stream',
      'last-modified': httpDate(v.timeModified),
      'storage-tier': v.storageTier,
      'archival-state': v.archivalState,
      'version-id': versionIdHeader(a, b, v),
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
    const stored = withBody ? state.objectBodies.get(v) : undefined;
    return { status: 200, headers: objectHeaders(b, v), body: withBody ? (stored ?? Buffer.alloc(Math.min(v.size, 64 * 1024 * 1024))) : undefined };
  };
  return [
    {
      method: 'PUT', pattern: new RegExp(`^${B}/o/(.+)$`), operation: 'PutObject', write: true, bodyExempt: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const name = ctx.params[2] as string;
        checkObjectName(name);
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
        if (ctx.body.length <= MAX_STORED_BODY_BYTES) state.objectBodies.set(version, ctx.body);
        if (b.versioning === 'Disabled') b.store.replaceAll(name, version);
        else b.store.addVersion(name, version);
        emitObject(exists && !a.overwriteEmitsCreateObject ? 'updateobject' : 'createobject', b, name, version);
        return {
          status: 200,
          headers: {
            etag: version.etag, 'opc-content-md5': md5, 'last-modified': httpDate(now),
            'version-id': versionIdHeader(a, b, version),
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
        state.reencryptCalls.set(v, (state.reencryptCalls.get(v) ?? 0) + 1);
        if (a.reencryptChangesTimeModified) v.timeModified = Date.now();
        if (a.reencryptChangesEtag && v instanceof ObjectVersion) v.renewEtag();
        if (a.reencryptEmitsUpdateObject) emitObject('updateobject', b, name, v);
        return { status: 200 };
      },
    },
  ];
}
