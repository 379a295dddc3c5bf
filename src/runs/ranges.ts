/**
 * Name ranges inside a big bucket (issue 12, part 2). In a run that fans out,
 * a bucket unit larger than REENCRYPT_RANGE_SIZE versions (GetBucket's
 * `approximateCount`; a bucket that does not say is listed to find out) does
 * not sweep: its turn is the bucket's listing pass. The pass walks names only
 * and, each time it has counted about REENCRYPT_RANGE_SIZE entries, appends a
 * range unit `[start, end)` to the run record, so an idle worker takes it
 * within seconds; while the run has fewer workers than REENCRYPT_MAX_WORKERS
 * it also starts one.
 *
 * The run record is the listing's position: the next range starts where the
 * last appended range of the bucket ends, and the append is one conditional
 * write, so a listing killed at any point resumes without a gap or an overlap.
 * The last range has no end; once it is appended the listing is done. The
 * bucket's report sums its ranges (foldRanges).
 */
import type { RunContext } from '../engine/context';
import { OciCallError } from '../oci/errors';
import type { BucketFacts } from '../oci/object-storage';
import type { BucketReport } from '../report/report';
import { listNames, RangeCutter, type NameRange } from '../sweep/range-listing';
import { invokeSelfDetached } from './handover';
import { checkpoint, endTurn, isFinal, type RunRecord, type TurnOutcome, type UnitRecord, type UnitSpec } from './model';
import { HeldUnit } from './held-unit';
import { StateStoreError, type StateStore, type Stored } from './store';
import type { TurnResult, UnitTurn } from './worker';

/** How the listing pass reaches the run record (lifecycle.ts owns its key and shape). */
export interface RunAccess {
  readonly store: StateStore;
  readonly runKey: string;
  readonly isRun: (v: unknown) => v is RunRecord;
}

/** The listing pass of one bucket unit: built by the lifecycle for a whole-bucket unit of a run that can fan out. */
export interface Splitter {
  /** Decides, once GetBucket (with approximateCount) answered, whether this turn lists instead of sweeping. */
  splits(unit: UnitRecord, facts: BucketFacts): boolean;
  list(held: Stored<UnitRecord>, facts: BucketFacts, turn: UnitTurn, ctx: RunContext): Promise<TurnResult>;
}

/** Ranges are only worth it when other invocations can sweep them: the run can invoke itself, with room for more than one worker. */
export function canSplit(ctx: RunContext): boolean {
  return ctx.config.selfInvoke && ctx.config.functionId !== undefined && ctx.config.maxWorkers > 1;
}

/** The splitter for unit `index`, or undefined when it is a range itself or the run cannot fan out. */
export function splitterFor(spec: UnitSpec, index: number, access: RunAccess, ctx: RunContext): Splitter | undefined {
  if (spec.range !== undefined || spec.of !== undefined || !canSplit(ctx)) return undefined;
  const size = ctx.config.rangeSize;
  return {
    // A listing once started goes on (its ranges exist); else only a bucket above one range is split.
    splits: (unit, facts) => unit.listing === true || facts.approximateCount === undefined || facts.approximateCount > size,
    list: (held, facts, turn, c) => listingTurn(held, facts, index, access, turn, c),
  };
}

/** Where the bucket's listing stands in the run record: done, or the name the next range starts at (undefined: the first). */
export function listingPosition(run: RunRecord, index: number): { readonly done: boolean; readonly next?: string } {
  let last: NameRange | undefined;
  for (const u of run.units) if (u.of === index) last = u.range ?? {};
  if (last === undefined) return { done: false };
  return last.end === undefined ? { done: true } : { done: false, next: last.end };
}

