/**
 * The bucket strategy's executor: a unit that is one ReencryptBucket work
 * request. Its first turn records that it is about to call ReencryptBucket,
 * calls it once and saves the work request id; every turn then follows the
 * work request (GetWorkRequest) until COMPLETED, FAILED or CANCELED,
 * checkpointing on every poll (which renews the hold), and hands the unit back
 * when the invocation's time runs out, so the next invocation goes on polling.
 * On FAILED or CANCELED its errors are read (ListWorkRequestErrors, capped).
 */
import { chooseStrategy, type StrategyDecision, type StrategyName } from '../decide/strategy';
import type { RunContext } from '../engine/context';
import { OciCallError } from '../oci/errors';
import type { BucketFacts, WorkRequestView } from '../oci/object-storage';
import type { StrategyReport, WorkRequestState } from '../report/report';
import { StopReason, UnitState, type UnitRecord } from './model';
import { HeldUnit } from './held-unit';
import type { StateStore, Stored } from './store';
import { isTerminal, moved, noProgressAfterTurn, pollDelayMs } from './work-request-progress';

/** What a run asks of its units' strategy. */
export interface StrategyAsk {
  readonly requested: StrategyName;
  readonly source: 'request' | 'REENCRYPT_STRATEGY';
  /** The run's watermark is a `before` from the request. */
  readonly explicitBefore: boolean;
  readonly dryRun: boolean;
  readonly minObjects: number;
}

export type UnitRoute =
  | { readonly kind: 'objects'; readonly unit: UnitRecord }
  | { readonly kind: 'bucket' | 'impossible'; readonly unit: UnitRecord; readonly reason: string };

type Facts = (BucketFacts & { readonly approximateCount?: number }) | 'not-found' | { readonly failure: unknown };

/**
 * Which executor takes this unit's turn. A unit with a work request keeps
 * following it; a unit decided once keeps its strategy; otherwise the
 * decision is made now, from fresh bucket facts, and stored in the unit.
 */
export function routeUnit(unit: UnitRecord, facts: Facts, ask: StrategyAsk): UnitRoute {
  if (unit.workRequest) return { kind: 'bucket', unit, reason: 'following its work request' };
  // A bucket unit whose ReencryptBucket was not started (5xx, throttled) calls it again: never a silent
  // per-version sweep. A bucket deleted meanwhile is reported by the objects path (skipped: not-found).
  if (unit.strategy) return unit.strategy.used === 'bucket' && facts !== 'not-found' ? { kind: 'bucket', unit, reason: unit.strategy.reason } : { kind: 'objects', unit };
  if (facts === 'not-found' || 'failure' in facts) return { kind: 'objects', unit };
  const decision = chooseStrategy({
    requested: ask.requested, source: ask.source, dryRun: ask.dryRun, prefix: unit.prefix, explicitBefore: ask.explicitBefore,
    singleObject: false, kmsKeyId: facts.kmsKeyId, approximateCount: facts.approximateCount, minObjects: ask.minObjects, canFollowWorkRequests: true,
  });
  if ('wouldUse' in decision) return { kind: 'objects', unit: { ...unit, strategy: { used: 'objects', reason: decision.reason, wouldUse: decision.wouldUse } } };
  const strategy: StrategyReport = { used: decision.kind === 'bucket' ? 'bucket' : 'objects', reason: decision.reason };
  if (decision.kind === 'objects') return { kind: 'objects', unit: { ...unit, strategy } };
  return { kind: (decision as StrategyDecision).kind as 'bucket' | 'impossible', unit: { ...unit, strategy }, reason: decision.reason };
}

export interface BucketTurn {
  readonly store: StateStore;
  readonly key: string;
  readonly namespace: string;
  readonly leaseMs: number;
  readonly noProgressLimit: number;
}

/** The unit as this turn left it (undefined: the hold was lost), and the checkpoints written. */
export interface BucketTurnResult {
  readonly unit: UnitRecord | undefined;
  readonly checkpoints: number;
}

