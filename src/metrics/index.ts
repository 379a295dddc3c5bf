import type { RunContext } from '../engine/context';
import type { ReencryptRequest } from '../input/types';
import { containerMetrics, flushMetrics } from './publisher';
import { runMetrics, triggerOf, type RunSummary } from './run-metrics';

/**
 * After a run: add its metrics to the container's buffer, then post. Sweeps
 * post at once (with anything object events left waiting); an object event
 * posts only when the buffer is due (oldest point a minute old, or 50
 * streams), so a burst of uploads costs one call a minute, not one per object.
 */
export async function recordRunMetrics(request: ReencryptRequest, run: RunSummary, ctx: RunContext): Promise<void> {
  const target = ctx.config.metrics;
  if (!target) return;
  containerMetrics.add(runMetrics(run, triggerOf(request)));
  if (request.kind === 'object-event' && !containerMetrics.due()) return;
  // Like the self-invoke: at least a second, never past Fn-Deadline.
  const hardStopAt = Math.min(ctx.budget.deadline - 50, Math.max(ctx.budget.hardStopAt, Date.now() + 1000));
  await flushMetrics(containerMetrics, ctx.oci, target, ctx.logger, hardStopAt);
}
