/**
 * A run's lifecycle: plan, claim units, sweep them (worker.ts), checkpoint,
 * hand over to a detached invocation of this function, report. The states
 * and transitions are in model.ts; the I/O is here.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describeWatermark, EVERYTHING, type ResolvedWatermark } from '../decide/watermark';
import type { RunContext } from '../engine/context';
import { BOOKKEEPING_OWN_MS } from '../engine/deadline';
import { InvalidInputError, RunNotContinuedError } from '../errors';
import { recordFinishedRunMetrics } from '../metrics';
import { BUCKET_STRATEGY_CAVEAT, totalsOf, type BucketReport } from '../report/report';
import type { StrategyAsk } from './bucket-unit';
import { startWorkers, type WorkersStarted } from './fan-out';
import { successorBody } from './chains';
import { invokeSelfDetached, type HandoverResult } from './handover';
import { forgetIfOrphan, relistIfForgotten } from './orphan-markers';
import {
  claim, claimOrder, isClaimable, isFinal, newUnit, RunState, stopForLimit, UnitState, type RunRecord, type UnitRecord, type UnitSpec,
} from './model';
import { foldRanges, IDLE_POLL_MS, listingUnderWay, splitterFor, type Splitter } from './ranges';
import { HoldWatch } from './holds';
import { publishResume, resumeNote, type PublishedResume } from './resume-topic';
import { StateStoreError, type StateStore, type Stored } from './store';
import { takeUnitTurn } from './worker';

/** Units one invocation works on at once; each holds at most two listing pages in memory (the page in flight and the next, listed ahead). */
const UNITS_PER_INVOCATION = 4;
/** A hold lasts this many checkpoint intervals: a worker that misses a checkpoint or two keeps it. */
const LEASE_CHECKPOINTS = 3;
/** Wakes this long after a hold's expiry (so it has expired), and stops waiting this long before stopStartingAt. */
const HOLD_WAIT_MARGIN_MS = 150;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export const runKey = (runId: string): string => `runs/${runId}/run.json`;
const unitKey = (runId: string, index: number): string => `runs/${runId}/units/${String(index).padStart(5, '0')}.json`;
export const reportKey = (runId: string): string => `runs/${runId}/report.json`;
export const OPEN_PREFIX = 'unfinished/';
const openKey = (runId: string): string => `${OPEN_PREFIX}${runId}`;

/** An event's run id: the same event delivered again finds the same run. */
export function runIdForEvent(eventType: string, eventId: string): string {
  return `ev-${createHash('sha256').update(`${eventType}\n${eventId}`).digest('hex').slice(0, 40)}`;
}

export function freshRunId(now = Date.now()): string {
  return `run-${new Date(now).toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(6).toString('hex')}`;
}

/** Everything needed to start a run: what started it, the watermark, and its units. */
export interface RunPlan {
  readonly runId: string;
  readonly trigger: Record<string, unknown>;
  readonly triggerName: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  readonly watermark: ResolvedWatermark;
  readonly units: readonly UnitSpec[];
  readonly notes: readonly string[];
  readonly incomplete: boolean;
  /** The strategy asked for (request or REENCRYPT_STRATEGY); absent: objects. */
  readonly strategy?: RunRecord['strategy'];
}

export interface Runs {
  readonly store: StateStore;
  /** This invocation's Fn call id: the holder's name on units it claims. */
  readonly owner: string;
}

/**
 * startRun, riding out a state bucket that is unavailable (withStateRetries). Once the run
 * exists, an invocation that runs out of time that way (its turn's bookkeeping failed after the
 * work) hands the run to a successor, as a resume does: the invocation that started a run has
 * no failure destination behind it, so without one the run would wait for someone to resume it.
 */
export async function startRunRetrying(plan: RunPlan, runs: () => Promise<Runs>, ctx: RunContext): Promise<object> {
  let exists = false;
  return withStateRetries(ctx, async () => startRun(plan, await runs(), ctx, () => { exists = true; }), () => (exists ? plan.runId : undefined), { notDetached: true });
}

