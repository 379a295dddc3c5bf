import type { requests } from 'oci-functions';
import pLimit from 'p-limit';
import { describeWatermark } from './decide/watermark';
import type { RunContext } from './engine/context';
import { budgetFor } from './engine/deadline';
import { onBucketKeyChange, onKeyRotation, onManual, onObjectEvent, type Outcome } from './engine/triggers';
import type { Runner } from './handler';
import type { ReencryptRequest } from './input/types';
import { createOci } from './oci/clients';
import { OciCallError } from './oci/errors';
import { ObjectStorage } from './oci/object-storage';
import { KeyDirectory } from './oci/vault';
import { recordRunMetrics } from './metrics';
import { totalsOf } from './report/report';

/** Runs one validated request: pick the trigger's plan, execute it, report what happened. */
export const runRequest: Runner = async function runRequest(request, invocation, config, logger) {
  const budget = { ...budgetFor(invocation.deadline, config.safetyMarginMs), ...(invocation.stop && { stopSignal: invocation.stop }) };
  const oci = createOci(config, { hardStopAt: budget.hardStopAt });
  const ctx: RunContext = {
    config, oci, objectStorage: new ObjectStorage(oci), keys: new KeyDirectory(oci, config), budget, logger,
    limit: pLimit(config.concurrency), notes: [], ...(invocation.progress && { progress: invocation.progress }),
  };
  const outcome = await dispatch(request, ctx);
  const selfInvoked = outcome.continuation ? await continueLater(outcome.continuation, ctx) : false;
  const report = {
    ok: true,
    trigger: describeTrigger(request),
    action: outcome.action,
    ...(outcome.reason && { reason: outcome.reason }),
    dryRun: outcome.dryRun,
    namespace: outcome.namespace ?? null,
    watermark: outcome.watermark ? describeWatermark(outcome.watermark) : null,
    buckets: outcome.buckets,
    totals: totalsOf(outcome.buckets),
    complete: outcome.buckets.every((b) => b.complete) && !outcome.continuation && !outcome.incomplete,
    continuation: outcome.continuation ?? null,
    selfInvoked,
    notes: ctx.notes,
    elapsedMs: Date.now() - budget.startedAt,
    apiCalls: Object.fromEntries([...oci.apiCalls].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  logger.info('summary', { ...report, buckets: report.buckets.map(({ plan: _plan, failures: _failures, ...rest }) => rest) });
  await recordRunMetrics(request, { ...report, runStartedAt: outcome.runStartedAt ?? budget.startedAt }, ctx);
  return report;
};

function dispatch(request: ReencryptRequest, ctx: RunContext): Promise<Outcome> {
  switch (request.kind) {
    case 'object-event': return onObjectEvent(request, ctx);
    case 'key-rotation': return onKeyRotation(request, ctx);
    case 'bucket-key-change': return onBucketKeyChange(request, ctx);
    case 'manual': return onManual(request, ctx);
  }
}

/** With REENCRYPT_SELF_INVOKE, hand the continuation to a detached invocation of this same function. */
async function continueLater(continuation: string, ctx: RunContext): Promise<boolean> {
  const { functionsInvoke } = ctx.oci;
  if (!ctx.config.selfInvoke || !functionsInvoke || !ctx.config.functionId) return false;
  const functionId = ctx.config.functionId;
  try {
    await ctx.oci.call('InvokeFunction', () => functionsInvoke.invokeFunction({
      functionId, invokeFunctionBody: JSON.stringify({ continuation }), fnInvokeType: 'detached' as requests.InvokeFunctionRequest.FnInvokeType.Detached, // the enum's value; the package loads on first use
    }), {
      // A detached invoke answers 202 at once; give it at least a second, but never past Fn-Deadline.
      hardStopAt: Math.min(ctx.budget.deadline - 50, Math.max(ctx.budget.hardStopAt, Date.now() + 1000)),
    });
    return true;
  } catch (err) {
    ctx.notes.push(`self-invoke failed (${err instanceof OciCallError ? err.message : String(err)}); resume with the continuation`);
    return false;
  }
}

function describeTrigger(request: ReencryptRequest): Record<string, unknown> {
  switch (request.kind) {
    case 'object-event':
      return { kind: request.kind, eventType: request.eventType, eventId: request.eventId, bucketName: request.bucketName, objectName: request.objectName, versionId: request.versionId ?? null };
    case 'key-rotation':
      return { kind: request.kind, eventType: request.eventType, eventId: request.eventId, phase: request.phase, keyId: request.keyId, vaultId: request.vaultId ?? null };
    case 'bucket-key-change':
      return { kind: request.kind, eventType: request.eventType, eventId: request.eventId, bucketName: request.bucketName };
    case 'manual':
      return { kind: request.kind, scope: request.scope.type, ...('bucketName' in request.scope && { bucketName: request.scope.bucketName }), ...('kmsKeyId' in request.scope && request.scope.kmsKeyId && { kmsKeyId: request.scope.kmsKeyId }) };
  }
}
