import type { RunContext } from '../engine/context';
import { bookkeepingHardStop } from '../engine/deadline';
import type { ReencryptRequest } from '../input/types';
import { containerMetrics, flushMetrics } from './publisher';
import { runMetrics, triggerOf, type RunSummary } from './run-metrics';

/** Time a local (CLI) run gives its metrics post once the run is over. */
const SOFT_DEADLINE_POST_MS = 15_000;

/**
 * After a run: add its metrics to the container's buffer, then post. Sweeps
 * post at once (with anything object events left waiting); an object event
 * posts only when the buffer is due (oldest point a minute old, or 50
 * streams), so a burst of uploads costs one call a minute, not one per object.
 */
export async function recordRunMetrics(request: ReencryptRequest, run: RunSummary, ctx: RunContext): Promise<void> {
  await recordMetrics(run, triggerOf(request), request.kind === 'object-event', ctx);
}

/**
 * A durable run (src/runs) posts once, when the invocation that ends it has
 * stored the final report; its trigger is the one the run was planned for.
 */
export async function recordFinishedRunMetrics(run: RunSummary, trigger: string, ctx: RunContext): Promise<void> {
  await recordMetrics(run, trigger, false, ctx);
}

async function recordMetrics(run: RunSummary, trigger: string, objectEvent: boolean, ctx: RunContext): Promise<void> {
  const target = ctx.config.metrics;
  if (!target) return;
  containerMetrics.add(runMetrics(run, trigger));
  if (objectEvent && !containerMetrics.due()) return;
  // Bookkeeping after the work: its own time past the hard stop, never past Fn-Deadline. A soft
  // deadline (the CLI's --max-duration) kills nothing, and the process exits after this run: post
  // with time to spare, or the points kept for a next flush would be lost with it.
  const hardStopAt = bookkeepingHardStop(ctx.budget, ctx.budget.soft ? { ownMs: SOFT_DEADLINE_POST_MS } : {});
  await flushMetrics(containerMetrics, ctx.oci, target, ctx.logger, hardStopAt);
}