/** Starts the run (or joins it, when this is a redelivery) and takes a turn on it; `onExists` is told once the run is stored. */
export async function startRun(plan: RunPlan, runs: Runs, ctx: RunContext, onExists?: () => void): Promise<object> {
  const { store } = runs;
  const now = Date.now();
  const w = describeWatermark(plan.watermark);
  const record: RunRecord = {
    v: 1, runId: plan.runId, createdAt: new Date(now).toISOString(), trigger: plan.trigger, triggerName: plan.triggerName,
    namespace: plan.namespace, dryRun: plan.dryRun, before: w.before, watermarkSource: w.source, units: plan.units,
    state: RunState.running, invocations: 0, maxInvocations: ctx.config.maxInvocations, noProgressLimit: ctx.config.noProgressLimit,
    notes: plan.notes, incomplete: plan.incomplete, workers: workersFor(plan.units.length, ctx),
    ...(plan.strategy && { strategy: plan.strategy }),
  };
  let created = false;
  const existing = await store.get(runKey(plan.runId), isRunRecord);
  if (!existing) {
    // The marker first: a run that exists is always listed until it ends.
    const marker = { runId: plan.runId, createdAt: record.createdAt, trigger: plan.triggerName };
    const markedBefore = (await store.create(openKey(plan.runId), marker)) === 'exists';
    created = (await store.create(runKey(plan.runId), record)) !== 'exists';
    // A marker an earlier start left (it died before storing the run) may have been removed as an orphan meanwhile.
    if (created) await relistIfForgotten(openKey(plan.runId), marker, markedBefore, store);
    if (!created) {
      // Another request may have named the same run id at the same moment: it is refused as when it comes later.
      const other = await store.get(runKey(plan.runId), isRunRecord);
      if (other) refuseOtherRequest(other.value, record);
      ctx.notes.push('joined a run started at the same moment by the same event or request');
    }
  } else {
    refuseOtherRequest(existing.value, record);
    ctx.notes.push('this run already exists (a redelivered event or a repeated request): joined it');
  }
  onExists?.();
  if (created && record.workers > 1) {
    // Fan-out: this invocation only plans; the workers sweep. If Functions took none of them, it works itself.
    const started = await startWorkers(plan.runId, record.workers, ctx);
    if (started.started > 0) return workersStarted(plan.runId, started, runs, ctx);
  }
  return takeTurn(plan.runId, runs, ctx);
}

/**
 * A run id names one request's run: the same request (or event) again joins it; another may not,
 * or it would be answered with that run's report and its own scope never swept. The units are
 * compared for bucket sweeps only: a key sweep's buckets are found anew by each delivery.
 */
function refuseOtherRequest(existing: RunRecord, asked: RunRecord): void {
  // Only the units the request planned: a bucket's listing pass appends its name ranges (`of`) to the run (ranges.ts).
  const planned = existing.units.filter((u) => u.of === undefined);
  const sameUnits = asked.trigger.scope !== 'bucket' || JSON.stringify(planned) === JSON.stringify(asked.units);
  // A time the request gave (before) is part of what it asks, against another time or force; a watermark resolved anew
  // (the key's current version, or everything for a bucket without a key of its own) is not: it may change between sends.
  const gaveTime = asked.watermarkSource === 'request' || existing.watermarkSource === 'request';
  const sameWatermark = !gaveTime || (existing.watermarkSource === asked.watermarkSource && existing.before === asked.before);
  if (JSON.stringify(existing.trigger) === JSON.stringify(asked.trigger) && existing.dryRun === asked.dryRun && sameUnits && sameWatermark) return;
  const field = asked.trigger.kind === 'manual' ? 'runId' : 'eventID';
  throw new InvalidInputError(`Run ${asked.runId} already exists for another request (${existing.triggerName}): its ${field} names that run`, [
    { field, problem: `names run ${asked.runId}, which another request started: give a new ${field}, or send runId alone for that run's status` },
  ]);
}