/** A whole-bucket unit's listing pass, for one turn: hands out ranges until the listing ends or time runs out. */
async function listingTurn(held: Stored<UnitRecord>, facts: BucketFacts, index: number, access: RunAccess, turn: UnitTurn, ctx: RunContext): Promise<TurnResult> {
  const base = held.value;
  const unit = new HeldUnit(held, turn.store, turn.key);
  // Set when a range could not be added because the unit was taken over (a renewal that meets another writer sets unit.lost).
  let lostRange = false;
  const lost = (): boolean => lostRange || unit.lost;
  const renew = async (position: { start?: string }): Promise<void> => {
    if (unit.lost) return;
    const w = await unit.write({ ...checkpoint(unit.current, { ...position, offset: 0 }, unit.current.counts, Date.now(), turn.leaseMs), listing: true });
    if (w.kind === 'failed') ctx.logger.warn('listing checkpoint not saved', { unit: turn.key, problem: w.error.problem, error: w.error.message });
  };
  const run = await readRun(access);
  let position = listingPosition(run.value, index);
  // Marks the unit as a listing pass before any range exists: a later turn lists on, whatever approximateCount says then.
  if (unit.current.listing !== true) await renew(startOf(position.next));
  let outcome: TurnOutcome | undefined;
  const dispatches: Promise<void>[] = [];
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = renewing.then(() => renew(startOf(position.next)));
  }, ctx.config.checkpointMs);
  try {
    if (!position.done && !lost()) {
      const cutter = new RangeCutter(ctx.config.rangeSize);
      let from = position.next;
      let ended = true;
      try {
        listing: for await (const page of listNames(ctx.objectStorage, facts, base.prefix, from)) {
          for (const name of page.names) {
            const cut = cutter.push(name);
            if (cut === undefined) continue;
            if (!(await appendRange(access, index, base, { ...startOf(from), end: cut }, ctx, dispatches))) {
              lostRange = true;
              break listing;
            }
            from = cut;
            position = { done: false, next: cut };
          }
          if (lost() || Date.now() >= ctx.budget.stopStartingAt || ctx.budget.stopSignal?.aborted === true) {
            ended = false;
            break;
          }
        }
        if (ended && !lost()) {
          if (await appendRange(access, index, base, startOf(from), ctx, dispatches)) position = { done: true };
          else lostRange = true;
        }
      } catch (err) {
        if (!(err instanceof OciCallError)) throw err;
        if (!err.failure.outOfTime) {
          const f = err.failure;
          outcome = {
            kind: 'failed', position: { ...startOf(position.next), offset: 0 }, counts: base.counts,
            error: { status: f.status ?? null, serviceCode: f.serviceCode ?? null, message: err.message, opcRequestId: f.opcRequestId ?? null },
          };
        }
      }
    }
  } finally {
    clearInterval(timer);
    await Promise.all(dispatches);
  }
  await renewing;
  if (lost()) return { unit: undefined, checkpoints: unit.saved, reencrypted: 0 };
  outcome ??= position.done
    ? { kind: 'complete', counts: base.counts }
    : { kind: 'stopped', position: { ...startOf(position.next), offset: 0 }, counts: base.counts };
  // Progress is measured against where this turn began, not against its own checkpoints.
  const ended = endTurn({ ...unit.current, position: base.position }, outcome, { kmsKeyId: facts.kmsKeyId ?? null, versioned: facts.versioned }, turn.noProgressLimit, Date.now(), turn.alone);
  const w = await unit.write({ ...ended, listing: true });
  if (w.kind === 'saved') {
    ctx.logger.info('listing pass', { bucket: base.bucketName, state: w.unit.state, ranges: listingRanges(await readRun(access), index) });
    return { unit: w.unit, checkpoints: unit.saved, reencrypted: 0 };
  }
  if (w.kind === 'failed') ctx.notes.push(`${base.bucketName}: where its listing stands could not be saved (${w.error.message}); it resumes from its last range once its hold expires`);
  return { unit: undefined, checkpoints: unit.saved, reencrypted: 0 };
}

function startOf(name: string | undefined): { start?: string } {
  return name === undefined ? {} : { start: name };
}

function listingRanges(run: Stored<RunRecord>, index: number): number {
  return run.value.units.filter((u) => u.of === index).length;
}

async function readRun(access: RunAccess): Promise<Stored<RunRecord>> {
  const run = await access.store.get(access.runKey, access.isRun);
  if (!run) throw new StateStoreError('corrupt', `${access.runKey} vanished while its run was being listed`);
  return run;
}

/**
 * Appends the range `[range.start, range.end)` of unit `index`'s bucket to the run, if the
 * bucket's listing still stands where this pass thinks (false: another invocation took the
 * listing over, so this one stops). Reserves and starts a worker while the run has fewer than
 * REENCRYPT_MAX_WORKERS: a worker slot is taken in the same write, so the cap holds.
 */
