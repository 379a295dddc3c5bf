/**
 * The last way on for a run whose first invocation cannot hand it over: that invocation was not
 * detached (an event's delivery, a manual request), so when Functions refuses its successor past
 * its own time, no failure record is sent for it and nothing would resume the run. It publishes
 * `{"resume": runId}` to the resume topic instead (REENCRYPT_RESUME_TOPIC_ID: the failure
 * destination's topic, which the function is subscribed to). Notifications delivers the message
 * to the function as its request body (assumption A33) and retries a delivery that fails, a 429
 * from Functions included, with backoff up to the subscription's maxRetryDuration (2 hours by
 * default): it waits for room on the run's behalf.
 *
 * A resume delivered twice, or after the run ended, is harmless: a finished run answers with its
 * report, and an extra turn on a running run finds its units held and ends (lifecycle.ts).
 */
import type { RunContext } from '../engine/context';
import { bookkeepingHardStop } from '../engine/deadline';
import { OciCallError } from '../oci/errors';
import { publishMessage } from '../oci/notifications';

export type PublishedResume =
  | { readonly published: true; readonly topicId: string; readonly messageId: string }
  | { readonly published: false; readonly topicId: string; readonly why: string };

/**
 * Publishes a run's resume to the resume topic; undefined when none is configured. Never throws an OCI failure: it says why.
 * `resume`: the body a successor sent directly would have had (`{"resume"}`, with the chain it claims: chains.ts).
 */
export async function publishResume(resume: { readonly resume: string }, ctx: RunContext): Promise<PublishedResume | undefined> {
  const topic = ctx.config.resumeTopic;
  if (!topic) return undefined;
  const runId = resume.resume;
  try {
    // After the work and the refused handover: bookkeeping's own time, within Fn-Deadline.
    const messageId = await publishMessage(ctx.oci, topic, { body: JSON.stringify(resume) }, { hardStopAt: bookkeepingHardStop(ctx.budget) });
    ctx.logger.info('resume published', { runId, topicId: topic.topicId, messageId });
    return { published: true, topicId: topic.topicId, messageId };
  } catch (err) {
    const why = err instanceof OciCallError ? err.message : String(err);
    ctx.logger.warn('resume not published', { runId, topicId: topic.topicId, error: why });
    return { published: false, topicId: topic.topicId, why };
  }
}

/** The answer's note for a run handed on (or not) this way. */
export function resumeNote(runId: string, refusedWhy: string, published: PublishedResume | undefined): string {
  if (published?.published) {
    return `Functions refused the successor (${refusedWhy}): {"resume": "${runId}"} was published to the resume topic ${published.topicId} (message ${published.messageId}); Notifications delivers it to the function, retrying while Functions is full`;
  }
  const also = published ? `; publishing {"resume": "${runId}"} to the resume topic ${published.topicId} failed too: ${published.why}` : '';
  return `not continued automatically (${refusedWhy}${also}): resume with {"resume": "${runId}"}`;
}