/** How many workers a run of `units` units gets: one per unit, at most REENCRYPT_MAX_WORKERS, and only if it can invoke itself. */
function workersFor(units: number, ctx: RunContext): number {
  const canFanOut = ctx.config.selfInvoke && ctx.config.functionId !== undefined;
  return canFanOut ? Math.max(1, Math.min(ctx.config.maxWorkers, units)) : 1;
}

function workersStarted(runId: string, started: WorkersStarted, runs: Runs, ctx: RunContext): object {
  ctx.logger.info('run started', { runId, workers: started.started, throttled: started.throttled });
  if (started.throttled > 0) ctx.notes.push(`Functions answered 429 to ${started.throttled} of the workers: the run goes on with ${started.started}`);
  return {
    ok: true, runId, action: 'run-started', workers: { started: started.started, throttled: started.throttled, failed: started.failed },
    complete: false, continuation: null, report: { bucket: runs.store.bucket, object: reportKey(runId) }, notes: ctx.notes,
  };
}

export interface TurnOptions {
  /**
   * Fail the invocation (RunNotContinued) when its successor is refused and nothing else may
   * pick the run up. For `{"resume"}` calls: the function sends those detached, and OCI hands
   * only failed detached invocations to the failure destination. The invocation that started
   * the run (an event, a manual request) answers normally, after publishing the run's resume to
   * the resume topic (resume-topic.ts), or with a note saying how to resume.
   */
  readonly failIfNotContinued?: boolean;
}

