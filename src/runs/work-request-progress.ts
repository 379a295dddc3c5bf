/**
 * How a unit that follows a ReencryptBucket work request waits and when it
 * counts as stuck. Pure functions of what GetWorkRequest said and the time.
 *
 * The no-progress rule (REENCRYPT_NO_PROGRESS_LIMIT) is about units that do
 * not move. A work request moves on OCI's side, not ours: a long, healthy one
 * may show the same percentComplete for a while (a large bucket moves 1% in
 * minutes). So a turn that saw the status or percentComplete move is progress,
 * and so is a turn that saw no move while the last move is younger than
 * STALL_AFTER_MS. Only turns past that bound count towards the limit: a work
 * request is stopped (not cancelled: it may still finish) after
 * STALL_AFTER_MS plus REENCRYPT_NO_PROGRESS_LIMIT turns without any move.
 */
import type { WorkRequestView } from '../oci/object-storage';

/** A work request whose status and percentComplete have not moved for this long may be stuck. */
export const STALL_AFTER_MS = 60 * 60 * 1000;
/** Never poll more often than this. */
export const MIN_POLL_MS = 1000;
/** Never wait longer than this between polls (and never longer than a checkpoint interval: the poll renews the hold). */
export const MAX_POLL_MS = 30_000;

export const TERMINAL_STATUSES: readonly string[] = ['COMPLETED', 'FAILED', 'CANCELED'];

export function isTerminal(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.includes(status);
}

/** Did the work request move between two sightings? */
export function moved(before: { status?: string; percentComplete?: number } | undefined, now: WorkRequestView): boolean {
  if (!before || before.status === undefined) return true;
  return before.status !== now.status || now.percentComplete > (before.percentComplete ?? 0);
}

/**
 * When to ask again: a quarter of the time the work request still needs at
 * the pace it has shown (from timeStarted, else timeAccepted), at least its
 * retry-after, bounded by MIN_POLL_MS and by min(MAX_POLL_MS, checkpointMs).
 */
export function pollDelayMs(view: WorkRequestView, now: number, checkpointMs: number): number {
  const ceiling = Math.max(MIN_POLL_MS, Math.min(MAX_POLL_MS, checkpointMs));
  const since = Date.parse(view.timeStarted ?? view.timeAccepted ?? '');
  let delay = 2 * MIN_POLL_MS;
  if (Number.isFinite(since) && view.percentComplete > 0 && view.percentComplete < 100 && now > since) {
    const remaining = ((now - since) * (100 - view.percentComplete)) / view.percentComplete;
    delay = remaining / 4;
  }
  if (view.retryAfterSeconds !== undefined && view.retryAfterSeconds > 0) delay = Math.max(delay, view.retryAfterSeconds * 1000);
  return Math.round(Math.min(ceiling, Math.max(MIN_POLL_MS, delay)));
}

/**
 * The unit's no-progress count after a turn that ended with the work request
 * still running: 0 if it moved during the turn or last moved less than
 * `stallAfterMs` ago, else one more than before.
 */
export function noProgressAfterTurn(previous: number, movedThisTurn: boolean, lastMovedAt: string | undefined, now: number, stallAfterMs = STALL_AFTER_MS): number {
  if (movedThisTurn) return 0;
  const last = Date.parse(lastMovedAt ?? '');
  if (Number.isFinite(last) && now - last < stallAfterMs) return 0;
  return previous + 1;
}
