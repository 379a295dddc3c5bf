import type { RunContext } from '../engine/context';
import { OciCallError } from '../oci/errors';
import type { BucketFacts } from '../oci/object-storage';
import { BucketTally } from '../report/report';
import type { SweepPosition } from '../sweep/continuation';
import { sweepBucket } from '../sweep/sweep-bucket';
import type { Watermark } from '../decide/decide-object';
import { addCounts, checkpoint, endTurn, type TurnOutcome, type UnitCounts, type UnitRecord } from './model';
import type { Splitter } from './ranges';
import { HeldUnit } from './held-unit';
import type { StateStore, Stored } from './store';
import { routeUnit, takeBucketTurn, type StrategyAsk } from './bucket-unit';

export interface UnitTurn {
  readonly store: StateStore;
  readonly key: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly watermark: Watermark;
  readonly leaseMs: number;
  readonly noProgressLimit: number;
  /** The only unit of its invocation (see endTurn). */
  readonly alone: boolean;
  /** A whole-bucket unit of a run that fans out: a big bucket is listed into name ranges instead (ranges.ts). */
  readonly splitter?: Splitter;
  /** The run's strategy ask (absent: objects, as runs planned before strategies). */
  readonly strategy?: StrategyAsk;
}

export interface TurnResult {
  /** The unit as this turn left it; undefined when the hold was lost to another invocation. */
  readonly unit: UnitRecord | undefined;
  readonly checkpoints: number;
  /** Counts of this turn alone. */
  readonly reencrypted: number;
}

/**
 * One invocation's turn on a held unit: sweep from its cursor, save the
 * cursor and counts every checkpoint interval (which renews the hold), and
 * at the end save where it stands. A checkpoint that meets another writer
 * means the hold was lost (it expired and someone took over): stop at once
 * and leave the unit to them.
 */
export async function takeUnitTurn(held: Stored<UnitRecord>, turn: UnitTurn, ctx: RunContext): Promise<TurnResult> {
  // Strategies (bucket-unit.ts): a unit that follows a work request needs no bucket facts; auto needs the object count.
  if (held.value.workRequest) return { ...(await takeBucketTurn(held, { kind: 'bucket', unit: held.value, reason: 'following its work request' }, undefined, turn, ctx)), reencrypted: 0 };
  // A name range (ranges.ts) is part of a bucket its listing pass already routed to objects: never routed again.
  const isRange = held.value.range !== undefined;
  const withCount = (turn.strategy?.requested === 'auto' && !held.value.strategy && !isRange) || turn.splitter !== undefined;
  const facts = await bucketFacts(turn.namespace, held.value.bucketName, ctx, withCount);
  const route = turn.strategy && !isRange ? routeUnit(held.value, facts, turn.strategy) : { kind: 'objects' as const, unit: held.value };
  if (route.kind !== 'objects') return { ...(await takeBucketTurn(held, route, facts, turn, ctx)), reencrypted: 0 };
  // A whole bucket above REENCRYPT_RANGE_SIZE in a run that fans out: its turn is the listing pass that hands out ranges.
  if (turn.splitter && typeof facts === 'object' && !('failure' in facts) && facts.kmsKeyId && turn.splitter.splits(route.unit, facts)) {
    return turn.splitter.list({ ...held, value: route.unit }, facts, turn, ctx);
  }
  return sweepUnitTurn({ ...held, value: route.unit }, facts, turn, ctx);
}

