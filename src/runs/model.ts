/**
 * A run and its units as a work queue with leases: every state a unit can be
 * in, and every transition between them, is in this file. Pure functions of
 * the record and an injected `now`; the lifecycle does the I/O.
 *
 *   pending ──claim──▶ held ──checkpoint──▶ held (lease renewed)
 *      ▲                 │
 *      │                 ├─finished──────▶ done
 *      └──hand back──────┤
 *   (lease expired =     └─no progress K times / run over its limit──▶ stopped
 *    pending again)
 *
 * Fan-out (RunRecord.workers > 1) adds no state: a worker claims one unit,
 * and after `done` claims the next pending one; the first `claim` of every
 * unit may come from any worker.
 */
import type { FailureEntry, SkipCounts } from '../report/report';
import { emptySkips, type BucketReport } from '../report/report';
import type { SweepPosition } from '../sweep/continuation';
import type { NameRange } from '../sweep/range-listing';
import type { StrategyName } from '../decide/strategy';
import type { StrategyReport, WorkRequestState } from '../report/report';

export const UnitState = { pending: 'pending', held: 'held', done: 'done', stopped: 'stopped' } as const;
export type UnitState = (typeof UnitState)[keyof typeof UnitState];

export const RunState = { running: 'running', finished: 'finished' } as const;
export type RunState = (typeof RunState)[keyof typeof RunState];

/** Why a unit or a run stopped short of the end. */
export const StopReason = {
  noProgress: 'no-progress',
  maxInvocations: 'max-invocations',
  /** The bucket strategy's work request ended FAILED or CANCELED (or could not be started). */
  workRequestFailed: 'work-request-failed',
  /** `strategy: bucket` was asked for a bucket ReencryptBucket cannot take (e.g. no kmsKeyId). */
  strategyImpossible: 'strategy-impossible',
} as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** Exact counts of one unit, summed over every invocation that worked on it. */
export interface UnitCounts {
  readonly scanned: number;
  readonly reencrypted: number;
  readonly planned: number;
  readonly failed: number;
  readonly skipped: SkipCounts;
  /** The first failures (capped by REENCRYPT_MAX_FAILURES_REPORTED); `failed` is exact. */
  readonly failures: readonly FailureEntry[];
}

export interface UnitSpec {
  readonly bucketName: string;
  readonly prefix?: string;
  /** A name range of a bucket too big for one worker (ranges.ts); absent: the whole bucket (or prefix). */
  readonly range?: NameRange;
  /** For a range: the index of the bucket's own unit, whose listing pass cut it (its report sums its ranges). */
  readonly of?: number;
}

export interface Hold {
  /** The Fn call id of the invocation that holds the unit. */
  readonly owner: string;
  /** RFC 3339: after this, anyone may take the unit over from its last checkpoint. */
  readonly until: string;
}

export interface UnitRecord extends UnitSpec {
  readonly v: 1;
  readonly state: UnitState;
  readonly position: SweepPosition;
  readonly counts: UnitCounts;
  readonly hold?: Hold;
  /** Invocations that held this unit. */
  readonly invocations: number;
  /** Consecutive invocations that held it without moving it forward. */
  readonly noProgress: number;
  readonly reason?: string;
  readonly error?: BucketReport['error'];
  readonly skippedBecause?: BucketReport['skippedBecause'];
  readonly kmsKeyId?: string | null;
  readonly versioned?: boolean;
  /** This bucket unit's turns are its listing pass: it hands out range units instead of sweeping (ranges.ts). */
  readonly listing?: boolean;
  /** Which strategy the unit got and why, decided on its first turn and kept (bucket-unit.ts). */
  readonly strategy?: StrategyReport;
  /** The bucket strategy's ReencryptBucket work request, as last seen. */
  readonly workRequest?: WorkRequestState;
  readonly updatedAt: string;
}