/** `facts`: undefined when the bucket was not read this turn (a unit that only follows its work request). */
export async function takeBucketTurn(held: Stored<UnitRecord>, route: Exclude<UnitRoute, { kind: 'objects' }>, facts: Facts | undefined, turn: BucketTurn, ctx: RunContext): Promise<BucketTurnResult> {
  const unit = new HeldUnit(held, turn.store, turn.key);
  let current: UnitRecord = route.unit;
  const factsForReport = facts !== undefined && typeof facts === 'object' && !('failure' in facts) ? { kmsKeyId: facts.kmsKeyId ?? null, versioned: facts.versioned } : {};
  current = { ...current, ...factsForReport };

  /**
   * Saves `next`; false when another invocation took the unit over (stop at once), or, with
   * `mustPersist`, when the state bucket failed (a checkpoint may be missed, the intent to call
   * ReencryptBucket may not: unrecorded, a successor would start a second work request).
   */
  const save = async (next: UnitRecord, renew = true, mustPersist = false): Promise<boolean> => {
    const now = Date.now();
    const { hold, ...rest } = next;
    const record: UnitRecord = renew && hold ? { ...next, hold: { owner: hold.owner, until: new Date(now + turn.leaseMs).toISOString() }, updatedAt: new Date(now).toISOString() } : { ...rest, updatedAt: new Date(now).toISOString() };
    const w = await unit.write(record);
    if (w.kind === 'lost') return false;
    if (w.kind === 'saved') {
      current = w.unit;
      return true;
    }
    ctx.logger.warn('checkpoint not saved', { unit: turn.key, problem: w.error.problem, error: w.error.message });
    if (mustPersist) return false;
    current = record;
    return true;
  };
  const end = async (fields: Partial<UnitRecord> & { state: UnitRecord['state'] }): Promise<BucketTurnResult> => {
    const { hold: _released, ...rest } = current;
    const ok = await save({ ...rest, ...fields } as UnitRecord, false);
    return { unit: ok ? current : undefined, checkpoints: unit.saved };
  };
  const callError = (err: OciCallError): NonNullable<UnitRecord['error']> => ({
    status: err.failure.status ?? null, serviceCode: err.failure.serviceCode ?? null, message: err.message, opcRequestId: err.failure.opcRequestId ?? null,
  });

  if (route.kind === 'impossible') {
    return end({
      state: UnitState.stopped, reason: `${StopReason.strategyImpossible}: ${route.reason}`,
      error: { status: null, serviceCode: 'StrategyNotPossible', message: route.reason, opcRequestId: null },
    });
  }

  const bucketName = current.bucketName;
  let wr: WorkRequestState | undefined = current.workRequest;
  if (!wr?.id) {
    if (wr) {
      ctx.notes.push(`${bucketName}: an earlier invocation called ReencryptBucket at ${wr.requestedAt} and stopped before saving the work request id; calling it again (a second work request re-wraps the same versions under the same key)`);
    }
    wr = { requestedAt: new Date().toISOString(), calls: (wr?.calls ?? 0) + 1 };
    if (!(await save({ ...current, workRequest: wr }, true, true))) {
      // As the objects path does when the state bucket fails: the unit is taken over once its hold expires.
      ctx.notes.push(`${bucketName}: ReencryptBucket was not called: the call could not be recorded first (the state bucket failed, or another invocation took the unit over)`);
      return { unit: undefined, checkpoints: unit.saved };
    }
    try {
      const started = await ctx.objectStorage.reencryptBucket(turn.namespace, bucketName);
      if (!isWorkRequestId(started.workRequestId)) {
        // It may have started a work request we cannot follow; calling again would start another.
        const reason = 'ReencryptBucket answered without a usable opc-work-request-id: its work request id is unknown, so it cannot be followed (check the bucket\'s work requests in the Console)';
        return end({ state: UnitState.stopped, workRequest: wr, reason: `${StopReason.workRequestFailed}: ${reason}`, error: { status: null, serviceCode: 'NoWorkRequestId', message: reason, opcRequestId: started.opcRequestId ?? null } });
      }
      wr = { ...wr, id: started.workRequestId, status: 'ACCEPTED', percentComplete: 0, lastMovedAt: new Date().toISOString() };
      ctx.logger.info('work request started', { bucket: bucketName, workRequestId: started.workRequestId });
    } catch (err) {
      if (!(err instanceof OciCallError)) throw err;
      const status = err.failure.status;
      // A refusal (400 no kmsKeyId, 404, 409...) will not change by itself: the unit stops with the error.
      // Throttling, 5xx or no answer: no work request was started (as far as we know); the next turn tries again.
      const { workRequest: _none, ...withoutWr } = current;
      if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
        current = withoutWr;
        return end({ state: UnitState.stopped, reason: `${StopReason.workRequestFailed}: ReencryptBucket was refused: ${err.message}`, error: callError(err) });
      }
      current = withoutWr;
      const noProgress = current.noProgress + 1;
      if (noProgress >= turn.noProgressLimit) {
        return end({ state: UnitState.stopped, noProgress, reason: `${StopReason.noProgress}: ReencryptBucket failed in ${noProgress} consecutive invocations (last error: ${err.message})`, error: callError(err) });
      }
      return end({ state: UnitState.pending, noProgress, error: callError(err) });
    }
    if (!(await save({ ...current, workRequest: wr }))) return { unit: undefined, checkpoints: unit.saved };
  }

  const workRequestId = wr.id as string;
  let movedThisTurn = false;
  for (;;) {
    const stepStarted = Date.now();
    let view: WorkRequestView;
    try {
      view = await ctx.objectStorage.getWorkRequest(workRequestId);
    } catch (err) {
      if (!(err instanceof OciCallError)) throw err;
      if (err.failure.status === 404) {
        return end({ state: UnitState.stopped, reason: `${StopReason.workRequestFailed}: work request ${workRequestId} is not found (GetWorkRequest 404)`, error: callError(err) });
      }
      // Not knowing is not failing: hand the unit back and ask again next turn.
      const noProgress = noProgressAfterTurn(current.noProgress, movedThisTurn, wr.lastMovedAt, Date.now());
      return handBack(noProgress, callError(err));
    }
    const now = Date.now();
    const didMove = moved(wr, view);
    movedThisTurn ||= didMove;
    wr = {
      ...wr, status: view.status, percentComplete: view.percentComplete,
      ...(view.timeAccepted && { timeAccepted: view.timeAccepted }), ...(view.timeStarted && { timeStarted: view.timeStarted }),
      ...(view.timeFinished && { timeFinished: view.timeFinished }), ...(didMove && { lastMovedAt: new Date(now).toISOString() }),
    };
    if (isTerminal(view.status)) {
      if (view.status === 'COMPLETED') {
        const { error: _error, ...clean } = current;
        current = clean;
        return end({ state: UnitState.done, noProgress: 0, workRequest: wr });
      }
      try {
        const listed = await ctx.objectStorage.listWorkRequestErrors(workRequestId, Math.max(1, ctx.config.maxFailuresReported));
        wr = { ...wr, errors: listed.errors, errorsTruncated: listed.truncated };
      } catch (err) {
        if (!(err instanceof OciCallError)) throw err;
        ctx.notes.push(`${bucketName}: ListWorkRequestErrors(${workRequestId}) failed: ${err.message}`);
      }
      const first = wr.errors?.[0];
      return end({
        state: UnitState.stopped, workRequest: wr,
        reason: `${StopReason.workRequestFailed}: work request ${workRequestId} ended ${view.status}${first ? ` (${first.code}: ${first.message})` : ''}`,
        error: { status: null, serviceCode: first?.code ?? view.status, message: first?.message ?? `the work request ended ${view.status}`, opcRequestId: null },
      });
    }
    if (!(await save({ ...current, workRequest: wr }))) return { unit: undefined, checkpoints: unit.saved };
    const wait = pollDelayMs(view, now, ctx.config.checkpointMs);
    // The next poll (and its checkpoint) must end before stopStartingAt, so that handing over has its margin.
    const step = Date.now() - stepStarted;
    if (Date.now() + wait + step >= ctx.budget.stopStartingAt || ctx.budget.stopSignal?.aborted) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  return handBack(noProgressAfterTurn(current.noProgress, movedThisTurn, wr.lastMovedAt, Date.now()));

  async function handBack(noProgress: number, error?: NonNullable<UnitRecord['error']>): Promise<BucketTurnResult> {
    if (!error) {
      const { error: _stale, ...clean } = current;
      current = clean;
    }
    const fields = { workRequest: wr, noProgress, ...(error && { error }) };
    if (noProgress >= turn.noProgressLimit) {
      return end({
        ...fields, state: UnitState.stopped,
        reason: `${StopReason.noProgress}: work request ${workRequestId} did not move (status ${wr?.status}, ${wr?.percentComplete ?? 0}%) since ${wr?.lastMovedAt}, `
          + `in ${noProgress} consecutive invocations past the stall bound; it may still finish: follow it with GetWorkRequest`,
      });
    }
    return end({ ...fields, state: UnitState.pending });
  }
}

/** A work request id (an OCID): printable, no spaces, bounded; anything else from the answer is not followed nor stored. */
function isWorkRequestId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 255 && /^[\x21-\x7e]+$/.test(v);
}