async function appendRange(access: RunAccess, index: number, parent: UnitSpec, range: NameRange, ctx: RunContext, dispatches: Promise<void>[]): Promise<boolean> {
  const spec: UnitSpec = { bucketName: parent.bucketName, ...(parent.prefix !== undefined && { prefix: parent.prefix }), range, of: index };
  for (let attempt = 0; attempt < 80; attempt++) {
    const run = await readRun(access);
    const at = listingPosition(run.value, index);
    if (at.done || at.next !== range.start) return false;
    const addWorker = run.value.workers < ctx.config.maxWorkers;
    const next: RunRecord = { ...run.value, units: [...run.value.units, spec], ...(addWorker && { workers: run.value.workers + 1 }) };
    const r = await access.store.replace(access.runKey, next, run.etag);
    if (r === 'conflict') {
      // Workers count themselves in the same record: step aside briefly.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * Math.min(attempt + 1, 4)));
      continue;
    }
    // Not awaited here: the listing goes on while Functions takes the invocation (the turn awaits it before it ends).
    if (addWorker) dispatches.push(startWorker(access, run.value.runId, ctx));
    return true;
  }
  throw new StateStoreError('unavailable', `run ${access.runKey}: too many concurrent updates of its record`);
}

/** Starts one more worker for the run; a dispatch Functions refused (429 or otherwise) gives its slot back. */
async function startWorker(access: RunAccess, runId: string, ctx: RunContext): Promise<void> {
  const r = await invokeSelfDetached({ resume: runId }, ctx, { maxAttempts: 1 });
  if (r.invoked) return;
  ctx.logger.info('range worker not started', { runId, why: r.why, throttled: r.throttled });
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      const run = await readRun(access);
      const back = await access.store.replace(access.runKey, { ...run.value, workers: Math.max(1, run.value.workers - 1) }, run.etag);
      if (back !== 'conflict') return;
    }
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    // The slot stays taken: the run goes on with one worker fewer than it could have.
    ctx.logger.warn('worker slot not given back', { runId, problem: err.problem, error: err.message });
  }
}

/** A listing pass of the run is under way (its ranges are still being handed out). */
export function listingUnderWay(units: readonly UnitRecord[]): boolean {
  return units.some((u) => u.listing === true && !isFinal(u));
}

/** How long an idle worker waits between looks at the run for a new range. */
export const IDLE_POLL_MS = 1000;

/**
 * The report of each bucket of the run: a bucket split into ranges gets one
 * entry, its own unit's (the listing pass: GetBucket's facts, no counts) with
 * every range's counts added. Totals over the entries stay exact.
 */
export function foldRanges<R extends BucketReport & { stoppedBecause?: string }>(specs: readonly UnitSpec[], reports: readonly R[], maxFailures: number): (R & { ranges?: number })[] {
  const out: (R & { ranges?: number })[] = [];
  const byParent = new Map<number, R[]>();
  for (const [i, spec] of specs.entries()) {
    const r = reports[i];
    if (r === undefined || spec.of === undefined) continue;
    byParent.set(spec.of, [...(byParent.get(spec.of) ?? []), r]);
  }
  for (const [i, spec] of specs.entries()) {
    const own = reports[i];
    if (own === undefined || spec.of !== undefined) continue;
    const ranges = byParent.get(i);
    out.push(ranges ? { ...sumReports(own, ranges, maxFailures), ranges: ranges.length } : own);
  }
  return out;
}

function sumReports<R extends BucketReport & { stoppedBecause?: string }>(own: R, ranges: readonly R[], maxFailures: number): R {
  const all = [own, ...ranges];
  const sum = (pick: (r: R) => number): number => all.reduce((n, r) => n + pick(r), 0);
  const skipped = { ...own.skipped };
  for (const r of ranges) for (const k of Object.keys(skipped) as (keyof typeof skipped)[]) skipped[k] += r.skipped[k];
  const failed = sum((r) => r.failed);
  const failures = all.flatMap((r) => r.failures).slice(0, maxFailures);
  const error = all.find((r) => r.error)?.error;
  const stoppedBecause = all.find((r) => r.stoppedBecause)?.stoppedBecause;
  return {
    ...own, scanned: sum((r) => r.scanned), reencrypted: sum((r) => r.reencrypted), planned: sum((r) => r.planned),
    skipped, failed, failures, failuresTruncated: failed > failures.length, complete: all.every((r) => r.complete),
    ...(error && { error }), ...(stoppedBecause && { stoppedBecause }),
  };
}
