import pLimit from 'p-limit';
import requestSchema from '../../schemas/reencrypt-request.schema.json';
import { describeWatermark, type ResolvedWatermark } from '../decide/watermark';
import type { BucketFacts } from '../oci/object-storage';
import { chooseStrategy, type StrategyName } from '../decide/strategy';
import { BucketTally, type BucketReport, type StrategyReport } from '../report/report';
import { encodeContinuation, type PendingBucket, type SweepPosition } from '../sweep/continuation';
import { sweepBucket } from '../sweep/sweep-bucket';
import type { SweepTrigger } from '../sweep/sweep-trigger';
import type { RunContext } from './context';

/** Failures and plan entries listed per bucket in a dry run; counts stay exact. */
const MAX_PLAN_ENTRIES = 20_000;
/** Buckets swept at once; each holds at most two listing pages in memory (see sweepBucket). */
const BUCKETS_IN_PARALLEL = 4;

export interface SweepTarget {
  readonly bucket: BucketFacts;
  readonly prefix?: string;
  readonly position?: SweepPosition;
}

export interface SweepPlan {
  readonly trigger: SweepTrigger;
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly watermark: ResolvedWatermark;
  readonly targets: readonly SweepTarget[];
  /** Buckets of a resumed run that could not be read this time: handed on unchanged. */
  readonly carried?: readonly PendingBucket[];
  /** When the run began (a resumed run: its first invocation); default: this invocation. */
  readonly runStartedAt?: number;
  /** For a durable run: its id (derived from the event, or the caller's); absent = a fresh one. */
  readonly runId?: string;
  /** What could not be examined (discovery problems): the run cannot be complete. */
  readonly problems?: readonly string[];
  /** The request's strategy; absent: REENCRYPT_STRATEGY. */
  readonly strategy?: StrategyName;
}

export interface SweepResult {
  readonly buckets: BucketReport[];
  /** Set when time ran out: resumes exactly where this invocation stopped. */
  readonly continuation?: string;
  /** Some pending buckets did not fit in the continuation (said in the notes). */
  readonly incomplete?: true;
}

/** Sweeps every target with one shared limiter and collects a continuation for what is left. */
export async function sweepTargets(plan: SweepPlan, ctx: RunContext): Promise<SweepResult> {
  const bucketLimit = pLimit(BUCKETS_IN_PARALLEL);
  const outcomes = await Promise.all(plan.targets.map((target) => bucketLimit(async function sweepOneBucket() {
    const tally = new BucketTally(target.bucket, target.prefix, {
      maxFailures: ctx.config.maxFailuresReported, maxPlan: MAX_PLAN_ENTRIES, dryRun: plan.dryRun,
    });
    ctx.progress?.bucketStarted(tally);
    if (!target.bucket.kmsKeyId) {
      tally.skippedBecause = 'oracle-managed-key';
      return { report: tally.toReport(true) };
    }
    const outcome = await sweepBucket({
      bucket: target.bucket, ...(target.prefix !== undefined && { prefix: target.prefix }),
      watermark: plan.watermark.watermark, position: target.position ?? { offset: 0 }, tally,
    }, {
      objectStorage: ctx.objectStorage, limit: ctx.limit, stopStartingAt: ctx.budget.stopStartingAt,
      ...(ctx.budget.stopSignal && { stopSignal: ctx.budget.stopSignal }), dryRun: plan.dryRun, logger: ctx.logger,
    });
    const pending: PendingBucket | undefined = outcome.state === 'stopped'
      ? { name: target.bucket.name, ...(target.prefix !== undefined && { prefix: target.prefix }), position: outcome.position }
      : undefined;
    return { report: { ...tally.toReport(outcome.state === 'complete'), strategy: strategyWithoutRuns(plan, target, ctx) }, pending };
  })));
  const pending = [...(plan.carried ?? []), ...outcomes.map((o) => o.pending).filter((p): p is PendingBucket => p !== undefined)];
  const issued = pending.length > 0 ? continuationFor({ ...plan, runStartedAt: plan.runStartedAt ?? ctx.budget.startedAt }, pending) : undefined;
  if (issued && issued.left.length > 0) {
    const names = issued.left.slice(0, 20).map((p) => p.name).join(', ');
    ctx.notes.push(
      `${issued.left.length} pending bucket(s) did not fit in the continuation (at most ${MAX_CONTINUATION_LENGTH} characters): `
      + `sweep them once this run completes: ${names}${issued.left.length > 20 ? ', ...' : ''}`,
    );
  }
  return {
    buckets: outcomes.map((o) => o.report),
    ...(issued?.token !== undefined && { continuation: issued.token }),
    ...(issued && issued.left.length > 0 && { incomplete: true as const }),
  };
}

/**
 * Without a state bucket every bucket is swept version by version (a work request
 * cannot be followed across invocations); the report still says what was asked and why.
 */
function strategyWithoutRuns(plan: SweepPlan, target: SweepTarget, ctx: RunContext): StrategyReport {
  const d = chooseStrategy({
    requested: plan.strategy ?? ctx.config.strategy, source: plan.strategy ? 'request' : 'REENCRYPT_STRATEGY', dryRun: plan.dryRun,
    prefix: target.prefix, explicitBefore: plan.watermark.source === 'request', singleObject: false, kmsKeyId: target.bucket.kmsKeyId,
    minObjects: ctx.config.bucketStrategyMinObjects, canFollowWorkRequests: false,
  });
  return { used: 'objects', reason: d.reason, ...('wouldUse' in d && { wouldUse: d.wouldUse }) };
}

/** The longest continuation the edge accepts: the request schema's own limit. */
export const MAX_CONTINUATION_LENGTH: number = requestSchema.properties.continuation.maxLength;

export interface IssuedContinuation {
  /** Absent only when not even one pending bucket fits. */
  readonly token?: string;
  /** Pending buckets the token could not hold: the caller reports them, they are never dropped silently. */
  readonly left: readonly PendingBucket[];
}

const isStarted = (p: PendingBucket) => p.position.offset > 0 || p.position.start !== undefined;

/**
 * The continuation that resumes `plan` with `pending` left (the only place
 * continuations are issued), never longer than the edge accepts. A key used by
 * thousands of buckets can leave more pending than one token holds: buckets
 * already under way go first, and what does not fit is returned in `left`.
 */
export function continuationFor(
  plan: Pick<SweepPlan, 'trigger' | 'namespace' | 'dryRun' | 'watermark' | 'runStartedAt'>, pending: readonly PendingBucket[], maxLength = MAX_CONTINUATION_LENGTH,
): IssuedContinuation {
  const w = describeWatermark(plan.watermark);
  const ordered = [...pending.filter(isStarted), ...pending.filter((p) => !isStarted(p))];
  const tokenOf = (count: number) => encodeContinuation({
    v: 1, trigger: plan.trigger, namespace: plan.namespace, dryRun: plan.dryRun, before: w.before, watermarkSource: w.source, buckets: ordered.slice(0, count),
    ...(plan.runStartedAt !== undefined && { runStartedAt: plan.runStartedAt }),
  });
  const whole = tokenOf(ordered.length);
  if (whole.length <= maxLength) return { token: whole, left: [] };
  // The largest count that fits: `fits` always fits (0: no token), `tooMany` never does.
  let fits = 0;
  let tooMany = ordered.length;
  while (tooMany - fits > 1) {
    const count = Math.floor((fits + tooMany) / 2);
    if (tokenOf(count).length <= maxLength) fits = count;
    else tooMany = count;
  }
  return { ...(fits > 0 && { token: tokenOf(fits) }), left: ordered.slice(fits) };
}
