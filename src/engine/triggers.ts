import { InvalidInputError, NotAllowedError, ReencryptError } from '../errors';
import { checkRotation, type RotationCheck } from '../decide/rotation';
import type { StrategyName } from '../decide/strategy';
import { EVERYTHING, watermarkAfter, type ResolvedWatermark } from '../decide/watermark';
import { EventTypes } from '../input/event-types';
import type { BucketKeyChangeRequest, KeyRotationRequest, ManualRequest, ObjectEventRequest } from '../input/types';
import { OciCallError } from '../oci/errors';
import type { BucketFacts } from '../oci/object-storage';
import { readSseCustomerKey } from '../oci/secrets';
import { BucketTally, type BucketReport } from '../report/report';
import { decodeContinuation, type PendingBucket } from '../sweep/continuation';
import { sweepTriggerOf, type SweepTrigger } from '../sweep/sweep-trigger';
import { auditManualRequest, NO_EXPLICIT_TARGET } from './audit';
import type { RunContext } from './context';
import { runIdForEvent } from '../runs/lifecycle';
import { bucketsUsingKey } from './discover';
import { reencryptSingleObject } from './single-object';
import { sweepTargets, type EarlySweepPlan, type SweepTarget } from './sweep';
import { judgeTargets } from './target-policy';

/** What a trigger did, before timing and API counts are added. */
export interface Outcome {
  readonly action: 'swept' | 'reencrypted-object' | 'ignored' | 'acknowledged';
  readonly reason?: string;
  readonly namespace?: string;
  readonly dryRun: boolean;
  readonly watermark?: ResolvedWatermark;
  readonly buckets: BucketReport[];
  readonly continuation?: string;
  /**
   * Work that was not reached and that no continuation covers (e.g. a bucket
   * that could not be examined during discovery): the report must not say
   * complete. The why is in the notes.
   */
  readonly incomplete?: true;
  /** Key rotation triggers: what the vault says about the rotation the event announced. */
  readonly rotation?: RotationCheck;
  /** A resumed run: when its first invocation started. */
  readonly runStartedAt?: number;
  /** A durable run answered for itself (its step or its final report). */
  readonly answer?: object;
}

async function namespaceOf(requested: string | undefined, ctx: RunContext): Promise<string> {
  return requested ?? ctx.config.namespace ?? ctx.objectStorage.getNamespace();
}

/** GetBucket, with "no such bucket" as an answer rather than a failure. */
async function bucketOrMissing(namespace: string, bucketName: string, ctx: RunContext): Promise<BucketFacts | BucketReport> {
  try {
    return await ctx.objectStorage.getBucket(namespace, bucketName);
  } catch (err) {
    if (err instanceof OciCallError && err.failure.status === 404) {
      const tally = new BucketTally({ namespace, name: bucketName, versioned: false }, undefined, { maxFailures: 0, maxPlan: 0, dryRun: false });
      tally.skippedBecause = 'not-found';
      return tally.toReport(true);
    }
    throw err;
  }
}

const isReport = (b: BucketFacts | BucketReport): b is BucketReport => 'scanned' in b;

/** Compliance hook: the new object ends up under the bucket's current key. */
export async function onObjectEvent(request: ObjectEventRequest, ctx: RunContext): Promise<Outcome> {
  if (request.eventType === EventTypes.updateObject && !ctx.config.handleUpdateObject) {
    return { action: 'ignored', reason: 'updateobject events are off (REENCRYPT_HANDLE_UPDATE_OBJECT=false)', dryRun: false, buckets: [] };
  }
  const bucket = await bucketOrMissing(request.namespace, request.bucketName, ctx);
  if (isReport(bucket)) return { action: 'reencrypted-object', namespace: request.namespace, dryRun: false, buckets: [bucket] };
  const report = await reencryptSingleObject({
    bucket, objectName: request.objectName, ...(request.versionId && { versionId: request.versionId }),
    ...(request.archivalState && { archivalState: request.archivalState }),
  }, false, ctx);
  return { action: 'reencrypted-object', namespace: request.namespace, dryRun: false, buckets: [report] };
}