async function sweepUnitTurn(held: Stored<UnitRecord>, facts: Facts, turn: UnitTurn, ctx: RunContext): Promise<TurnResult> {
  const base = held.value;
  const unit = new HeldUnit(held, turn.store, turn.key);
  const max = ctx.config.maxFailuresReported;
  let outcome: TurnOutcome;
  let reencrypted = 0;
  if (facts === 'not-found') outcome = { kind: 'complete', counts: base.counts, skippedBecause: 'not-found' };
  else if ('failure' in facts) outcome = { kind: 'failed', error: facts.failure, position: base.position, counts: base.counts };
  else if (!facts.kmsKeyId) outcome = { kind: 'complete', counts: base.counts, skippedBecause: 'oracle-managed-key' };
  else {
    const tally = new BucketTally(facts, base.prefix, { maxFailures: max, maxPlan: 0, dryRun: turn.dryRun });
    ctx.progress?.bucketStarted(tally); // the CLI's progress display (`oci-reencrypt resume`); absent in the function
    let latest: { position: SweepPosition; counts: UnitCounts } = { position: base.position, counts: base.counts };
    let writing: Promise<void> = Promise.resolve();
    const save = (): void => {
      writing = writing.then(async function saveCheckpoint() {
        if (unit.lost) return;
        const w = await unit.write(checkpoint(unit.current, latest.position, latest.counts, Date.now(), turn.leaseMs));
        // Keep sweeping: the next checkpoint tries again; if none lands, the hold expires
        // and the unit resumes from the last saved checkpoint.
        if (w.kind === 'failed') ctx.logger.warn('checkpoint not saved', { unit: turn.key, problem: w.error.problem, error: w.error.message });
      });
    };
    const timer = setInterval(save, ctx.config.checkpointMs);
    const swept = await sweepBucket({
      bucket: facts, ...(base.prefix !== undefined && { prefix: base.prefix }), ...(base.range !== undefined && { range: base.range }), watermark: turn.watermark, position: base.position, tally,
    }, {
      objectStorage: ctx.objectStorage, limit: ctx.limit, dryRun: turn.dryRun, logger: ctx.logger,
      // Ctrl-C of `oci-reencrypt run|resume` (absent in the function): stop starting new work, like a plain sweep.
      ...(ctx.budget.stopSignal && { stopSignal: ctx.budget.stopSignal }),
      // Read on every decision: a lost hold stops new work at once.
      get stopStartingAt() { return unit.lost ? 0 : ctx.budget.stopStartingAt; },
      onPageDone(position) {
        latest = { position, counts: addCounts(base.counts, tally.toReport(false), max) };
      },
    }).finally(() => clearInterval(timer));
    await writing;
    const counts = addCounts(base.counts, tally.toReport(false), max);
    reencrypted = tally.reencrypted;
    if (swept.state === 'complete') outcome = { kind: 'complete', counts };
    else if (swept.state === 'stopped') outcome = { kind: 'stopped', position: swept.position, counts };
    else {
      const error = tally.error ?? { status: null, serviceCode: null, message: 'listing failed', opcRequestId: null };
      outcome = { kind: 'failed', error, position: latest.position, counts: latest.counts };
    }
  }
  if (unit.lost) return { unit: undefined, checkpoints: unit.saved, reencrypted };
  const factsForReport = typeof facts === 'object' && !('failure' in facts)
    ? { kmsKeyId: facts.kmsKeyId ?? null, versioned: facts.versioned }
    : { kmsKeyId: base.kmsKeyId ?? null, versioned: base.versioned ?? false };
  const w = await unit.write(endTurn(unit.current, outcome, factsForReport, turn.noProgressLimit, Date.now(), turn.alone));
  if (w.kind === 'saved') return { unit: w.unit, checkpoints: unit.saved, reencrypted };
  if (w.kind === 'failed') ctx.notes.push(`${base.bucketName}: where the unit stands could not be saved (${w.error.message}); it resumes from its last checkpoint once its hold expires`);
  return { unit: undefined, checkpoints: unit.saved, reencrypted };
}

type Facts = BucketFacts | 'not-found' | { readonly failure: NonNullable<TurnOutcome & { kind: 'failed' }>['error'] };

async function bucketFacts(namespace: string, bucketName: string, ctx: RunContext, withCount = false): Promise<Facts> {
  try {
    return withCount ? await ctx.objectStorage.getBucketWithCount(namespace, bucketName) : await ctx.objectStorage.getBucket(namespace, bucketName);
  } catch (err) {
    if (!(err instanceof OciCallError)) throw err;
    if (err.failure.status === 404) return 'not-found';
    const f = err.failure;
    return { failure: { status: f.status ?? null, serviceCode: f.serviceCode ?? null, message: err.message, opcRequestId: f.opcRequestId ?? null } };
  }
}
