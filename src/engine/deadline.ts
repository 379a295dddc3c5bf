/**
 * The invocation's time budget. New work stops at `stopStartingAt`; calls in
 * flight (and their retries) must end by `hardStopAt`, which leaves time to
 * write the report before Fn-Deadline.
 */
export interface Budget {
  readonly startedAt: number;
  /** Fn-Deadline (epoch ms). */
  readonly deadline: number;
  readonly stopStartingAt: number;
  readonly hardStopAt: number;
  /** Stops starting new work before `stopStartingAt` when aborted (the CLI's Ctrl-C); calls in flight still finish. */
  readonly stopSignal?: AbortSignal;
  /** Nothing kills the process at `deadline` (the CLI's --max-duration): what follows a run (its metrics) may still be sent after it. */
  readonly soft?: boolean;
}

/** The margin is the configured one, but never more than a fifth of the time given (short test deadlines). */
export function budgetFor(deadline: Date, safetyMarginMs: number, now = Date.now()): Budget {
  const total = Math.max(0, deadline.getTime() - now);
  const margin = Math.min(safetyMarginMs, Math.max(250, total / 5));
  return { startedAt: now, deadline: deadline.getTime(), stopStartingAt: deadline.getTime() - margin, hardStopAt: deadline.getTime() - margin / 3 };
}

/** Time of its own every bookkeeping call gets once the work has stopped (bookkeepingHardStop). */
export const BOOKKEEPING_OWN_MS = 1000;
/**
 * Time of its own a run state store call gets once the work has stopped (src/runs/store.ts): a
 * bookkeeping second, and room for one wait of a retry-after of up to about two seconds. Oracle
 * documents no Retry-After for Object Storage's 429 (only that clients back off); with a second of
 * its own, a 429 asking for a second was never waited for after the hard stop, so the end-of-turn
 * save was lost and the unit's next holder redid the turn from its last checkpoint. The numbers:
 * with the default 20 s margin the hard stop is 6.7 s before Fn-Deadline; the save (3 s at most),
 * the run's reads (what is left, up to the handover's second, BOOKKEEPING_OWN_MS kept by
 * `leaveMs`) and the handover (its second) fit. With a margin so short that the window after the
 * hard stop is under three seconds, the window bounds it, as before.
 */
export const STATE_CALL_OWN_MS = 3000;
/** Bookkeeping ends this long before Fn-Deadline, so the answer still goes out in time. */
export const BOOKKEEPING_DEADLINE_MARGIN_MS = 50;

/**
 * The hard stop of a bookkeeping call: what must still happen after the work stopped at
 * `hardStopAt` (saving where a run's unit stands and releasing it, the run's records and
 * report, handing over to a successor, posting metrics). The time between `hardStopAt` and
 * Fn-Deadline is kept for exactly this, but a turn whose calls retried up to `hardStopAt`
 * reaches it only then: a call started now gets `ownMs` of its own, never past Fn-Deadline
 * (less a small margin). Before the hard stop it is the hard stop, as for any call.
 *
 * `leaveMs`: time kept at the end for what must follow this call (the run state store's calls
 * leave the handover its own second), or half the time between the hard stop and Fn-Deadline
 * when that is shorter; so a slow state call never takes the time of the successor's start.
 * A soft budget (the CLI's --max-duration) kills nothing at its deadline: there, `ownMs` always.
 */
export function bookkeepingHardStop(budget: Budget, options: { now?: number; ownMs?: number; leaveMs?: number } = {}): number {
  const now = options.now ?? Date.now();
  const ownStop = Math.max(budget.hardStopAt, now + (options.ownMs ?? BOOKKEEPING_OWN_MS));
  if (budget.soft) return ownStop;
  const end = budget.deadline - BOOKKEEPING_DEADLINE_MARGIN_MS;
  const left = Math.min(options.leaveMs ?? 0, Math.max(0, end - budget.hardStopAt) / 2);
  return Math.min(end - left, ownStop);
}