/** One invocation's turn: claim what is free, sweep it, then finish the run or hand it over. */
export async function takeTurn(runId: string, runs: Runs, ctx: RunContext, options: TurnOptions = {}): Promise<object> {
  const { store } = runs;
  const stored = await store.get(runKey(runId), isRunRecord);
  if (!stored) {
    // A marker whose start died before storing the run: no later failure record resumes it again.
    await forgetIfOrphan(runId, { marker: openKey(runId), record: runKey(runId), isRun: isRunRecord }, store, ctx);
    throw noSuchRun(runId, store, 'resume');
  }
  if (stored.value.state === RunState.finished) {
    // A marker left by an invocation that died between the report and its cleanup.
    await store.delete(openKey(runId));
    return answerWithReport(runId, runs, ctx, 'the run had already ended');
  }
  let run = await countInvocation(stored, store);
  const leaseMs = ctx.config.checkpointMs * LEASE_CHECKPOINTS;
  // Holds that may be a dead holder's: waited for here, or left to a successor (holds.ts).
  const watch = new HoldWatch(runs.owner);
  let units = await loadUnits(run.value, store);
  watch.see(units.map((u) => u.value));
  // A bucket's listing pass adds range units to the run as it goes: read the run again before looking at its units.
  const reload = async (): Promise<Stored<UnitRecord>[]> => {
    run = (await store.get(runKey(runId), isRunRecord)) ?? run;
    const loaded = await loadUnits(run.value, store);
    watch.see(loaded.map((u) => u.value));
    return loaded;
  };
  /**
   * Nothing to take now: wait once, while there is time, for what may free a unit, then read
   * the units again. A listing pass handing out ranges is looked at every second; a hold that
   * may be a dead holder's is waited for until it expires (or this invocation's time is up).
   * False when there is nothing to wait for, or no time left.
   */
  const waitForWork = async (): Promise<boolean> => {
    const now = Date.now();
    if (listingUnderWay(units.map((u) => u.value)) && ctx.budget.stopStartingAt - now > IDLE_POLL_MS) {
      await sleep(IDLE_POLL_MS);
    } else {
      const expiries = watch.unverified(units.map((u) => u.value), now).map((h) => h.until);
      const latest = ctx.budget.stopStartingAt - HOLD_WAIT_MARGIN_MS;
      if (expiries.length === 0 || latest - now < HOLD_WAIT_MARGIN_MS) return false;
      await sleep(Math.min(Math.min(...expiries) + HOLD_WAIT_MARGIN_MS, latest) - now);
    }
    units = await reload();
    return true;
  };
  const claimOrWait = async (max: number): Promise<{ index: number; held: Stored<UnitRecord> }[]> => {
    let claimed = await claimUnits(units, run.value, runs, leaseMs, max);
    while (claimed.length === 0 && (await waitForWork())) claimed = await claimUnits(units, run.value, runs, leaseMs, max);
    return claimed;
  };
  const worked: string[] = [];
  let reencrypted = 0;
  let checkpoints = 0;
  if (run.value.invocations > run.value.maxInvocations) {
    // Over its limit, the run stops every unit as it becomes free, a dead holder's once its hold expires.
    do {
      for (const [index, u] of units.entries()) {
        if (!isFinal(u.value) && isClaimable(u.value, Date.now())) await store.replace(unitKey(runId, index), stopForLimit(u.value, run.value.maxInvocations, Date.now()), u.etag);
      }
    } while (await waitForWork());
  } else {
    // A fanned-out run's worker holds one unit at a time, and takes the next when it finishes one.
    const perInvocation = run.value.workers > 1 ? 1 : UNITS_PER_INVOCATION;
    let claimed = await claimOrWait(perInvocation);
    const watermark = watermarkOf(run.value);
    while (claimed.length > 0) {
      const turns = claimed;
      const results = await Promise.all(turns.map(({ index, held }) => takeUnitTurn(held, {
        store, key: unitKey(runId, index), namespace: run.value.namespace, dryRun: run.value.dryRun, watermark: watermark.watermark,
        leaseMs, noProgressLimit: run.value.noProgressLimit, alone: turns.length === 1, ...strategyAsk(run.value, ctx),
        ...withSplitter(held.value, index, runId, runs, ctx),
      }, ctx)));
      for (const [i, r] of results.entries()) {
        worked.push(turns[i]?.held.value.bucketName ?? '');
        reencrypted += r.reencrypted;
        checkpoints += r.checkpoints;
      }
      claimed = [];
      // A worker that finished its unit with time to spare takes the next pending one.
      const finishedItsUnit = results.every((r) => r.unit !== undefined && isFinal(r.unit));
      if (finishedItsUnit && ctx.budget.stopStartingAt - Date.now() > Math.min(ctx.config.checkpointMs, 5_000)) {
        units = await reload();
        // A listing pass may have made a one-worker run a fanned-out one.
        if (run.value.workers > 1) claimed = await claimOrWait(1);
      }
    }
  }
  units = await reload();
  if (units.every((u) => isFinal(u.value))) {
    // Ranges are appended before their listing unit ends: a run record read after the units holds them all.
    const again = units.some((u) => u.value.listing === true) ? await reload() : units;
    if (again.length === units.length) return finish(run.value, units.map((u) => u.value), runs, ctx, { worked, reencrypted, checkpoints });
    units = again;
  }
  const now = Date.now();
  // What a successor could take: in a fanned-out run whose workers are all at work, nothing
  // (they take the pending units themselves), so an extra invocation does not hand over.
  const open = claimOrder(units.map((u) => u.value), runs.owner, run.value.workers, now);
  // Holds this invocation could not see renewed nor wait out: a successor watches them (holds.ts).
  const unverified = watch.unverified(units.map((u) => u.value), now);
  // A worker whose time is up while ranges are still being handed out keeps its place through a successor.
  const keepPlace = open.length > 0 || unverified.length > 0 || (run.value.workers > 1 && listingUnderWay(units.map((u) => u.value)));
  // The successor learns who handed over, and records it (chains.ts): this call's failure record then resumes nothing.
  const successor = successorBody(runId, runs.owner);
  let handover: HandoverResult | undefined = keepPlace ? await invokeSelfDetached(successor, ctx) : undefined;
  // The invocation that started the run has no failure destination behind it: while Functions
  // is full, it keeps asking, with backoff, as long as it has time.
  if (handover && !handover.invoked && handover.throttled && !options.failIfNotContinued) handover = await askAgainWhileFull(runId, successor, handover, ctx);
  let published: PublishedResume | undefined;
  if (handover && !handover.invoked) {
    ctx.logger.warn('run not continued', { runId, why: handover.why, open: open.length, unverified: unverified.length });
    // Nothing alive may pick the run up (only waiting for a listing pass's ranges, the listing pass itself is alive).
    const stranded = handover.attempted && (open.length > 0 || unverified.length > 0);
    // Nothing sent for the invocation that started the run (no failure record): it publishes the resume itself. A
    // `{"resume"}` call publishes its handover too: sent through Notifications (sync, A29), it has no failure record
    // either, and whether Notifications retries a delivery the function failed is not documented. Whichever resume
    // comes first claims this call's chain (chains.ts); the other ends.
    if (stranded) published = await publishResume(options.failIfNotContinued ? successor : { resume: runId }, ctx);
    // A `{"resume"}` call sent detached: fail it as well, so the failure destination resumes the run.
    if (options.failIfNotContinued && stranded) throw new RunNotContinuedError([runId], published ? resumeNote(runId, handover.why, published) : handover.why);
    ctx.notes.push(resumeNote(runId, handover.why, published));
  }
  const answer = {
    ok: true, runId, action: 'run-step', status: statusOf(run.value, units.map((u) => u.value)),
    thisInvocation: { units: worked, reencrypted, checkpoints },
    handedOver: handover?.invoked ?? false, ...(published && { resumePublished: published.published }), complete: false, continuation: null,
    report: { bucket: store.bucket, object: reportKey(runId) }, notes: ctx.notes,
  };
  ctx.logger.info('run step', { runId, units: worked, reencrypted, checkpoints, handedOver: answer.handedOver, open: open.length, unverified: unverified.length });
  return answer;
}