/** Key rotation: sweep the buckets that use the key, in the watched compartments. */
export async function onKeyRotation(request: KeyRotationRequest, ctx: RunContext): Promise<Outcome> {
  if (request.phase === 'begin') {
    return { action: 'acknowledged', reason: 'rotation started; the .end event triggers the sweep', dryRun: false, buckets: [] };
  }
  const lookup = await ctx.keys.currentVersion(request.keyId, request.vaultId);
  let watermark: ResolvedWatermark;
  let rotation: RotationCheck | undefined;
  if (lookup.found) {
    watermark = watermarkAfter(lookup.version.timeCreated, ctx.config.clockSkewMs, 'key-version');
    rotation = checkRotation(request, lookup.version, ctx.config.clockSkewMs);
    if (rotation.mayHaveFailed) {
      ctx.notes.push(`the rotation may have failed: the key's current version ${rotation.currentKeyVersionId} was created at `
        + `${rotation.currentVersionCreated}, before the ${request.eventType} event (${rotation.eventTime}) by more than the clock skew; `
        + 'objects are re-encrypted to that current version');
    }
  } else {
    ctx.notes.push(`key version not readable (${lookup.why}); watermark from the event time`);
    watermark = watermarkAfter(request.eventTime, ctx.config.clockSkewMs, 'event-time');
  }
  const compartments = ctx.config.compartmentIds.length > 0 ? ctx.config.compartmentIds : request.compartmentId ? [request.compartmentId] : [];
  if (compartments.length === 0) ctx.notes.push('no compartment to search: set REENCRYPT_COMPARTMENT_IDS');
  const outcome = await sweepKey(request.keyId, compartments, watermark, triggerOf(request), false, await namespaceOf(undefined, ctx), ctx, runIdForEvent(request.eventType, request.eventId));
  return rotation ? { ...outcome, rotation } : outcome;
}

/** updatebucket: the bucket may have a new key; sweep with the event's time as the watermark. */
export async function onBucketKeyChange(request: BucketKeyChangeRequest, ctx: RunContext): Promise<Outcome> {
  const bucket = await bucketOrMissing(request.namespace, request.bucketName, ctx);
  if (isReport(bucket)) return { action: 'swept', namespace: request.namespace, dryRun: false, buckets: [bucket] };
  const watermark = watermarkAfter(request.eventTime, ctx.config.clockSkewMs, 'event-time');
  return sweep({ trigger: triggerOf(request), namespace: request.namespace, dryRun: false, watermark, targets: [{ bucket }], runId: runIdForEvent(request.eventType, request.eventId) }, ctx);
}

/**
 * A manual request: audited, and its explicit targets (a key other than the
 * bucket's, any SSE-C secret) judged before anything is read or written.
 */
export async function onManual(request: ManualRequest, ctx: RunContext): Promise<Outcome> {
  const { scope } = request;
  if (scope.type !== 'object') auditManualRequest(ctx, request, { verdict: 'allowed', targets: NO_EXPLICIT_TARGET });
  if (scope.type === 'continuation') return resume(scope.token, ctx);
  if (scope.type === 'object') return manualObject(request, scope, ctx);
  if (request.strategy === 'bucket' && !ctx.durable) {
    throw new InvalidInputError('strategy bucket follows a ReencryptBucket work request across invocations, which needs a state bucket', [
      { field: 'strategy', problem: 'cannot be bucket when REENCRYPT_STATE_BUCKET is not set (use objects or auto)' },
    ]);
  }
  // The key's vault is read (GetVault) while the namespace and the bucket are: the key lookup below needs it.
  if (request.watermark.type === 'key-version') ctx.keys.prefetch(request.vaultId);
  const namespace = await namespaceOf(request.namespace, ctx);
  if (scope.type === 'bucket') {
    const bucket = await bucketOrMissing(namespace, scope.bucketName, ctx);
    if (isReport(bucket)) return { action: 'swept', namespace, dryRun: request.dryRun, buckets: [bucket] };
    if (request.strategy === 'bucket' && !bucket.kmsKeyId) {
      // As OCI does: ReencryptBucket fails for a bucket without a kmsKeyId.
      throw new InvalidInputError(`strategy bucket cannot re-encrypt ${scope.bucketName}: it has no kmsKeyId (an Oracle-managed key), and ReencryptBucket fails for such buckets`, [
        { field: 'strategy', problem: `cannot be bucket for ${scope.bucketName}, which has no kmsKeyId (use objects or auto)` },
      ]);
    }
    // The key's current version (GetVault, GetKey, GetKeyVersion, one after another) is looked up while
    // the bucket's first page is listed; nothing is decided before it is known, and a lookup that fails
    // fails the request as it did when it was looked up first.
    const watermark = bucket.kmsKeyId ? startedEarly(manualWatermark(request, bucket.kmsKeyId, ctx)) : EVERYTHING;
    return sweep({
      trigger: triggerOf(request), namespace, dryRun: request.dryRun, watermark,
      targets: [{ bucket, ...(scope.prefix !== undefined && { prefix: scope.prefix }) }], ...(request.runId && { runId: request.runId }),
      ...(request.strategy && { strategy: request.strategy }),
    }, ctx);
  }
  if (scope.type !== 'key') throw new InvalidInputError(`A ${scope.type} request is answered by the run store`, [{ field: '(body)', problem: 'is not a sweep' }]);
  // Every bucket whose kmsKeyId is this key, each re-encrypted under its own key: no list needed.
  const compartments = scope.compartmentIds ?? ctx.config.compartmentIds;
  if (compartments.length === 0) {
    throw new InvalidInputError('A key sweep needs compartments to search', [
      { field: 'compartmentIds', problem: 'is required when REENCRYPT_COMPARTMENT_IDS is not configured' },
    ]);
  }
  // Looked up while the buckets that use the key are found and their first pages listed (as above).
  const watermark = startedEarly(manualWatermark(request, scope.kmsKeyId, ctx));
  return sweepKey(scope.kmsKeyId, compartments, watermark, triggerOf(request), request.dryRun, namespace, ctx, request.runId, request.strategy);
}

