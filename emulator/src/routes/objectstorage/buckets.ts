import { ApiError, invalidParameter } from '../../errors';
import { type RequestContext, type Route, header, iso, jsonBody } from '../../http';
import type { BucketRec } from '../../state';
import type { Services } from '../../services';
import { B, NS, bucketOf as bucketIn, checkIfMatch, checkNamespace, clampLimit, decodePage, encodePage, principalId } from './shared';

/** Namespace and Bucket operations (GetNamespace, ListBuckets, Create/Get/Head/UpdateBucket, ReencryptBucket). */
export function bucketRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;
  const bucketOf = (ctx: RequestContext): BucketRec => bucketIn(state, ctx);

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

  return [
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
  ];
}