/** First wait before asking Functions again for a successor it refused (429); it doubles. */
const REFUSED_RETRY_FIRST_MS = 250;

async function askAgainWhileFull(runId: string, successor: object, refused: HandoverResult, ctx: RunContext): Promise<HandoverResult> {
  let last = refused;
  let attempts = 1;
  for (let wait = REFUSED_RETRY_FIRST_MS; !last.invoked && last.throttled; wait *= 2) {
    // An ask started before the hard stop gets a second of its own (invokeSelfDetached), within Fn-Deadline;
    // with a resume topic, the last one ends a second earlier, so publishing the resume has its own second too.
    if (Date.now() + wait > ctx.budget.hardStopAt - (ctx.config.resumeTopic ? BOOKKEEPING_OWN_MS : 0)) break;
    await sleep(wait);
    last = await invokeSelfDetached(successor, ctx);
    attempts += 1;
  }
  ctx.logger.info('successor asked for again', { runId, attempts, handedOver: last.invoked });
  return last;
}

/**
 * Runs a state-store step, riding out a state bucket that is unavailable
 * (429/503 beyond the call's own retries): wait and try again while this
 * invocation has time. If it never comes back, a run that exists is handed to
 * a later invocation (spaced by that invocation's own waiting, so an outage
 * does not become a busy loop) and the error is answered; if it cannot be
 * handed on, the call fails (RunNotContinued) for the failure destination.
 * `resume`: the run to hand on, or a function naming it once it exists. `notDetached`: this
 * invocation started the run (no failure record is sent for it): a run it cannot hand on is
 * published to the resume topic (resume-topic.ts) instead. `handedOverBy`: this invocation's Fn
 * call id, named in the successor's body (chains.ts).
 */
