import type { RunContext } from '../engine/context';
import { invokeSelfDetached } from './handover';

export interface WorkersStarted {
  readonly started: number;
  /** Dispatches Functions answered 429 (the regional concurrency quota): fewer workers now, not a failure. */
  readonly throttled: number;
  /** Dispatches that failed otherwise. */
  readonly failed: number;
}

/**
 * Starts a run's workers: `count` detached invocations of this function, each
 * resuming the run. Each dispatch is tried once: a 429 means the tenancy has
 * no room for another invocation now, and the run simply goes on with fewer
 * workers (they take the remaining units one after another). The planner is
 * not a coordinator: it answers as soon as the workers are dispatched.
 */
export async function startWorkers(runId: string, count: number, ctx: RunContext): Promise<WorkersStarted> {
  let started = 0;
  let throttled = 0;
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const r = await invokeSelfDetached({ resume: runId }, ctx, { maxAttempts: 1 });
    if (r.invoked) started += 1;
    else if (r.throttled) throttled += 1;
    else {
      failed += 1;
      ctx.notes.push(`worker ${i + 1} not started: ${r.why}`);
    }
    // Once Functions is full, the rest would be refused as well.
    if (r.throttled) break;
  }
  const notTried = count - started - throttled - failed;
  return { started, throttled: throttled + notTried, failed };
}