export interface RunRecord {
  readonly v: 1;
  readonly runId: string;
  readonly createdAt: string;
  /** Today's report's `trigger` (what started the run). */
  readonly trigger: Record<string, unknown>;
  /** Short name, e.g. `rotation:...autokeyrotate.end`, `manual:bucket`. */
  readonly triggerName: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  /** RFC 3339, or null for every version. */
  readonly before: string | null;
  readonly watermarkSource: string;
  readonly units: readonly UnitSpec[];
  readonly state: RunState;
  /** Invocations that worked on the run (the first included). */
  readonly invocations: number;
  readonly maxInvocations: number;
  readonly noProgressLimit: number;
  /** Said in the final report: discovery problems, fallbacks. */
  readonly notes: readonly string[];
  /** Something in scope is in no unit (e.g. a compartment that could not be listed). */
  readonly incomplete: boolean;
  /**
   * Detached invocations started to work on the run at once (fan-out): each holds one unit at
   * a time, takes the next pending one when it finishes, and hands over to one successor when
   * its time runs out, so their number never grows. 1: one invocation after another.
   */
  readonly workers: number;
  /** The strategy asked for (request or REENCRYPT_STRATEGY); absent in runs planned before strategies: objects. */
  readonly strategy?: { readonly requested: StrategyName; readonly source: 'request' | 'REENCRYPT_STRATEGY' };
  readonly finishedAt?: string;
}

export function zeroCounts(): UnitCounts {
  return { scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips(), failures: [] };
}

/** What a unit held since `base` adds up to once this invocation's tally is added. */
export function addCounts(base: UnitCounts, add: BucketReport, maxFailures: number): UnitCounts {
  const skipped = { ...base.skipped };
  for (const r of Object.keys(skipped) as (keyof SkipCounts)[]) skipped[r] += add.skipped[r];
  return {
    scanned: base.scanned + add.scanned, reencrypted: base.reencrypted + add.reencrypted, planned: base.planned + add.planned,
    failed: base.failed + add.failed, skipped, failures: [...base.failures, ...add.failures].slice(0, maxFailures),
  };
}

export function newUnit(spec: UnitSpec, now: number): UnitRecord {
  return {
    v: 1, bucketName: spec.bucketName, ...(spec.prefix !== undefined && { prefix: spec.prefix }),
    ...(spec.range !== undefined && { range: spec.range }), ...(spec.of !== undefined && { of: spec.of }),
    state: UnitState.pending, position: { offset: 0 }, counts: zeroCounts(), invocations: 0, noProgress: 0, updatedAt: iso(now),
  };
}

/** Pending, or held by someone whose lease ran out (it died or lost its way). */
export function isClaimable(unit: UnitRecord, now: number): boolean {
  if (unit.state === UnitState.pending) return true;
  return unit.state === UnitState.held && (unit.hold === undefined || Date.parse(unit.hold.until) <= now);
}

/**
 * The units an invocation may claim now, by index, in the order to try them. Its own hold comes
 * first (a step retried after a state-store outage), then holds whose lease ran out: taking one
 * over replaces a holder that died or was starved, whose next conditional write then fails.
 * In a fanned-out run (`workers` > 1, one unit per worker) a pending unit is offered only while
 * fewer than `workers` units are held by others, so an extra invocation (a failure
 * destination's resume whose dead predecessor held nothing, a delivery retried) does not become
 * one worker too many; it may still take over a lease that runs out. A lease that ran out
 * counts as held too: it is a worker's place until someone takes it over, and two invocations
 * that read the same units both see it offered; the one whose takeover meets the other's write
 * must not go on to a pending unit (that made the run one worker too many under load).
 */
export function claimOrder(units: readonly UnitRecord[], owner: string, workers: number, now: number): number[] {
  const own: number[] = [];
  const expired: number[] = [];
  const pending: number[] = [];
  let heldByOthers = 0;
  for (const [index, unit] of units.entries()) {
    if (unit.state === UnitState.pending) pending.push(index);
    else if (unit.state !== UnitState.held) continue;
    else if (unit.hold?.owner === owner) own.push(index);
    else if (isClaimable(unit, now)) expired.push(index);
    else heldByOthers += 1;
  }
  const room = workers > 1 ? Math.max(0, workers - heldByOthers - expired.length - own.length) : pending.length;
  return [...own, ...expired, ...pending.slice(0, room)];
}