export async function withStateRetries(
  ctx: RunContext, step: () => Promise<object>, resume?: string | (() => string | undefined), options: { notDetached?: boolean; handedOverBy?: string } = {},
): Promise<object> {
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof StateStoreError) || err.problem !== 'unavailable') throw err;
      const wait = Math.min(10_000, ctx.budget.stopStartingAt - Date.now() - 1000);
      if (wait <= 0) {
        const resumeRunId = typeof resume === 'function' ? resume() : resume;
        if (resumeRunId) {
          const successor = options.handedOverBy ? successorBody(resumeRunId, options.handedOverBy) : { resume: resumeRunId };
          const h = await invokeSelfDetached(successor, ctx);
          ctx.logger.warn('state bucket unavailable; run handed on', { runId: resumeRunId, handedOver: h.invoked });
          // Not handed on either: as in takeTurn, the resume is published (the invocation that started the run has
          // no failure record behind it, nor has a `{"resume"}` Notifications delivered), and a `{"resume"}` call
          // fails as well, so that the failure destination resumes the run if it was sent detached.
          if (!h.invoked && h.attempted) {
            const published = await publishResume(options.notDetached ? { resume: resumeRunId } : successor, ctx);
            if (published?.published) {
              const note = `${err.message}; ${resumeNote(resumeRunId, h.why, published)}`;
              if (options.notDetached) throw new StateStoreError('unavailable', note, { cause: err });
              throw new RunNotContinuedError([resumeRunId], note);
            }
            throw new RunNotContinuedError([resumeRunId], `${err.message}; ${h.why}${published ? `; publishing the resume to ${published.topicId} failed too: ${published.why}` : ''}`);
          }
        }
        throw err;
      }
      ctx.logger.warn('state bucket unavailable; trying again', { error: err.message, waitMs: wait });
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Failures listed per bucket in a running run's status (a finished run's report uses REENCRYPT_MAX_FAILURES_REPORTED). */
const STATUS_MAX_FAILURES = 100;

/** `{"runId": ...}`: where the run stands, or its final report once it has ended. */
export async function runStatus(runId: string, runs: Runs): Promise<object> {
  const { store } = runs;
  const stored = await store.get(runKey(runId), isRunRecord);
  if (!stored) throw noSuchRun(runId, store, 'runId');
  if (stored.value.state === RunState.finished) {
    const report = await store.get(reportKey(runId), isObject);
    return { ok: true, runId, status: 'finished', report: report?.value ?? null };
  }
  const units = (await loadUnits(stored.value, store, false)).map((u) => u.value);
  const buckets = foldRanges(stored.value.units, units.map((u) => unitReport(u, stored.value)), STATUS_MAX_FAILURES);
  return { ok: true, runId, status: 'running', ...statusOf(stored.value, units), totals: totalsOf(buckets), buckets };
}

/** `{"listRuns": true}`: runs that have not ended, oldest first. */
export async function listUnfinished(runs: Runs): Promise<object> {
  const names = await runs.store.list(OPEN_PREFIX);
  const found = await Promise.all(names.slice(0, 200).map((n) => runs.store.get(n, isObject)));
  const list = found.flatMap((m) => (m ? [m.value] : []));
  return { ok: true, action: 'list-runs', unfinished: list, truncated: names.length > 200 };
}

async function claimUnits(units: Stored<UnitRecord>[], run: RunRecord, runs: Runs, leaseMs: number, max: number): Promise<{ index: number; held: Stored<UnitRecord> }[]> {
  const claimed: { index: number; held: Stored<UnitRecord> }[] = [];
  for (const index of claimOrder(units.map((u) => u.value), runs.owner, run.workers, Date.now())) {
    if (claimed.length >= max) break;
    const u = units[index];
    if (!u) continue;
    const r = await runs.store.replace(unitKey(run.runId, index), claim(u.value, runs.owner, Date.now(), leaseMs), u.etag);
    if (r !== 'conflict') claimed.push({ index, held: r });
  }
  return claimed;
}

