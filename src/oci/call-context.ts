import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts of API calls (attempts on the wire) by operation, for one invocation's report. */
export type ApiCallCounter = Map<string, number>;

/**
 * Per-call state shared between our HTTP client wrapper and the retry
 * strategies. The SDK's retrier gives its strategies no access to the
 * response (so no `retry-after`) and no deadline. The SDK clients, signer and
 * HTTP client are built once per container (clients.ts); everything that
 * belongs to one invocation travels here.
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

const storage = new AsyncLocalStorage<CallState>();
/** The state `callContext.sendAs` hands to the HTTP client for the synchronous start of one `send`. */
let sending: CallState | undefined;
/** Calls in flight under `callContext.run`; the storage is disabled while there are none. */
let running = 0;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function leave(): void {
  running -= 1;
  // With no instance enabled, Node turns its promise hooks off again: every other promise in the
  // process (the direct ReencryptObject calls, the engine, the FDK) stops paying for them.
  if (running === 0) storage.disable();
}

/**
 * How the current call's state reaches our HTTP client (`getStore()`, read
 * at the start of `send`) and the SDK-path retry strategies.
 *
 * - `run`: a call through an SDK client method. The SDK awaits between our
 *   code and `send`, so only an AsyncLocalStorage context carries the state
 *   there. It is enabled only while such calls are in flight: an enabled
 *   AsyncLocalStorage makes Node run promise hooks on every promise in the
 *   process.
 * - `sendAs`: a call that hands its request to the SDK's retrier itself
 *   (direct-call.ts) knows its state; it names it for the synchronous start
 *   of each `send`, with no asynchronous context at all.
 */
export const callContext = {
  getStore(): CallState | undefined {
    if (sending !== undefined) return sending;
    return running > 0 ? storage.getStore() : undefined;
  },

  run<R>(state: CallState, fn: () => R): R {
    running += 1;
    let result: R;
    try {
      result = storage.run(state, fn);
    } catch (err) {
      leave();
      throw err;
    }
    if (isThenable(result)) {
      return Promise.resolve(result).then((value: unknown) => {
        leave();
        return value;
      }, (err: unknown) => {
        leave();
        throw err;
      }) as R;
    }
    leave();
    return result;
  },

  /** Calls `send` with `state` as the current call during its synchronous part. */
  sendAs<R>(state: CallState, send: () => R): R {
    const outer = sending;
    sending = state;
    try {
      return send();
    } finally {
      sending = outer;
    }
  },
};
