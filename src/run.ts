import pLimit from 'p-limit';
import type { Config } from './config';
import { describeWatermark } from './decide/watermark';
import { auditManualRequest, NO_EXPLICIT_TARGET } from './engine/audit';
import type { RunContext } from './engine/context';
import { budgetFor } from './engine/deadline';
import { onBucketKeyChange, onKeyRotation, onManual, onObjectEvent, type Outcome } from './engine/triggers';
import type { Runner } from './handler';
import { InvalidConfigurationError } from './errors';
import type { SweepPlan } from './engine/sweep';
import type { InvocationFailedRequest, ReencryptRequest } from './input/types';
import { createOci } from './oci/clients';
import { ObjectStorage } from './oci/object-storage';
import { KeyDirectory } from './oci/vault';
import { recordRunMetrics } from './metrics';
import { totalsOf } from './report/report';
import { invokeSelfDetached } from './runs/handover';
import {
  freshRunId, listUnfinished, runStatus, startRunRetrying, takeTurn, withStateRetries, type RunPlan, type Runs,
} from './runs/lifecycle';
import { resumeAbandoned } from './runs/abandoned';
import { chainContinuedElsewhere, continueChain } from './runs/chains';
import { StateStore } from './runs/store';

/** Runs one validated request: pick the trigger's plan, execute it, report what happened. */
export const runRequest: Runner = async function runRequest(request, invocation, config, logger) {
  const budget = {
    ...budgetFor(invocation.deadline, config.safetyMarginMs), ...(invocation.stop && { stopSignal: invocation.stop }), ...(invocation.softDeadline && { soft: true }),
  };
  const oci = createOci(config, { hardStopAt: budget.hardStopAt });
  const objectStorage = new ObjectStorage(oci);
  const base = {
    config, oci, objectStorage, keys: new KeyDirectory(oci, config), budget, logger,
    caller: invocation.caller, limit: pLimit(config.concurrency), notes: [] as string[], ...(invocation.progress && { progress: invocation.progress }),
  };
  // The store is made only when a request needs it: the upload path never touches it.
  let runs: Runs | undefined;
  const runsNow = async (): Promise<Runs> => {
    // The store's calls are the run's bookkeeping: they get their own time past the hard stop (StateStore).
    runs ??= { store: new StateStore(objectStorage, config.namespace ?? await objectStorage.getNamespace(), requireStateBucket(config), budget), owner: invocation.callId || freshRunId() };
    return runs;
  };
  const ctx: RunContext = {
    ...base,
    ...(config.stateBucket && {
      durable: async (plan: SweepPlan) => {
        const planned = runPlan(plan, request, ctx.notes, config);
        return startRunRetrying(planned, runsNow, ctx);
      },
    }),
  };
  if (request.kind === 'invocation-failed') {
    if (request.functionId !== config.functionId || !config.stateBucket) {
      return { ok: true, action: 'ignored', reason: 'a failed-invocation record for another function, or no state bucket to resume from', notes: [] };
    }
    return resumeAbandoned(request.recordKey, await runsNow(), ctx, request.failedCallId);
  }
  if (request.kind === 'manual') {
    const { scope } = request;
    // Requests about runs name no target; sweeps and objects are audited where they are judged (engine/triggers.ts).
    if (scope.type === 'run-status' || scope.type === 'resume' || scope.type === 'list-runs') {
      auditManualRequest(ctx, request, { verdict: 'allowed', targets: NO_EXPLICIT_TARGET });
    }
    if (scope.type === 'run-status') return runStatus(scope.runId, await runsNow());
    if (scope.type === 'resume') {
      // A handover's successor, or a failure record's resume, first claims its predecessor's chain (runs/chains.ts):
      // of the two, only the first goes on.
      const predecessor = scope.handedOverBy ?? scope.replaces;
      let claimed = false;
      return withStateRetries(ctx, async () => {
        const r = await runsNow();
        if (predecessor && !claimed) {
          const claim = await continueChain(scope.runId, predecessor, scope.handedOverBy ? 'handover' : 'failure-record', r.store, r.owner, ctx);
          if (!claim.goOn) return chainContinuedElsewhere(scope.runId, claim.continuedBy, ctx);
          claimed = true;
        }
        return takeTurn(scope.runId, r, ctx, { failIfNotContinued: true });
      }, scope.runId, invocation.callId ? { handedOverBy: invocation.callId } : {});
    }
    if (scope.type === 'list-runs') return listUnfinished(await runsNow());
  }
  const outcome = await dispatch(request, ctx);
  if (outcome.answer) return outcome.answer;
  if (!config.stateBucket && (outcome.continuation || outcome.action === 'swept')) {
    ctx.notes.push('nothing was stored: REENCRYPT_STATE_BUCKET is not set, so this answer (and its continuation token) is the only record of this sweep');
  }
  const handover = outcome.continuation ? await invokeSelfDetached({ continuation: outcome.continuation }, ctx) : undefined;
  if (handover && !handover.invoked) ctx.notes.push(`not continued automatically (${handover.why}); resume with the continuation`);
  const selfInvoked = handover?.invoked ?? false;
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
    ...(outcome.rotation && { rotation: outcome.rotation }),
    selfInvoked,
    notes: ctx.notes,
    elapsedMs: Date.now() - budget.startedAt,
    apiCalls: Object.fromEntries([...oci.apiCalls].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  logger.info('summary', { ...report, buckets: report.buckets.map(({ plan: _plan, failures: _failures, ...rest }) => rest) });
  await recordRunMetrics(request, { ...report, runStartedAt: outcome.runStartedAt ?? budget.startedAt }, ctx);
  return report;
};

function requireStateBucket(config: Config): string {
  if (!config.stateBucket) {
    throw new InvalidConfigurationError('Runs need a state bucket: set REENCRYPT_STATE_BUCKET', [
      { field: 'REENCRYPT_STATE_BUCKET', problem: 'is required for runId, resume and listRuns requests' },
    ]);
  }
  return config.stateBucket;
}

/** `notes`: what planning found (buckets examined, discovery problems), kept for the final report. */
function runPlan(plan: SweepPlan, request: ReencryptRequest, notes: readonly string[], config: Config): RunPlan {
  const asked = request.kind === 'manual' ? request.strategy : undefined;
  return {
    strategy: asked ? { requested: asked, source: 'request' } : { requested: config.strategy, source: 'REENCRYPT_STRATEGY' },
    runId: plan.runId ?? freshRunId(), trigger: describeTrigger(request), triggerName: plan.trigger, namespace: plan.namespace,
    dryRun: plan.dryRun, watermark: plan.watermark,
    units: plan.targets.map((t) => ({ bucketName: t.bucket.name, ...(t.prefix !== undefined && { prefix: t.prefix }) })),
    notes: [...notes], incomplete: (plan.problems?.length ?? 0) > 0,
  };
}

function dispatch(request: Exclude<ReencryptRequest, InvocationFailedRequest>, ctx: RunContext): Promise<Outcome> {
  switch (request.kind) {
    case 'object-event': return onObjectEvent(request, ctx);
    case 'key-rotation': return onKeyRotation(request, ctx);
    case 'bucket-key-change': return onBucketKeyChange(request, ctx);
    case 'manual': return onManual(request, ctx);
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
    case 'invocation-failed':
      return { kind: request.kind, functionId: request.functionId };
  }
}
