/**
 * `unfinished/` markers whose run was never stored. A start writes its run's marker, then its
 * record (lifecycle.ts startRun); an invocation killed between the two leaves a marker that every
 * failure record would resume again (abandoned.ts), each resume answered InvalidInput. A resume
 * that finds no run removes such a marker once no start can still be between its two writes.
 */
import type { RunContext } from '../engine/context';
import { StateStoreError, type StateStore } from './store';

/**
 * The longest an invocation lives: the documented maximum of a detached invocation's timeout
 * (detachedModeTimeoutInSeconds, 3600 s; a synchronous one, 300 s). A start writes its run's
 * marker and then its record within its own invocation (startRun; each state call ends before
 * Fn-Deadline, store.ts), so once a marker is older than that, the start that wrote it is over.
 * A CLI start is not killed and its calls may retry up to its --max-duration: if its run's write
 * ends that late, it looks for its marker again itself (relistIfForgotten).
 */
const LONGEST_INVOCATION_MS = 3_600_000;
/** A marker without its run is an orphan once this old: twice the longest invocation, for clocks of other hosts off by minutes. */
export const ORPHAN_MARKER_AGE_MS = 2 * LONGEST_INVOCATION_MS;

/** Where a run's marker and record are (lifecycle.ts), and how its record is recognised. */
export interface RunPlaces<R> {
  readonly marker: string;
  readonly record: string;
  readonly isRun: (v: unknown) => v is R;
}

/** What an `unfinished/` marker holds (lifecycle.ts startRun). */
export interface OpenMarker {
  readonly runId: string;
  readonly createdAt: string;
  readonly trigger: string;
}

export type OrphanVerdict = 'removed' | 'no-marker' | 'young' | 'run-exists';

/**
 * A resume found no record of its run. An invocation killed between writing the run's
 * `unfinished/` marker and its record leaves a marker for a run that does not exist, and every
 * failure record would resume it again (answered InvalidInput: one wasted invocation each) until
 * the bucket's lifecycle rule deleted it. Such a marker is removed here once no start can still be
 * between its two writes (ORPHAN_MARKER_AGE_MS by the marker's own `createdAt`); a younger one is
 * left alone. A start that finds an old marker and goes on to create its run (a redelivered
 * event, a repeated request) may meet this removal: the record is read again after the delete
 * and the marker put back if the run exists by then, and that start looks for its marker after
 * storing the run (relistIfForgotten). Between the two, a run that exists keeps its marker.
 */
export async function forgetOrphanMarker<R>(places: RunPlaces<R>, store: StateStore, now: number): Promise<OrphanVerdict> {
  const marker = await store.get(places.marker, isOpenMarker);
  if (!marker) return 'no-marker';
  const createdAt = Date.parse(marker.value.createdAt);
  if (!Number.isFinite(createdAt) || now - createdAt < ORPHAN_MARKER_AGE_MS) return 'young';
  if (await store.get(places.record, places.isRun)) return 'run-exists';
  await store.delete(places.marker);
  if (await store.get(places.record, places.isRun)) {
    await store.create(places.marker, marker.value);
    return 'run-exists';
  }
  return 'removed';
}

/** forgetOrphanMarker now, for a resume about to answer that its run does not exist: best effort, logged. */
export async function forgetIfOrphan<R>(runId: string, places: RunPlaces<R>, store: StateStore, ctx: RunContext): Promise<void> {
  try {
    const verdict = await forgetOrphanMarker(places, store, Date.now());
    if (verdict === 'removed') ctx.logger.warn('removed the marker of a run that was never stored (its start died between the two writes)', { runId });
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    ctx.logger.warn('marker of a missing run not looked at', { runId, error: err.message });
  }
}

/**
 * For a start that has just stored its run: its marker may have been removed as an orphan
 * meanwhile (forgetOrphanMarker) if it was there before (`markedBefore`: an earlier start died
 * before storing the run) or if this start's own writes took longer than any invocation lives (a
 * CLI start whose calls retried that long). Then it is looked for and put back: one read, only on
 * those rare paths; otherwise nothing.
 */
export async function relistIfForgotten(marker: string, value: OpenMarker, markedBefore: boolean, store: StateStore, now = Date.now()): Promise<void> {
  if (!markedBefore && now - Date.parse(value.createdAt) < LONGEST_INVOCATION_MS) return;
  // Any record under the name will do: only its absence matters here.
  if (!(await store.get(marker, (v: unknown): v is unknown => true))) await store.create(marker, value);
}

function isOpenMarker(v: unknown): v is OpenMarker {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['runId'] === 'string' && typeof r['createdAt'] === 'string' && typeof r['trigger'] === 'string';
}
