import { ApiError, invalidParameter } from '../../errors';
import { type RequestContext, type Route, header, httpDate, iso, jsonBody } from '../../http';
import type { BucketRec, UploadEncryption, UploadPartRec, UploadRec } from '../../state';
import { MAX_PART_NUM, MIN_PART_NUM, multipartMd5 } from '../../state/multipart';
import { type Encryption, StorageTiers, type StorageTier } from '../../types';
import { md5Base64, newUuid } from '../../util';
import { ObjectVersion } from '../../version';
import { MAX_STORED_BODY_BYTES } from './objects';
import type { Services } from '../../services';
import { B, bucketOf as bucketIn, checkIfMatch, checkObjectName, clampLimit, sseCFromHeaders, versionIdHeader } from './shared';

interface CreateMultipartUploadBody {
  object: string;
  contentType: string;
  storageTier: string;
  metadata: Record<string, string>;
}

interface CommitMultipartUploadBody {
  partsToCommit: { partNum: number; etag: string }[];
  partsToExclude: number[];
}

/**
 * Multipart uploads (CreateMultipartUpload, UploadPart, CommitMultipartUpload,
 * AbortMultipartUpload, ListMultipartUploadParts, ListMultipartUploads), as the
 * OCI CLI and the SDKs' upload managers use them for large files. A committed
 * upload is an object like any other: it gets a version, the encryption chosen
 * when the upload was created, and emits `createobject`.
 */
