import type { RunContext } from '../../src/engine/context';
import { createLogger } from '../../src/log';

/** A RunContext for durable-run unit tests: no self-invocation, a minute's budget, errors-only logging. */
export function testRunContext(): RunContext {
  return {
    config: { maxInvocations: 100, noProgressLimit: 3, selfInvoke: false, maxWorkers: 1, checkpointMs: 10_000 },
    budget: { startedAt: Date.now(), deadline: Date.now() + 60_000, stopStartingAt: Date.now() + 30_000, hardStopAt: Date.now() + 40_000 },
    logger: createLogger('error'),
    notes: [],
  } as unknown as RunContext;
}
