import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts of API calls (attempts on the wire) by operation, for one invocation's report. */
export type ApiCallCounter = Map<string, number>;

/**
 * Per-call state shared between our HTTP client wrapper and the SDK's retry
 * strategies. The SDK's retrier gives its strategies no access to the response
 * (so no `retry-after`) and no deadline; an AsyncLocalStorage context carries
 * both through the SDK's own call chain. The SDK clients, signer and HTTP
 * client are built once per container (clients.ts); everything that belongs
 * to one invocation travels here.
 */
export interface CallState {
  readonly operation: string;
  /** No attempt may start, and no retry wait may end, after this instant (epoch ms). */
  readonly hardStopAt: number;
  readonly maxAttempts: number;
  /** The invocation's counter: every attempt on the wire is counted under `operation`. */
  readonly apiCalls: ApiCallCounter;
  /** Set by the HTTP wrapper from the last response's `retry-after` (ms). */
  retryAfterMs?: number;
  attempts: number;
  /** True when the call gave up because the time ran out, not because OCI said no. */
  outOfTime: boolean;
}

export const callContext = new AsyncLocalStorage<CallState>();
