import type { LimitFunction } from 'p-limit';
import { decideObject, type DecisionContext, type SkipReason, type Watermark } from '../decide/decide-object';
import type { Logger } from '../log';
import { OciCallError, objectSkipReason, type CallFailure } from '../oci/errors';
import type { BucketFacts, ListedPage, ListedVersion, ObjectStorage } from '../oci/object-storage';
import type { BucketTally } from '../report/report';
import type { SweepPosition } from './continuation';
import { compareNames, inRange, type NameRange } from './range-listing';

export interface SweepDeps {
  readonly objectStorage: ObjectStorage;
  /** Shared by every bucket of the invocation: bounds re-encryptions in flight. */
  readonly limit: LimitFunction;
  /** No new object is started at or after this instant (epoch ms). */
  readonly stopStartingAt: number;
  /** Or once this is aborted (an operator's Ctrl-C): calls in flight still finish. */
  readonly stopSignal?: AbortSignal;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /**
   * Called when every item of a page is done, with where the sweep would resume from
   * now: the tally then counts exactly the items before that position (a consistent
   * point to save).
   */
  readonly onPageDone?: (next: SweepPosition) => void;
}

export interface SweepTask {
  readonly bucket: BucketFacts;
  readonly prefix?: string;
  /** A name range of the bucket (a range unit of a run): the listing starts at its start and stops before its end. */
  readonly range?: NameRange;
  /**
   * A promise while the key's current version is still being looked up (a manual sweep looks it up
   * while the first page is listed): no item is decided before it resolves, and if it rejects the
   * sweep rejects with its error once the listing has returned, having counted nothing.
   */
  readonly watermark: Watermark | Promise<Watermark>;
  readonly position: SweepPosition;
  readonly tally: BucketTally;
}

export type SweepOutcome =
  | { readonly state: 'complete' }
  /** Stopped for time: resume from `position`. */
  | { readonly state: 'stopped'; readonly position: SweepPosition }
  /**
   * The listing failed after its retries; the tally holds the error and the
   * bucket is reported incomplete, not continued (a listing that keeps failing
   * would otherwise make self-invocations loop).
   */
  | { readonly state: 'failed' };

/**
 * What happened to one listed item. Items finish out of order, so nothing is
 * counted when it happens: the page's outcomes are committed to the tally
 * together, once the resume point is known (see `sweepBucket`).
 */
type ItemOutcome =
  | { readonly type: 'skipped'; readonly reason: SkipReason }
  | { readonly type: 'planned' }
  | { readonly type: 'reencrypted' }
  | { readonly type: 'failed'; readonly failure: CallFailure }
  /** Not attempted, or stopped by the deadline: the next invocation redoes it. */
  | { readonly type: 'not-done' };

const NOT_DONE: ItemOutcome = { type: 'not-done' };
const REENCRYPTED: ItemOutcome = { type: 'reencrypted' };
const PLANNED: ItemOutcome = { type: 'planned' };

/**
 * Streams a bucket page by page (ListObjectVersions for versioned buckets, so
 * every version counts), decides each item and re-encrypts through the shared
 * limiter. Listing is pipelined with the work: the next page is listed while
 * the current page's calls are in flight, and its items join the limiter's
 * queue behind them, so the limiter stays full across page boundaries instead
 * of draining at every page and waiting for a listing round trip. At most two
 * pages are held at once (the one finishing and the one after it), plus the
 * calls in flight.
 *
 * Items finish out of order, and pages too, so outcomes are committed to the
 * tally page by page, in listing order, once every item of the page and of
 * the pages before it is done: the resume position is the first item not yet
 * done, and only the items before it are counted.
 */
export async function sweepBucket(task: SweepTask, deps: SweepDeps): Promise<SweepOutcome> {
  // Not yet listed: resume exactly where the task said (its offset and anchor apply to this first page).
  let listing = listPage(task, deps, task.position);
  const decisions = await decisionContext(task, listing);
  /** The page whose items are in flight and not yet committed; the page after it may be in flight too. */
  let finishing: OpenPage | undefined;
  for (;;) {
    const listed = await listing;
    if (listed.type !== 'page') {
      // Stopped before this page, or its listing failed: what is in flight still finishes and counts.
      const stoppedEarlier = finishing ? await settle(finishing, task, deps) : undefined;
      if (stoppedEarlier) return stoppedEarlier;
      if (listed.type === 'stop') return { state: 'stopped', position: listed.position };
      task.tally.error = listed.error;
      return { state: 'failed' };
    }
    const started = startPage(listed.page, listed.position, decisions, task, deps);
    if (finishing) {
      const stoppedEarlier = await settle(finishing, task, deps);
      if (stoppedEarlier) {
        // A later page's calls finish too (none is left running); the next invocation redoes and counts them.
        await started.outcomes;
        return stoppedEarlier;
      }
    }
    if (started.next === undefined) return (await settle(started, task, deps)) ?? { state: 'complete' };
    // Only `started` is open now: list the page after it while its calls run.
    listing = listPage(task, deps, { start: started.next, offset: 0 });
    finishing = started;
  }
}