async function countInvocation(stored: Stored<RunRecord>, store: StateStore): Promise<Stored<RunRecord>> {
  let current = stored;
  // Up to REENCRYPT_MAX_WORKERS workers start together and all count themselves: enough attempts for each to win one.
  for (let attempt = 0; attempt < 80; attempt++) {
    const r = await store.replace(runKey(current.value.runId), { ...current.value, invocations: current.value.invocations + 1 }, current.etag);
    if (r !== 'conflict') return r;
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * Math.min(attempt + 1, 4)));
    const again = await store.get(runKey(current.value.runId), isRunRecord);
    if (!again) throw noSuchRun(current.value.runId, store, 'resume');
    current = again;
  }
  throw new StateStoreError('unavailable', `run ${stored.value.runId}: too many concurrent updates of its record`);
}

/** The run's units; a unit whose record was never written (a crash while planning) starts fresh. */
async function loadUnits(run: RunRecord, store: StateStore, createMissing = true): Promise<Stored<UnitRecord>[]> {
  return Promise.all(run.units.map(async (spec, index) => {
    const key = unitKey(run.runId, index);
    const found = await store.get(key, isUnitRecord);
    if (found) return found;
    const fresh = newUnit(spec, Date.now());
    if (!createMissing) return { value: fresh, etag: '' };
    const created = await store.create(key, fresh);
    if (created !== 'exists') return created;
    const again = await store.get(key, isUnitRecord);
    if (!again) throw new StateStoreError('unavailable', `unit ${key} vanished while being created`);
    return again;
  }));
}

async function finish(run: RunRecord, units: UnitRecord[], runs: Runs, ctx: RunContext, turn: { worked: string[]; reencrypted: number; checkpoints: number }): Promise<object> {
  const { store } = runs;
  const buckets = foldRanges(run.units, units.map((u) => unitReport(u, run)), ctx.config.maxFailuresReported);
  const stopped = units.filter((u) => u.state === UnitState.stopped).map((u) => ({ bucketName: u.bucketName, reason: u.reason ?? 'stopped' }));
  const finishedAt = new Date().toISOString();
  // Other workers may have counted themselves since this one read the run: the stored count is the total.
  const invocations = (await store.get(runKey(run.runId), isRunRecord))?.value.invocations ?? run.invocations;
  const report = {
    ok: true, runId: run.runId, trigger: run.trigger, action: 'swept', dryRun: run.dryRun, namespace: run.namespace,
    watermark: { before: run.before, source: run.watermarkSource }, buckets, totals: totalsOf(buckets),
    complete: stopped.length === 0 && !run.incomplete && buckets.every((b) => b.complete),
    stopped, invocations, startedAt: run.createdAt, finishedAt,
    continuation: null, notes: [...run.notes], report: { bucket: store.bucket, object: reportKey(run.runId) },
  };
  const created = await store.create(reportKey(run.runId), report);
  const final = created === 'exists' ? ((await store.get(reportKey(run.runId), isObject))?.value ?? report) : report;
  await markFinished(run.runId, finishedAt, store);
  await store.delete(openKey(run.runId));
  if (created !== 'exists') {
    ctx.logger.info('summary', {
      runId: run.runId, report: `${store.bucket}/${reportKey(run.runId)}`, complete: report.complete, totals: report.totals,
      invocations, stopped,
    });
    // Only the invocation that stored the report posts, so a run is counted once.
    const trigger = typeof run.trigger.kind === 'string' ? run.trigger.kind : 'run';
    const startedAt = Date.parse(run.createdAt);
    await recordFinishedRunMetrics({ ...report, elapsedMs: Date.parse(finishedAt) - startedAt, runStartedAt: startedAt }, trigger, ctx);
  }
  return { ...final, thisInvocation: { ...turn, endedTheRun: created !== 'exists' } };
}

async function markFinished(runId: string, finishedAt: string, store: StateStore): Promise<void> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await store.get(runKey(runId), isRunRecord);
    if (!current || current.value.state === RunState.finished) return;
    const r = await store.replace(runKey(runId), { ...current.value, state: RunState.finished, finishedAt }, current.etag);
    if (r !== 'conflict') return;
  }
}

async function answerWithReport(runId: string, runs: Runs, ctx: RunContext, why: string): Promise<object> {
  const report = await runs.store.get(reportKey(runId), isObject);
  ctx.notes.push(why);
  return { ...(report?.value ?? { ok: true, runId }), thisInvocation: { units: [], reencrypted: 0, checkpoints: 0, endedTheRun: false }, duplicateOf: runId };
}

