/**
 * Chains of invocations on a run, and what keeps their number from growing.
 *
 * A run goes on as chains: each invocation takes a turn and, if the run needs
 * it, hands over to one detached successor (`{"resume": runId}`), so a chain
 * never branches. A fanned-out run starts `workers` chains; a chain ends when
 * its invocation decides nothing is left for a successor. A detached
 * invocation that fails (killed at its timeout, crashed, refused a successor)
 * sends a record to the failure destination, and the function resumes the
 * run from it (abandoned.ts): that replaces a chain that broke.
 *
 * But an invocation can fail AFTER Functions accepted its successor (on a
 * starved machine it is killed while it returns its answer): its chain did not
 * break, and resuming the run from its record would start a second one, for
 * good. So every handover names the invocation that made it
 * (`{"resume": runId, "handedOverBy": callId}`), and the successor's first act
 * is to record that succession under `handed/<predecessor's call id>`. A
 * failure record naming a call that handed over resumes nothing (`failureVerdict`).
 *
 * Why the successor writes it and not the predecessor: the successor exists
 * only if Functions accepted it, so the record can never claim a handover that
 * did not happen (a stale claim would leave a broken chain unreplaced); and it
 * does not depend on the predecessor living past the 202, which is exactly
 * what a starved predecessor does not do. The predecessor's failure record
 * comes only once it has ended (at its timeout, long after the successor
 * started, in practice).
 *
 * What still adds a chain, each time once: a record that names no call id (its
 * fields are not documented, assumption A21), a succession whose write the
 * state bucket refused, and a record handled before the successor's first
 * write. Those extra chains do not spread (a fanned-out run offers an extra
 * invocation no unit while its workers hold theirs, and one with nothing to
 * take and no hold to watch ends without a successor, see model.ts claimOrder
 * and lifecycle.ts takeTurn).
 */
import type { RunContext } from '../engine/context';
import { StateStoreError, type StateStore } from './store';

/** Per invocation that handed a run over: who took it on (written by the successor). */
const HANDED_PREFIX = 'handed/';
export const handedKey = (callId: string): string => `${HANDED_PREFIX}${callId}`;

export interface Succession {
  readonly v: 1;
  readonly runId: string;
  /** The Fn call id of the invocation that handed the run over. */
  readonly predecessor: string;
  /** The Fn call id of the invocation it handed the run to (the one that wrote this). */
  readonly successor: string;
  readonly at: string;
}

/** The body of a handover: the run, and who hands it over. */
export function successorBody(runId: string, owner: string): { resume: string; handedOverBy: string } {
  return { resume: runId, handedOverBy: owner };
}

/**
 * A successor's first act: record that `predecessor` handed `runId` over to this invocation.
 * Best effort: if the state bucket refuses it, the predecessor's failure record (if it fails
 * after all) resumes the run once more, which costs invocations, never the run.
 */
export async function recordSuccession(runId: string, predecessor: string, store: StateStore, owner: string, ctx: RunContext): Promise<void> {
  if (predecessor === owner) return;
  const record: Succession = { v: 1, runId, predecessor, successor: owner, at: new Date().toISOString() };
  try {
    const r = await store.create(handedKey(predecessor), record);
    if (r === 'exists') ctx.logger.warn('succession already recorded: a handover delivered twice', { runId, predecessor });
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    ctx.logger.warn('succession not recorded', { runId, predecessor, error: err.message });
  }
}

/** What a failure record asks for: resume the unfinished runs, or nothing (the failed call's chain goes on). */
export type FailureVerdict =
  | { readonly resume: true; readonly why: 'no-call-id' | 'not-handed-over' }
  | { readonly resume: false; readonly runId: string; readonly successor: string };

/**
 * The decision on a failure record, pure: a failed call that handed its run over (its successor
 * recorded the succession) broke no chain, so nothing is resumed; any other (or a record naming
 * no call) may have broken one, and the unfinished runs are resumed, as they always were.
 */
export function failureVerdict(failedCallId: string | undefined, succession: Succession | undefined): FailureVerdict {
  if (failedCallId === undefined) return { resume: true, why: 'no-call-id' };
  if (!succession || succession.predecessor !== failedCallId) return { resume: true, why: 'not-handed-over' };
  return { resume: false, runId: succession.runId, successor: succession.successor };
}

/** The succession recorded for `callId`, if any. */
export async function successionOf(callId: string, store: StateStore): Promise<Succession | undefined> {
  return (await store.get(handedKey(callId), isSuccession))?.value;
}

function isSuccession(v: unknown): v is Succession {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return r['v'] === 1 && typeof r['runId'] === 'string' && typeof r['predecessor'] === 'string' && typeof r['successor'] === 'string';
}