/** A listed page whose items have been handed to the limiter. */
interface OpenPage {
  /** The page's own start (absent: the first page). */
  readonly start?: string;
  /** Index in the listed page of `items[0]` (a resumed page skips what was done). */
  readonly from: number;
  readonly items: readonly ListedVersion[];
  readonly next?: string;
  /** Every item's outcome, in order; rejects only on a bug (an error that is not an OciCallError). */
  readonly outcomes: Promise<ItemOutcome[]>;
}

type Listed =
  | { readonly type: 'page'; readonly page: ListedPage; readonly position: SweepPosition }
  /** Not listed (time is up, or the listing ran out of time): resume from `position`. */
  | { readonly type: 'stop'; readonly position: SweepPosition }
  | { readonly type: 'failed'; readonly error: NonNullable<BucketTally['error']> };

/** Lists the page that starts at `position`, unless no new work may start. Never rejects for an OCI error. */
async function listPage(task: SweepTask, deps: SweepDeps, position: SweepPosition): Promise<Listed> {
  if (mustStopStarting(deps)) return { type: 'stop', position };
  const { bucket } = task;
  const { start } = position;
  try {
    const range = task.range ?? {};
    let page = bucket.versioned
      ? await deps.objectStorage.listVersionsPage(bucket.namespace, bucket.name, task.prefix, start, range)
      : await deps.objectStorage.listObjectsPage(bucket.namespace, bucket.name, task.prefix, start ?? range.start, range.end);
    // OCI applies start/end itself; a name outside the range would belong to another unit, so it is never handled here.
    if (task.range) page = withinRange(page, task.range);
    // Time ran out while the page was listed (it was asked for ahead of need): none of its items may start, so deciding them is wasted work.
    if (mustStopStarting(deps)) return { type: 'stop', position };
    return { type: 'page', page, position };
  } catch (err) {
    if (!(err instanceof OciCallError)) throw err;
    if (err.failure.outOfTime) return { type: 'stop', position };
    return {
      type: 'failed',
      error: { status: err.failure.status ?? null, serviceCode: err.failure.serviceCode ?? null, message: err.message, opcRequestId: err.failure.opcRequestId ?? null },
    };
  }
}

/**
 * What every item of the bucket is decided against, once the watermark is known. It may still be
 * looked up while the first page is listed; if that fails, the listing is let finish (nothing is
 * left running) and the lookup's error is thrown, before any item is decided or counted.
 */
async function decisionContext(task: SweepTask, firstListing: Promise<Listed>): Promise<DecisionContext> {
  let watermark: Watermark;
  try {
    watermark = await task.watermark;
  } catch (err) {
    await firstListing.catch(() => undefined);
    throw err;
  }
  return { hasTargetKey: task.bucket.kmsKeyId !== undefined, watermark, ...(task.prefix !== undefined && { prefix: task.prefix }) };
}

/** Decides the page's items (from the resume point on) and hands them to the limiter; returns at once. */
function startPage(page: ListedPage, position: SweepPosition, decisions: DecisionContext, task: SweepTask, deps: SweepDeps): OpenPage {
  const from = resumeIndex(page.items, position.offset, position.anchor);
  const items = page.items.slice(from);
  const outcomes = Promise.all(items.map((item) => handleItem(item, decisions, task, deps).then((outcome) => countLive(task.tally, outcome))));
  // Awaited later, in page order; until then a bug's rejection must not count as unhandled.
  outcomes.catch(() => undefined);
  return { ...(position.start !== undefined && { start: position.start }), from, items, ...(page.next !== undefined && { next: page.next }), outcomes };
}

/**
 * Waits for every item of the page and commits the page to the tally (every
 * page before it is committed already). Returns where to resume when an item
 * is not done; otherwise tells `onPageDone` where the sweep now stands.
 */
async function settle(open: OpenPage, task: SweepTask, deps: SweepDeps): Promise<SweepOutcome | undefined> {
  const outcomes = await open.outcomes;
  const firstNotDone = outcomes.findIndex((o) => o.type === 'not-done');
  // The resume point is the first item not done. Items after it that did
  // finish (a skip, or a call that completed while an earlier one ran out of
  // time) are redone by the invocation that resumes, and counted there, so
  // only the items before it count here: summed over a run, every counter
  // matches the bucket exactly.
  const cut = firstNotDone === -1 ? outcomes.length : firstNotDone;
  for (let i = 0; i < cut; i += 1) commit(open.items[i] as ListedVersion, outcomes[i] as ItemOutcome, task, deps);
  if (firstNotDone !== -1) return stopped(open.start, open.from + firstNotDone, open.items[firstNotDone] as ListedVersion);
  if (open.next !== undefined) deps.onPageDone?.({ start: open.next, offset: 0 });
  return undefined;
}

