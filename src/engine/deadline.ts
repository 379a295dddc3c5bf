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