type ObjectScope = Extract<ManualRequest['scope'], { type: 'object' }>;

/** One object, possibly under an explicit key or SSE-C key: allowed only by the target policy. */
async function manualObject(request: ManualRequest, scope: ObjectScope, ctx: RunContext): Promise<Outcome> {
  let namespace: string;
  let bucket: BucketFacts | BucketReport;
  try {
    namespace = await namespaceOf(request.namespace, ctx);
    bucket = await bucketOrMissing(namespace, scope.bucketName, ctx);
  } catch (err) {
    auditManualRequest(ctx, request, { verdict: 'not-decided', error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  const targets = judgeTargets(scope, isReport(bucket) ? undefined : bucket.kmsKeyId, {
    kmsKeyIds: ctx.config.allowedKmsKeyIds, sseCustomerKeySecretIds: ctx.config.allowedSseCustomerKeySecretIds,
  });
  auditManualRequest(ctx, request, { verdict: targets.allowed ? 'allowed' : 'refused', targets });
  if (!targets.allowed) {
    throw new NotAllowedError(
      `The manual request is not allowed: ${targets.refusals.map((r) => `${r.field} ${r.problem}`).join('; ')}. `
      + 'The function acts with its own identity: a key other than the bucket\'s, or an SSE-C secret, must be allowlisted (README, Security)',
      targets.refusals,
    );
  }
  if (isReport(bucket)) return { action: 'reencrypted-object', namespace, dryRun: request.dryRun, buckets: [bucket] };
  const [sseCustomerKey, sourceSseCustomerKey] = await Promise.all([
    scope.sseCustomerKeySecretId ? readSseCustomerKey(ctx.oci, scope.sseCustomerKeySecretId, 'sseCustomerKeySecretId') : undefined,
    scope.sourceSseCustomerKeySecretId ? readSseCustomerKey(ctx.oci, scope.sourceSseCustomerKeySecretId, 'sourceSseCustomerKeySecretId') : undefined,
  ]);
  const report = await reencryptSingleObject({
    bucket, objectName: scope.objectName,
    ...(scope.versionId && { versionId: scope.versionId }), ...(scope.kmsKeyId && { kmsKeyId: scope.kmsKeyId }),
    ...(sseCustomerKey && { sseCustomerKey }), ...(sourceSseCustomerKey && { sourceSseCustomerKey }),
  }, request.dryRun, ctx);
  return { action: 'reencrypted-object', namespace, dryRun: request.dryRun, buckets: [report] };
}

/**
 * A lookup started before its result is needed: its failure is thrown where it is awaited (the sweep),
 * and is not an unhandled rejection while other calls run before that.
 */
function startedEarly<T>(lookup: Promise<T>): Promise<T> {
  lookup.catch(() => undefined);
  return lookup;
}

/** force: everything; before: the request's time; otherwise when the key's current version was created. */
async function manualWatermark(request: ManualRequest, keyId: string, ctx: RunContext): Promise<ResolvedWatermark> {
  if (request.watermark.type === 'force') return EVERYTHING;
  if (request.watermark.type === 'before') return { watermark: { type: 'before', at: request.watermark.before }, source: 'request' };
  const lookup = await ctx.keys.currentVersion(keyId, request.vaultId);
  if (lookup.found) return watermarkAfter(lookup.version.timeCreated, ctx.config.clockSkewMs, 'key-version');
  throw new InvalidInputError(`Cannot tell which objects predate the current version of ${keyId}: ${lookup.why}`, [
    { field: 'before', problem: 'is required (or force: true) when the key\'s vault cannot be read; or set vaultId' },
  ]);
}

async function sweepKey(
  keyId: string, compartments: readonly string[], watermark: EarlySweepPlan['watermark'], trigger: SweepTrigger, dryRun: boolean,
  namespace: string, ctx: RunContext, runId?: string, strategy?: StrategyName,
): Promise<Outcome> {
  const discovery = await bucketsUsingKey(ctx.objectStorage, namespace, compartments, keyId, ctx.limit);
  ctx.notes.push(`${discovery.examined} buckets examined in ${compartments.length} compartment(s), ${discovery.buckets.length} use the key`, ...discovery.problems);
  const outcome = await sweep({
    trigger, namespace, dryRun, watermark, targets: discovery.buckets.map((bucket) => ({ bucket })),
    ...(runId && { runId }), problems: discovery.problems, ...(strategy && { strategy }),
  }, ctx);
  // A bucket whose ListBuckets page or GetBucket failed (or ran out of time) may use the key:
  // it is in no continuation, so the run is not complete.
  return discovery.problems.length > 0 ? { ...outcome, incomplete: true } : outcome;
}

/** The sweeping requests always have a trigger; a missing one is a bug here, not bad input. */
function triggerOf(request: KeyRotationRequest | BucketKeyChangeRequest | ManualRequest): SweepTrigger {
  const trigger = sweepTriggerOf(request);
  if (!trigger) throw new ReencryptError(`no sweep trigger for a ${request.kind} request`);
  return trigger;
}

async function sweep(plan: EarlySweepPlan, ctx: RunContext): Promise<Outcome> {
  if (ctx.durable) {
    const watermark = await plan.watermark;
    return { action: 'swept', namespace: plan.namespace, dryRun: plan.dryRun, watermark, buckets: [], answer: await ctx.durable({ ...plan, watermark }) };
  }
  const result = await sweepTargets(plan, ctx);
  return {
    action: 'swept', namespace: plan.namespace, dryRun: plan.dryRun, watermark: await plan.watermark, buckets: result.buckets,
    ...(result.continuation && { continuation: result.continuation }),
    ...(result.incomplete && { incomplete: true }),
  };
}

/** A continuation: the same sweep, from where it stopped, with fresh bucket facts. */
async function resume(token: string, ctx: RunContext): Promise<Outcome> {
  const state = decodeContinuation(token);
  const watermark: ResolvedWatermark = state.before === null
    ? EVERYTHING
    : { watermark: { type: 'before', at: new Date(state.before) }, source: state.watermarkSource };
  const targets: SweepTarget[] = [];
  const missing: BucketReport[] = [];
  const carried: PendingBucket[] = [];
  // Fresh bucket facts (the key may have changed), read in parallel; a bucket
  // that cannot be read now stays in the continuation, where it was.
  const facts = await Promise.all(state.buckets.map((pending) => ctx.limit(async () => {
    try {
      return { pending, bucket: await bucketOrMissing(state.namespace, pending.name, ctx) };
    } catch (err) {
      if (!(err instanceof OciCallError)) throw err;
      ctx.notes.push(`GetBucket ${pending.name}: ${err.message}; left in the continuation`);
      return { pending, bucket: undefined };
    }
  })));
  for (const { pending, bucket } of facts) {
    if (bucket === undefined) carried.push(pending);
    else if (isReport(bucket)) missing.push(bucket);
    else targets.push({ bucket, ...(pending.prefix !== undefined && { prefix: pending.prefix }), position: pending.position });
  }
  const runStartedAt = state.runStartedAt;
  const outcome = await sweep({ trigger: state.trigger, namespace: state.namespace, dryRun: state.dryRun, watermark, targets, carried, ...(runStartedAt !== undefined && { runStartedAt }) }, ctx);
  return { ...outcome, buckets: [...missing, ...outcome.buckets], ...(runStartedAt !== undefined && { runStartedAt }) };
}
