import pLimit from 'p-limit';
import { describeWatermark, type ResolvedWatermark } from '../decide/watermark';
import type { BucketFacts } from '../oci/object-storage';
import { BucketTally, type BucketReport } from '../report/report';
import { encodeContinuation, type PendingBucket, type SweepPosition } from '../sweep/continuation';
import { sweepBucket } from '../sweep/sweep-bucket';
import type { RunContext } from './context';

/** Failures and plan entries listed per bucket in a dry run; counts stay exact. */
const MAX_PLAN_ENTRIES = 20_000;
/** Buckets swept at once; each holds one listing page in memory. */
const BUCKETS_IN_PARALLEL = 4;

export interface SweepTarget {
  readonly bucket: BucketFacts;
  readonly prefix?: string;
  readonly position?: SweepPosition;
}

export interface SweepPlan {
  readonly trigger: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly watermark: ResolvedWatermark;
  readonly targets: readonly SweepTarget[];
  /** Buckets of a resumed run that could not be read this time: handed on unchanged. */
  readonly carried?: readonly PendingBucket[];
  /** When the run began (a resumed run: its first invocation); default: this invocation. */
  readonly runStartedAt?: number;
}

export interface SweepResult {
  readonly buckets: BucketReport[];
  /** Set when time ran out: resumes exactly where this invocation stopped. */
  readonly continuation?: string;
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
    return { report: tally.toReport(outcome.state === 'complete'), pending };
  })));
  const pending = [...(plan.carried ?? []), ...outcomes.map((o) => o.pending).filter((p): p is PendingBucket => p !== undefined)];
  const w = describeWatermark(plan.watermark);
  return {
    buckets: outcomes.map((o) => o.report),
    ...(pending.length > 0 && {
      continuation: encodeContinuation({
        v: 1, trigger: plan.trigger, namespace: plan.namespace, dryRun: plan.dryRun, before: w.before, watermarkSource: w.source, buckets: pending,
        runStartedAt: plan.runStartedAt ?? ctx.budget.startedAt,
      }),
    }),
  };
}