function statusOf(run: RunRecord, units: readonly UnitRecord[]): Record<string, unknown> {
  const now = Date.now();
  const count = (p: (u: UnitRecord) => boolean): number => units.filter(p).length;
  return {
    invocations: run.invocations,
    units: {
      total: units.length,
      done: count((u) => u.state === UnitState.done),
      inProgress: count((u) => u.state === UnitState.held && !isClaimable(u, now)),
      pending: count((u) => isClaimable(u, now)),
      stopped: count((u) => u.state === UnitState.stopped),
    },
  };
}

function unitReport(u: UnitRecord, run: RunRecord): BucketReport & { stoppedBecause?: string } {
  return {
    namespace: run.namespace, bucketName: u.bucketName, kmsKeyId: u.kmsKeyId ?? null, versioned: u.versioned ?? false,
    prefix: u.prefix ?? null, scanned: u.counts.scanned, reencrypted: u.counts.reencrypted, planned: u.counts.planned,
    skipped: { ...u.counts.skipped }, failed: u.counts.failed, failures: [...u.counts.failures],
    failuresTruncated: u.counts.failed > u.counts.failures.length, complete: u.state === UnitState.done,
    ...(u.error && { error: u.error }), ...(u.skippedBecause && { skippedBecause: u.skippedBecause }),
    ...(u.state === UnitState.stopped && u.reason && { stoppedBecause: u.reason }),
    ...(u.strategy && { strategy: u.strategy }),
    ...(u.workRequest && { workRequest: { ...u.workRequest, caveat: BUCKET_STRATEGY_CAVEAT } }),
  };
}

/** What the run asks of its units' strategy (worker.ts, bucket-unit.ts); nothing for runs planned before strategies. */
function strategyAsk(run: RunRecord, ctx: RunContext): { strategy?: StrategyAsk } {
  if (!run.strategy) return {};
  return {
    strategy: {
      requested: run.strategy.requested, source: run.strategy.source, explicitBefore: run.watermarkSource === 'request', dryRun: run.dryRun,
      minObjects: ctx.config.bucketStrategyMinObjects,
    },
  };
}

/** A whole-bucket unit of a run that can fan out may be split into name ranges (ranges.ts). */
function withSplitter(unit: UnitRecord, index: number, runId: string, runs: Runs, ctx: RunContext): { splitter?: Splitter } {
  const splitter = splitterFor(unit, index, { store: runs.store, runKey: runKey(runId), isRun: isRunRecord }, ctx);
  return splitter ? { splitter } : {};
}

function watermarkOf(run: RunRecord): ResolvedWatermark {
  if (run.before === null) return EVERYTHING;
  return { watermark: { type: 'before', at: new Date(run.before) }, source: run.watermarkSource as ResolvedWatermark['source'] };
}

/** A run id that names no run: the function answers InvalidInput; the CLI tells it apart (its own exit code). */
export class NoSuchRunError extends InvalidInputError {
  constructor(readonly runId: string, message: string, details: ConstructorParameters<typeof InvalidInputError>[1]) {
    super(message, details);
  }
}

function noSuchRun(runId: string, store: StateStore, field: string): NoSuchRunError {
  return new NoSuchRunError(runId, `There is no run ${runId} in the state bucket ${store.bucket}`, [{ field, problem: `names no run in ${store.bucket}` }]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isRunRecord(v: unknown): v is RunRecord {
  return isObject(v) && v['v'] === 1 && typeof v['runId'] === 'string' && Array.isArray(v['units']) && typeof v['invocations'] === 'number';
}

function isUnitRecord(v: unknown): v is UnitRecord {
  return isObject(v) && v['v'] === 1 && typeof v['bucketName'] === 'string' && typeof v['state'] === 'string' && isObject(v['counts']) && isObject(v['position']);
}