/** The page's items inside the range; past its end the listing is over. */
function withinRange(page: ListedPage, range: NameRange): ListedPage {
  const items = page.items.filter((i) => inRange(i.name, range));
  const last = page.items[page.items.length - 1];
  const pastEnd = range.end !== undefined && last !== undefined && compareNames(last.name, range.end) >= 0;
  return { items, ...(page.next !== undefined && !pastEnd && { next: page.next }) };
}

function mustStopStarting(deps: SweepDeps): boolean {
  return Date.now() >= deps.stopStartingAt || deps.stopSignal?.aborted === true;
}

function stopped(start: string | undefined, offset: number, firstNotDone: ListedVersion): SweepOutcome {
  const anchor = offset > 0 ? { name: firstNotDone.name, ...(firstNotDone.versionId !== undefined && { versionId: firstNotDone.versionId }) } : undefined;
  return { state: 'stopped', position: { ...(start !== undefined && { start }), offset, ...(anchor && { anchor }) } };
}

/**
 * Where to resume in a re-listed page. Everything before the anchor was done
 * when the continuation was issued, but the page may have changed since
 * (deletions shift items left, uploads right), so `offset` is only a hint:
 * find the anchor itself; if it is gone, redo the whole page (re-encrypting
 * is idempotent; skipping is not). Positions without an anchor (offset 0, or
 * tokens issued before anchors existed) keep the offset.
 */
function resumeIndex(items: readonly ListedVersion[], offset: number, anchor: SweepPosition['anchor']): number {
  if (!anchor) return offset;
  const isAnchor = (i: ListedVersion | undefined) => i !== undefined && i.name === anchor.name && i.versionId === anchor.versionId;
  if (isAnchor(items[offset])) return offset;
  const found = items.findIndex(isAnchor);
  return found === -1 ? 0 : found;
}

/** Decides one item and, for a real run, re-encrypts it through the shared limiter. Counts nothing. */
async function handleItem(item: ListedVersion, decisions: DecisionContext, task: SweepTask, deps: SweepDeps): Promise<ItemOutcome> {
  const decision = decideObject(item, decisions);
  if (decision.action === 'skip') return { type: 'skipped', reason: decision.reason };
  if (deps.dryRun) return PLANNED;
  return deps.limit(async function reencryptListedVersion(): Promise<ItemOutcome> {
    if (mustStopStarting(deps)) return NOT_DONE;
    try {
      await deps.objectStorage.reencryptObject({
        namespace: task.bucket.namespace, bucketName: task.bucket.name, objectName: item.name,
        ...(item.versionId !== undefined && { versionId: item.versionId }),
      });
      return REENCRYPTED;
    } catch (err) {
      if (!(err instanceof OciCallError)) throw err;
      if (err.failure.outOfTime) return NOT_DONE;
      const reason = objectSkipReason(err.failure);
      return reason ? { type: 'skipped', reason } : { type: 'failed', failure: err.failure };
    }
  });
}

/** Progress as items finish (tally.live), ahead of the page's commit. */
function countLive(tally: BucketTally, outcome: ItemOutcome): ItemOutcome {
  if (outcome.type !== 'not-done') {
    tally.live.handled += 1;
    tally.live[outcome.type] += 1;
  }
  return outcome;
}

/** Counts one done item in the bucket's tally (and logs the decision). */
function commit(item: ListedVersion, outcome: ItemOutcome, task: SweepTask, deps: SweepDeps): void {
  const { tally } = task;
  switch (outcome.type) {
    case 'not-done': return;
    case 'skipped':
      tally.skip(outcome.reason);
      logDecision(deps, task, item, { action: 'skip', reason: outcome.reason });
      break;
    case 'planned':
      tally.plannedVersion(item.name, item.versionId);
      logDecision(deps, task, item, { action: 'reencrypt', dryRun: true });
      break;
    case 'reencrypted':
      tally.reencrypted += 1;
      logDecision(deps, task, item, { action: 'reencrypt' });
      break;
    case 'failed':
      tally.fail(item.name, item.versionId, outcome.failure);
      logDecision(deps, task, item, { action: 'failed', status: outcome.failure.status, serviceCode: outcome.failure.serviceCode });
      break;
  }
  tally.scanned += 1;
}

/** One debug line per decision; skipped entirely (no allocation) unless the level is debug. */
function logDecision(deps: SweepDeps, task: SweepTask, item: ListedVersion, fields: Record<string, unknown>): void {
  if (deps.logger.level !== 'debug') return;
  deps.logger.debug('decision', { bucket: task.bucket.name, object: item.name, versionId: item.versionId, ...fields });
}
