import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Per-call state shared between our HTTP client wrapper and the SDK's retry
 * strategies. The SDK's retrier gives its strategies no access to the response
 * (so no `retry-after`) and no deadline; an AsyncLocalStorage context carries
 * both through the SDK's own call chain.
 */
export interface CallState {
  readonly operation: string;
  /** No attempt may start, and no retry wait may end, after this instant (epoch ms). */
  readonly hardStopAt: number;
  readonly maxAttempts: number;
  /** Set by the HTTP wrapper from the last response's `retry-after` (ms). */
  retryAfterMs?: number;
  attempts: number;
  /** True when the call gave up because the time ran out, not because OCI said no. */
  outOfTime: boolean;
}

export const callContext = new AsyncLocalStorage<CallState>();
