/**
 * What the function does with a failure destination's record: resume every
 * unfinished run, once per record however often Notifications delivers it;
 * nothing when the failed call's successor already carries its run (chains.ts).
 */
import type { RunContext } from '../engine/context';
import { RunNotContinuedError } from '../errors';
import { failureVerdict, handoverOf, replacementBody } from './chains';
import { invokeSelfDetached } from './handover';
import { OPEN_PREFIX, type Runs } from './lifecycle';
import { publishResume } from './resume-topic';
import { StateStoreError, type StateStore, type Stored } from './store';

/** Per failure record whose delivery failed: the runs it already resumed (see resumeAbandoned). */
const ABANDONED_PREFIX = 'abandoned/';
interface ResumedFor {
  readonly resumed: readonly string[];
}

/**
 * A failure destination's record (a detached invocation of this function
 * died): continue every unfinished run in a fresh detached invocation. Each
 * of those waits for the dead holder's lease to expire, then takes over.
 * When Functions refuses some of them, their resumes are published to the
 * resume topic; without one (or if that fails too) the delivery fails so that
 * Notifications retries it, and the runs this record already resumed are kept
 * under its key, so a retry resumes only the rest instead of every run again.
 *
 * Why every unfinished run, even when the failed call's own run has ended (then each resume is one
 * invocation too many, up to 50): nothing stored names a call's run by the call's id alone. No
 * field of the record is documented (assumption A21: taken to carry the call id and its times, not
 * its body, and nothing here relies on more); the one object keyed by
 * the call id, `runs/<run>/handed/<callId>` (chains.ts), is written by its successor, so it is
 * absent exactly when the call may have broken a chain, and it sits under a run id the record does
 * not give (handoverOf looks only in the unfinished runs; an ended run has no marker to look
 * under); the claim a resume writes itself is keyed by its predecessor, and units name their
 * holder inside records of a run one must already know. Telling the run would take a write keyed by
 * the call id in every invocation (the hot path), to save invocations only when a killed call's
 * run had already ended. Those extra resumes do not spread (chains.ts).
 */
export async function resumeAbandoned(recordKey: string, runs: Runs, ctx: RunContext, failedCallId?: string): Promise<object> {
  const names = (await runs.store.list(OPEN_PREFIX)).slice(0, 50);
  // A call whose successor already claimed its chain broke none: that successor carries the run.
  const handover = failedCallId === undefined ? undefined : await handoverOf(failedCallId, names.map((n) => n.slice(OPEN_PREFIX.length)), runs.store);
  const verdict = failureVerdict(failedCallId, handover);
  const markerKey = `${ABANDONED_PREFIX}${recordKey}`;
  if (!verdict.resume) {
    // An earlier delivery of this record may have resumed some runs and been refused the rest
    // (rememberResumed) before the successor's claim was stored: delivered now, the record is not
    // sent again, so its list goes too (else it stayed until the bucket's lifecycle rule).
    await forget(markerKey, runs.store, ctx);
    ctx.logger.info('failed call had handed its run over: nothing resumed', { failedCallId, runId: verdict.runId, successor: verdict.successor });
    return { ok: true, action: 'resume-abandoned', resumed: [], handedOver: { runId: verdict.runId, to: verdict.successor }, notes: ctx.notes };
  }
  const earlier = await runs.store.get(markerKey, isResumedFor);
  const already = new Set(earlier?.value.resumed ?? []);
  const resumed: string[] = [];
  const alreadyResumed: string[] = [];
  const refused: string[] = [];
  let why = '';
  for (const name of names) {
    const runId = name.slice(OPEN_PREFIX.length);
    if (already.has(runId)) {
      alreadyResumed.push(runId);
      continue;
    }
    // Each resume claims the failed call's chain first: a successor that comes later (Functions may queue it) then ends.
    const r = await invokeSelfDetached(replacementBody(runId, failedCallId), ctx);
    if (r.invoked) resumed.push(runId);
    else {
      ctx.notes.push(`${runId}: ${r.why}`);
      if (r.attempted) refused.push(runId);
      why = r.why;
    }
  }
  // Functions refused some: their resumes go to the resume topic, whose delivery Notifications retries while Functions
  // refuses it (429). Failing this delivery instead counts on Notifications retrying a delivery the function itself
  // answered with 5xx, which Oracle does not document (A29): that is only the way left without a topic, or when
  // publishing fails too.
  const { published, failures } = await publishRefused(refused, failedCallId, ctx);
  const notContinued = refused.filter((runId) => !published.includes(runId));
  ctx.logger.info('resumed abandoned runs', { resumed, alreadyResumed, refused, published, failedCallId, why: verdict.why });
  if (notContinued.length > 0) {
    // Fail the delivery so that Notifications retries it (with backoff) until Functions has room.
    const done = [...resumed, ...published];
    if (done.length > 0) await rememberResumed(markerKey, earlier, [...already, ...done], runs.store, ctx);
    throw new RunNotContinuedError(notContinued, [why, ...failures].join('; '));
  }
  // Delivered: Notifications will not send this record again.
  if (earlier) await runs.store.delete(markerKey);
  return {
    ok: true, action: 'resume-abandoned', resumed, ...(published.length > 0 && { resumePublished: published }),
    ...(alreadyResumed.length > 0 && { alreadyResumed }), notes: ctx.notes,
  };
}

/** The refused runs whose resume (claiming the failed call's chain) was published to the resume topic (none without one), and why the others were not. */
async function publishRefused(refused: readonly string[], failedCallId: string | undefined, ctx: RunContext): Promise<{ published: string[]; failures: string[] }> {
  const published: string[] = [];
  const failures: string[] = [];
  for (const runId of refused) {
    const p = await publishResume(replacementBody(runId, failedCallId), ctx);
    if (p?.published) published.push(runId);
    else if (p) failures.push(`${runId}: publishing its resume to ${p.topicId} failed too: ${p.why}`);
  }
  ctx.notes.push(...failures);
  return { published, failures };
}

/** Best effort: if it is not stored, a retry resumes those runs once more (each extra invocation ends quickly). */
async function rememberResumed(key: string, earlier: Stored<ResumedFor> | undefined, resumed: string[], store: StateStore, ctx: RunContext): Promise<void> {
  const record: ResumedFor = { resumed };
  try {
    const r = earlier ? await store.replace(key, record, earlier.etag) : await store.create(key, record);
    if (r === 'conflict' || r === 'exists') ctx.logger.warn('resumed runs not remembered: another delivery of the same record wrote first', { key });
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    ctx.logger.warn('resumed runs not remembered', { key, error: err.message });
  }
}

/** Best effort: a record left behind costs one stored object until the lifecycle rule, never a resume. */
async function forget(key: string, store: StateStore, ctx: RunContext): Promise<void> {
  try {
    await store.delete(key);
  } catch (err) {
    if (!(err instanceof StateStoreError)) throw err;
    ctx.logger.warn('record of resumed runs not deleted', { key, error: err.message });
  }
}

function isResumedFor(v: unknown): v is ResumedFor {
  return typeof v === 'object' && v !== null && Array.isArray((v as Record<string, unknown>)['resumed']) && ((v as Record<string, unknown>)['resumed'] as unknown[]).every((r) => typeof r === 'string');
}