export function isFinal(unit: UnitRecord): boolean {
  return unit.state === UnitState.done || unit.state === UnitState.stopped;
}

export function claim(unit: UnitRecord, owner: string, now: number, leaseMs: number): UnitRecord {
  return { ...unit, state: UnitState.held, hold: { owner, until: iso(now + leaseMs) }, invocations: unit.invocations + 1, updatedAt: iso(now) };
}

/** A checkpoint: the last consistent position and counts, and a renewed lease. */
export function checkpoint(unit: UnitRecord, position: SweepPosition, counts: UnitCounts, now: number, leaseMs: number): UnitRecord {
  const owner = unit.hold?.owner ?? '';
  return { ...unit, position, counts, hold: { owner, until: iso(now + leaseMs) }, updatedAt: iso(now) };
}

/** How an invocation's turn on a unit ended. */
export type TurnOutcome =
  | { readonly kind: 'complete'; readonly counts: UnitCounts; readonly skippedBecause?: BucketReport['skippedBecause'] }
  | { readonly kind: 'stopped'; readonly position: SweepPosition; readonly counts: UnitCounts }
  | { readonly kind: 'failed'; readonly error: NonNullable<BucketReport['error']>; readonly position: SweepPosition; readonly counts: UnitCounts };

/**
 * Ends a turn: done, or handed back for the next invocation, or stopped when
 * the unit has not moved for `noProgressLimit` consecutive turns. A turn that
 * failed counts as not moving; one that ran out of time without moving counts
 * only when the unit had the invocation to itself (`alone`): sharing it, the
 * unit may simply have waited behind the others' re-encryptions.
 */
export function endTurn(unit: UnitRecord, outcome: TurnOutcome, facts: { kmsKeyId: string | null; versioned: boolean }, noProgressLimit: number, now: number, alone = true): UnitRecord {
  const { hold: _released, ...rest } = unit;
  const base = { ...rest, ...facts, counts: outcome.counts, updatedAt: iso(now) };
  if (outcome.kind === 'complete') {
    const { error: _error, ...clean } = base;
    return { ...clean, state: UnitState.done, noProgress: 0, ...(outcome.skippedBecause && { skippedBecause: outcome.skippedBecause }) };
  }
  const moved = outcome.counts.scanned > unit.counts.scanned || !samePosition(outcome.position, unit.position);
  const idle = !moved && (outcome.kind === 'failed' || alone);
  const noProgress = moved ? 0 : idle ? unit.noProgress + 1 : unit.noProgress;
  const error = outcome.kind === 'failed' ? { error: outcome.error } : {};
  if (noProgress >= noProgressLimit) {
    return {
      ...base, ...error, state: UnitState.stopped, position: outcome.position, noProgress,
      reason: `${StopReason.noProgress}: no progress in ${noProgress} consecutive invocations${outcome.kind === 'failed' ? ` (last error: ${outcome.error.message})` : ''}`,
    };
  }
  return { ...base, ...error, state: UnitState.pending, position: outcome.position, noProgress };
}

/** The run is over its invocation budget: whatever is not final stops with that reason. */
export function stopForLimit(unit: UnitRecord, maxInvocations: number, now: number): UnitRecord {
  const { hold: _released, ...rest } = unit;
  return { ...rest, state: UnitState.stopped, reason: `${StopReason.maxInvocations}: the run reached ${maxInvocations} invocations`, updatedAt: iso(now) };
}

export function samePosition(a: SweepPosition, b: SweepPosition): boolean {
  return a.start === b.start && a.offset === b.offset && a.anchor?.name === b.anchor?.name && a.anchor?.versionId === b.anchor?.versionId;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