export function multipartRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;
  const bucketOf = (ctx: RequestContext): BucketRec => bucketIn(state, ctx);

  /** The upload a request names with `uploadId`, which must be of this bucket and object (A25 otherwise). */
  const uploadOf = (ctx: RequestContext, b: BucketRec): UploadRec => {
    const uploadId = ctx.query.get('uploadId');
    if (uploadId === undefined) throw new ApiError(400, 'MissingParameter', 'The uploadId query parameter is required');
    const upload = state.uploads.get(uploadId);
    if (!upload || upload.bucketName !== b.name || upload.object !== ctx.params[2]) {
      throw ApiError.from(a.unknownUploadId, `No multipart upload '${uploadId}' for the object '${String(ctx.params[2])}' in the bucket '${b.name}'`);
    }
    return upload;
  };

  const uploadJson = (b: BucketRec, u: UploadRec): Record<string, unknown> => ({
    namespace: b.namespace, bucket: b.name, object: u.object, uploadId: u.uploadId, timeCreated: iso(u.timeCreated), storageTier: u.storageTier,
  });

  /** An upload's parts must all be sent with the SSE-C key the upload was created with, and only then. */
  const checkPartKey = (ctx: RequestContext, u: UploadRec): void => {
    const given = sseCFromHeaders(ctx);
    if (u.encryption.kind === 'sse-c') {
      if (!given) throw ApiError.from(a.headSseCWithoutKey, 'The upload uses a customer-provided key; every part needs the SSE-C headers');
      if (given.keySha256 !== u.encryption.keySha256) throw ApiError.from(a.sseCKeyMismatch, 'The customer-provided key is not the one the upload was created with');
    } else if (given) {
      throw invalidParameter('The upload was not created with a customer-provided key');
    }
  };

  const encryptionAtCommit = (b: BucketRec, e: UploadEncryption): Encryption => {
    if (e.kind === 'sse-c') return state.sseCEncryption(e.keySha256);
    if (e.kind === 'kms') {
      const key = state.usableKey(e.keyId);
      return state.kmsEncryption(key.id, state.currentKeyVersion(key).id);
    }
    return state.bucketEncryption(b);
  };

  return [
    {
      method: 'POST', pattern: new RegExp(`^${B}/u$`), operation: 'CreateMultipartUpload', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const d = jsonBody<CreateMultipartUploadBody>(ctx);
        if (typeof d.object !== 'string') throw invalidParameter('object is required and must be a string');
        checkObjectName(d.object);
        const latest = b.store.latest(d.object);
        const exists = latest !== undefined && !latest.isDeleteMarker;
        if (header(ctx, 'if-none-match') === '*' && exists) throw new ApiError(412, 'IfNoneMatchFailed', `The object '${d.object}' already exists`);
        checkIfMatch(ctx, exists ? latest.etag : undefined);
        if (d.storageTier !== undefined && !(StorageTiers as readonly string[]).includes(d.storageTier)) throw invalidParameter(`Invalid storageTier '${d.storageTier}'`);
        const storageTier: StorageTier = (d.storageTier as StorageTier | undefined) ?? (b.storageTier === 'Archive' ? 'Archive' : 'Standard');
        const sseC = sseCFromHeaders(ctx);
        const kmsKeyId = header(ctx, 'opc-sse-kms-key-id');
        if (sseC && kmsKeyId) throw invalidParameter('opc-sse-kms-key-id cannot be combined with SSE-C headers');
        let encryption: UploadEncryption = { kind: 'bucket' };
        if (sseC) encryption = { kind: 'sse-c', keySha256: sseC.keySha256 };
        else if (kmsKeyId) encryption = { kind: 'kms', keyId: state.usableKey(kmsKeyId).id };
        const upload: UploadRec = {
          uploadId: newUuid(), bucketName: b.name, object: d.object, timeCreated: Date.now(), storageTier,
          contentType: typeof d.contentType === 'string' ? d.contentType : undefined,
          metadata: d.metadata && typeof d.metadata === 'object' ? { ...d.metadata } : undefined,
          encryption, parts: new Map(),
        };
        state.uploads.set(upload.uploadId, upload);
        return {
          status: 200, body: uploadJson(b, upload),
          headers: { location: `/n/${b.namespace}/b/${encodeURIComponent(b.name)}/u/${encodeURIComponent(d.object)}?uploadId=${upload.uploadId}` },
        };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/u$`), operation: 'ListMultipartUploads',
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const limit = clampLimit(ctx.query.int('limit'), a.listLimitOutOfRange);
        const page = ctx.query.get('page');
        const offset = page === undefined ? 0 : Number.parseInt(page, 10);
        if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid page '${page}'`);
        const mine = [...state.uploads.values()].filter((u) => u.bucketName === b.name);
        return {
          status: 200, body: mine.slice(offset, offset + limit).map((u) => uploadJson(b, u)),
          headers: { 'opc-next-page': offset + limit < mine.length ? String(offset + limit) : undefined },
        };
      },
    },
    {
      method: 'PUT', pattern: new RegExp(`^${B}/u/(.+)$`), operation: 'UploadPart', write: true, bodyExempt: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const upload = uploadOf(ctx, b);
        const partNum = ctx.query.int('uploadPartNum');
        if (partNum === undefined) throw new ApiError(400, 'MissingParameter', 'The uploadPartNum query parameter is required');
        if (partNum < MIN_PART_NUM || partNum > MAX_PART_NUM) throw invalidParameter(`uploadPartNum must be between ${MIN_PART_NUM} and ${MAX_PART_NUM}, got ${partNum}`);
        checkPartKey(ctx, upload);
        const existing = upload.parts.get(partNum);
        if (header(ctx, 'if-none-match') === '*' && existing) throw new ApiError(412, 'IfNoneMatchFailed', `Part ${partNum} was already uploaded`);
        checkIfMatch(ctx, existing?.etag);
        const md5 = md5Base64(ctx.body);
        const contentMd5 = header(ctx, 'content-md5');
        if (contentMd5 !== undefined && contentMd5 !== md5) throw new ApiError(400, 'InvalidDigest', 'The Content-MD5 you specified did not match what was received');
        const part: UploadPartRec = { etag: newUuid(), md5, size: ctx.body.length, ...(ctx.body.length <= MAX_STORED_BODY_BYTES && { body: ctx.body }) };
        upload.parts.set(partNum, part);
        return { status: 200, headers: { etag: part.etag, 'opc-content-md5': md5 } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/u/(.+)$`), operation: 'ListMultipartUploadParts',
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const upload = uploadOf(ctx, b);
        const limit = clampLimit(ctx.query.int('limit'), a.listLimitOutOfRange);
        const page = ctx.query.get('page');
        const from = page === undefined ? MIN_PART_NUM : Number.parseInt(page, 10);
        if (!Number.isInteger(from) || from < MIN_PART_NUM) throw invalidParameter(`Invalid page '${page}'`);
        const numbers = [...upload.parts.keys()].filter((n) => n >= from).sort((x, y) => x - y);
        const shown = numbers.slice(0, limit);
        return {
          status: 200,
          body: shown.map((n) => ({ partNumber: n, etag: upload.parts.get(n)?.etag, md5: upload.parts.get(n)?.md5, size: upload.parts.get(n)?.size })),
          headers: { 'opc-next-page': numbers.length > limit ? String(numbers[limit]) : undefined },
        };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${B}/u/(.+)$`), operation: 'CommitMultipartUpload', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const upload = uploadOf(ctx, b);
        const d = jsonBody<CommitMultipartUploadBody>(ctx);
        if (!Array.isArray(d.partsToCommit) || d.partsToCommit.length === 0) throw invalidParameter('partsToCommit must list at least one part');
        const chosen = new Map<number, UploadPartRec>();
        for (const p of d.partsToCommit) {
          if (!p || typeof p.partNum !== 'number' || typeof p.etag !== 'string') throw invalidParameter('Each entry of partsToCommit needs partNum and etag');
          const part = upload.parts.get(p.partNum);
          if (!part) throw invalidParameter(`Part ${p.partNum} was not uploaded`);
          if (part.etag !== p.etag) throw invalidParameter(`The etag given for part ${p.partNum} is not the etag of the uploaded part`);
          if (chosen.has(p.partNum)) throw invalidParameter(`Part ${p.partNum} is listed twice`);
          if (Array.isArray(d.partsToExclude) && d.partsToExclude.includes(p.partNum)) throw invalidParameter(`Part ${p.partNum} is both committed and excluded`);
          chosen.set(p.partNum, part);
        }
        const name = upload.object;
        const latest = b.store.latest(name);
        const exists = latest !== undefined && !latest.isDeleteMarker;
        if (header(ctx, 'if-none-match') === '*' && exists) throw new ApiError(412, 'IfNoneMatchFailed', `The object '${name}' already exists`);
        checkIfMatch(ctx, exists ? latest.etag : undefined);
        const parts = [...chosen].sort(([x], [y]) => x - y).map(([, p]) => p);
        const md5 = multipartMd5(parts);
        const size = parts.reduce((sum, p) => sum + p.size, 0);
        const now = Date.now();
        const version = new ObjectVersion(
          undefined, undefined, md5, size, now, now, upload.storageTier, upload.storageTier === 'Archive' ? 'Archived' : undefined,
          encryptionAtCommit(b, upload.encryption), false, upload.contentType, upload.metadata,
        );
        if (b.versioning === 'Disabled') b.store.replaceAll(name, version);
        else b.store.addVersion(name, version);
        // Kept like a PutObject body when small enough (A20), so GetObject returns what was uploaded.
        if (size <= MAX_STORED_BODY_BYTES && parts.every((p) => p.body)) state.objectBodies.set(version, Buffer.concat(parts.map((p) => p.body as Buffer)));
        state.uploads.delete(upload.uploadId);
        if (b.objectEventsEnabled) state.events?.objectChanged(exists && !a.overwriteEmitsCreateObject ? 'updateobject' : 'createobject', b, name, version);
        return {
          status: 200,
          headers: { 'opc-multipart-md5': md5, etag: version.etag, 'last-modified': httpDate(now), 'version-id': versionIdHeader(a, b, version) },
        };
      },
    },
    {
      method: 'DELETE', pattern: new RegExp(`^${B}/u/(.+)$`), operation: 'AbortMultipartUpload', write: true,
      handler: (ctx) => {
        const b = bucketOf(ctx);
        const upload = uploadOf(ctx, b);
        state.uploads.delete(upload.uploadId);
        return { status: 204 };
      },
    },
  ];
}
