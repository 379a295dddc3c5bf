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
 * good. So X's chain may be continued once: by its successor
 * (`{"resume": runId, "handedOverBy": X}`) or by the resume its failure record
 * starts (`{"resume": runId, "replaces": X}`). Each, as its first act, creates
 * `runs/<runId>/handed/<X>` (if-none-match): the one that creates it goes on,
 * the other ends at once, without a turn and without a successor
 * (`continueChain`). Whichever comes first, and however late Functions starts
 * a detached successor it accepted (it may queue it), one chain goes on. The
 * record's handler also looks first, and resumes nothing when X's successor
 * has already claimed the chain (`failureVerdict`): no invocation at all.
 *
 * Why the successor claims and not the predecessor: the successor exists only
 * if Functions accepted it, so a claim never stands for a handover that did
 * not happen (a stale one would leave a broken chain unreplaced); and it does
 * not depend on the predecessor living past the 202, which is exactly what a
 * starved predecessor does not do. The claim is per run: a record resumes
 * every unfinished run (it does not say which run X worked on), and only in
 * X's run may a successor compete.
 *
 * What still adds a chain, each time once: a record that names no call id (its
 * fields are not documented, assumption A21), a claim the state bucket refused
 * (the invocation goes on: losing a chain is worse than one too many), and a
 * record's resume of a run that was not the failed call's. Those extra chains
 * do not spread (a fanned-out run offers an extra invocation no unit while its
 * workers hold theirs, and one with nothing to take and no hold to watch ends
 * without a successor, see model.ts claimOrder and lifecycle.ts takeTurn).
 */
import { isNameableCallId } from '../call-id';
import type { RunContext } from '../engine/context';
import { StateStoreError, type StateStore } from './store';

/** Per run and per invocation whose chain was continued: by whom (written by the one that continues it). */
export const successionKey = (runId: string, callId: string): string => `runs/${runId}/handed/${callId}`;

/** How a chain was continued: by a handover's successor, or by the resume a failure record started. */
export type ContinuedBy = 'handover' | 'failure-record';

export interface Succession {
  readonly v: 1;
  readonly runId: string;
  /** The Fn call id of the invocation whose chain this continues. */
  readonly predecessor: string;
  /** The Fn call id of the invocation that continues it (the one that wrote this). */
  readonly successor: string;
  readonly by: ContinuedBy;
  readonly at: string;
}

/** The body of a handover: the run, and who hands it over when the request schema can carry that name. */
export function successorBody(runId: string, owner: string): { resume: string; handedOverBy?: string } {
  return { resume: runId, ...(isNameableCallId(owner) && { handedOverBy: owner }) };
}

/** The body of a failure record's resume: the run, and the failed call whose chain it may continue. */
export function replacementBody(runId: string, failedCallId: string | undefined): { resume: string; replaces?: string } {
  return { resume: runId, ...(failedCallId !== undefined && { replaces: failedCallId }) };
}

export type ChainClaim =
  | { readonly goOn: true; readonly recorded: boolean }
  | { readonly goOn: false; readonly continuedBy: string };

/**
 * A resume's first act when its body names a predecessor: claim that predecessor's chain. The
 * first claim wins; a later one ends its invocation (`goOn: false`). A claim the state bucket
 * refuses goes on unrecorded: then the other one may go on too, which costs invocations, never
 * the run.
 */
export async function continueChain(runId: string, predecessor: string, by: ContinuedBy, store: StateStore, owner: string, ctx: RunContext): Promise<ChainClaim> {
  if (predecessor === owner) return { goOn: true, recorded: false };
  const key = successionKey(runId, predecessor);
  const record: Succession = { v: 1, runId, predecessor, successor: owner, by, at: new Date().toISOString() };
  try {
    if ((await store.create(key, record)) !== 'exists') return { goOn: true, recorded: true };
    const other = await store.get(key, isSuccession);
    if (!other || other.value.successor === owner) return { goOn: true, recorded: other !== undefined };
    ctx.logger.info('chain already continued: this invocation ends', { runId, predecessor, continuedBy: other.value.successor, by: other.value.by });
    // Killed before it answers, this invocation's own record must not resume the run: its chain is the other's.
    await store.create(successionKey(runId, owner), { ...record, predecessor: owner, successor: other.value.successor, by: 'handover' } satisfies Succession)
      .catch((err: unknown) => {
        if (!(err instanceof StateStoreError)) throw err;
      });
    return { goOn: false, continuedBy: other.value.successor };
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    ctx.logger.warn('succession not recorded', { runId, predecessor, error: err.message });
    return { goOn: true, recorded: false };
  }
}

/** The answer of a resume whose predecessor's chain another invocation continues: it did nothing, and hands nothing over. */
export function chainContinuedElsewhere(runId: string, continuedBy: string, ctx: RunContext): object {
  return { ok: true, runId, action: 'chain-continued-elsewhere', continuedBy, handedOver: false, notes: ctx.notes };
}

/** What a failure record asks for: resume the unfinished runs, or nothing (the failed call's chain goes on). */
export type FailureVerdict =
  | { readonly resume: true; readonly why: 'no-call-id' | 'not-handed-over' }
  | { readonly resume: false; readonly runId: string; readonly successor: string };

/**
 * The decision on a failure record, pure: a failed call whose successor has already claimed its
 * chain broke no chain, so nothing is resumed; any other (or a record naming no call) may have
 * broken one, and the unfinished runs are resumed, each resume claiming the chain in its turn.
 * Only a handover's claim tells which run the call worked on: a failure record's own resumes claim
 * in every run.
 */
export function failureVerdict(failedCallId: string | undefined, succession: Succession | undefined): FailureVerdict {
  if (failedCallId === undefined) return { resume: true, why: 'no-call-id' };
  if (!succession || succession.predecessor !== failedCallId || succession.by !== 'handover') return { resume: true, why: 'not-handed-over' };
  return { resume: false, runId: succession.runId, successor: succession.successor };
}

/** A handover's claim on `callId`'s chain in one of `runIds`, if any (one read per run). */
export async function handoverOf(callId: string, runIds: readonly string[], store: StateStore): Promise<Succession | undefined> {
  for (const runId of runIds) {
    const found = (await store.get(successionKey(runId, callId), isSuccession))?.value;
    if (found?.by === 'handover') return found;
  }
  return undefined;
}

function isSuccession(v: unknown): v is Succession {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return r['v'] === 1 && typeof r['runId'] === 'string' && typeof r['predecessor'] === 'string' && typeof r['successor'] === 'string'
    && (r['by'] === 'handover' || r['by'] === 'failure-record');
}
