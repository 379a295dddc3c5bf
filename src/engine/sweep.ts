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

/**
 * A plan whose watermark may still be being looked up (the key's current version: GetVault, GetKey,
 * GetKeyVersion, one after another): the buckets are listed meanwhile and nothing is decided before it
 * resolves. If the lookup fails, the sweep fails with its error, as if it had been looked up first.
 */
export interface EarlySweepPlan extends Omit<SweepPlan, 'watermark'> {
  readonly watermark: ResolvedWatermark | Promise<ResolvedWatermark>;
}

export interface SweepResult {
  readonly buckets: BucketReport[];
  /** Set when time ran out: resumes exactly where this invocation stopped. */
  readonly continuation?: string;
  /** Some pending buckets did not fit in the continuation (said in the notes). */
  readonly incomplete?: true;
}

/** Sweeps every target with one shared limiter and collects a continuation for what is left. */
export async function sweepTargets(plan: EarlySweepPlan, ctx: RunContext): Promise<SweepResult> {
  const bucketLimit = pLimit(BUCKETS_IN_PARALLEL);
  // The watermark, known or still being looked up: each bucket awaits it after its first listing, and a
  // failed lookup is thrown below; once it has failed, no further bucket is listed.
  const lookup = Promise.resolve(plan.watermark);
  let lookupFailed = false;
  lookup.catch(() => {
    lookupFailed = true;
  });
  const watermark = lookup.then((w) => w.watermark);
  watermark.catch(() => undefined);
  const settled = await Promise.allSettled(plan.targets.map((target) => bucketLimit(async function sweepOneBucket(): Promise<BucketOutcome> {
    const tally = new BucketTally(target.bucket, target.prefix, {
      maxFailures: ctx.config.maxFailuresReported, maxPlan: MAX_PLAN_ENTRIES, dryRun: plan.dryRun,
    });
    if (lookupFailed) await lookup;
    ctx.progress?.bucketStarted(tally);
    if (!target.bucket.kmsKeyId) {
      tally.skippedBecause = 'oracle-managed-key';
      return { report: tally.toReport(true) };
    }
    const outcome = await sweepBucket({
      bucket: target.bucket, ...(target.prefix !== undefined && { prefix: target.prefix }),
      watermark, position: target.position ?? { offset: 0 }, tally,
    }, {
      objectStorage: ctx.objectStorage, limit: ctx.limit, stopStartingAt: ctx.budget.stopStartingAt,
      ...(ctx.budget.stopSignal && { stopSignal: ctx.budget.stopSignal }), dryRun: plan.dryRun, logger: ctx.logger,
    });
    const pending: PendingBucket | undefined = outcome.state === 'stopped'
      ? { name: target.bucket.name, ...(target.prefix !== undefined && { prefix: target.prefix }), position: outcome.position }
      : undefined;
    // The sweep has decided items, so the watermark is known (a failed lookup threw above).
    const strategy = strategyWithoutRuns({ ...plan, watermark: await lookup }, target, ctx);
    return { report: { ...tally.toReport(outcome.state === 'complete'), strategy }, pending };
  })));
  // Every bucket has finished (nothing is left running) before a failure is thrown: the watermark's first.
  const resolved = await lookup;
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const outcomes = settled.map((s) => (s as PromiseFulfilledResult<BucketOutcome>).value);
  const left = [...(plan.carried ?? []), ...outcomes.map((o) => o.pending).filter((p): p is PendingBucket => p !== undefined)];
  const issued = left.length > 0 ? continuationFor({ ...plan, watermark: resolved, runStartedAt: plan.runStartedAt ?? ctx.budget.startedAt }, left) : undefined;
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

interface BucketOutcome {
  readonly report: BucketReport;
  /** Where the bucket stopped for time: goes into the continuation. */
  readonly pending?: PendingBucket;
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
