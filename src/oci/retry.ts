import type { DelayStrategy, RetryConfiguration, TerminationStrategy } from 'oci-common';
import { callContext, type CallState } from './call-context';

/** Delay before retry n (1-based): 100 ms doubling, full jitter, capped at 5 s. */
export const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;
/** A retry-after above this is not worth waiting inside a function. */
const MAX_RETRY_AFTER_MS = 30_000;

function nextDelayMs(attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = backoff / 2 + random() * (backoff / 2);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS));
}

/**
 * Our limits, decided after a failed attempt (`attemptCount` as the SDK's
 * retrier counts it: retries done so far): the wait in ms before the next
 * attempt, or undefined to stop. At most `maxAttempts` tries, the wait
 * honours `retry-after`, and no retry is started whose wait would end after
 * the call's hard stop (then the call is marked out of time).
 */
export function plannedRetryDelayMs(state: CallState, attemptCount: number, random: () => number): number | undefined {
  state.attempts = attemptCount + 1;
  if (state.attempts >= state.maxAttempts) return undefined;
  const delay = nextDelayMs(state.attempts, state.retryAfterMs, random);
  if (Date.now() + delay >= state.hardStopAt) {
    state.outOfTime = true;
    return undefined;
  }
  return delay;
}

/**
 * The SDK clients' retry configuration: the SDK's retry machinery with our
 * limits (plannedRetryDelayMs) for the call in `callContext`. Outside a call
 * context it behaves as "no retry".
 */
export function deadlineRetryConfiguration(random: () => number = Math.random): RetryConfiguration {
  const planned = new WeakMap<object, number>();
  const terminationStrategy: TerminationStrategy = {
    shouldTerminate(context) {
      const state = callContext.getStore();
      if (!state) return true;
      const delay = plannedRetryDelayMs(state, context.attemptCount, random);
      if (delay === undefined) return true;
      planned.set(context, delay);
      return false;
    },
  };
  const delayStrategy: DelayStrategy = {
    // The SDK waits delay() seconds.
    delay(context) {
      const ms = planned.get(context) ?? BASE_DELAY_MS;
      return ms / 1000;
    },
  };
  return { terminationStrategy, delayStrategy };
}
