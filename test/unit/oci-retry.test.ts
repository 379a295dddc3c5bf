import type { TerminationStrategy } from 'oci-common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callContext, type CallState } from '../../src/oci/call-context';
import { parseRetryAfter } from '../../src/oci/http-client';
import { deadlineRetryConfiguration } from '../../src/oci/retry';

type WaitContext = Parameters<TerminationStrategy['shouldTerminate']>[0];

const NOW = Date.parse('2026-03-10T12:00:00.000Z');

function callState(overrides: Partial<CallState> = {}): CallState {
  return { operation: 'ReencryptObject', hardStopAt: NOW + 60_000, maxAttempts: 4, apiCalls: new Map(), attempts: 0, outOfTime: false, ...overrides };
}

/** Like the SDK's WaitContextImpl: one object per call, attemptCount counts retries done (0 after the first failure). */
function waitContext(attemptCount: number): WaitContext {
  return { attemptCount, startTime: new Date(NOW) };
}

/** One retry decision as the SDK's retrier makes it: shouldTerminate, then delay() in seconds when it goes on. */
function decide(state: CallState, attemptCount: number, random: () => number = () => 1): { terminate: boolean; delayMs?: number } {
  const { terminationStrategy, delayStrategy } = deadlineRetryConfiguration(random);
  if (!terminationStrategy || !delayStrategy) throw new Error('both strategies are expected');
  return callContext.run(state, () => {
    const ctx = waitContext(attemptCount);
    if (terminationStrategy.shouldTerminate(ctx)) return { terminate: true };
    return { terminate: false, delayMs: Math.round(delayStrategy.delay(ctx) * 1000) };
  });
}

describe('deadlineRetryConfiguration', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not retry outside a call context', () => {
    const { terminationStrategy } = deadlineRetryConfiguration(() => 0.5);
    expect(terminationStrategy?.shouldTerminate(waitContext(0))).toBe(true);
  });

  it.each<[number, number, boolean]>([
    // [maxAttempts, attemptCount at the failure, terminates]
    [4, 0, false], [4, 1, false], [4, 2, false], [4, 3, true],
    [1, 0, true],
    [2, 0, false], [2, 1, true],
  ])('with maxAttempts %i, after failure of attempt index %i terminates=%s', (maxAttempts, attemptCount, terminates) => {
    const state = callState({ maxAttempts });
    expect(decide(state, attemptCount).terminate).toBe(terminates);
    expect(state.attempts).toBe(attemptCount + 1);
    expect(state.outOfTime).toBe(false);
  });

  it.each<[number, number]>([
    // [attemptCount, delay with random() = 1 (the full backoff)]
    [0, 100], [1, 200], [2, 400], [3, 800], [4, 1_600], [5, 3_200], [6, 5_000], [7, 5_000], [12, 5_000],
  ])('backs off exponentially, capped at 5 s (attempt index %i waits %i ms)', (attemptCount, expected) => {
    expect(decide(callState({ maxAttempts: 100 }), attemptCount, () => 1).delayMs).toBe(expected);
  });

  it.each<[number, number]>([[0, 50], [3, 400], [9, 2_500]])('jitters down to half the backoff (attempt index %i, random 0: %i ms)', (attemptCount, expected) => {
    expect(decide(callState({ maxAttempts: 100 }), attemptCount, () => 0).delayMs).toBe(expected);
  });

  it.each<[number, number]>([[3_000, 3_000], [100, 100], [10, 100], [45_000, 30_000]])(
    'waits at least retry-after (%i ms → %i ms, capped at 30 s)',
    (retryAfterMs, expected) => {
      const state = callState({ retryAfterMs, hardStopAt: NOW + 120_000, maxAttempts: 10 });
      expect(decide(state, 0, () => 1).delayMs).toBe(expected);
    },
  );

  it('terminates and marks outOfTime when the next wait would pass the hard stop', () => {
    const state = callState({ hardStopAt: NOW + 150, maxAttempts: 10 });
    expect(decide(state, 1, () => 1)).toEqual({ terminate: true }); // 200 ms wait
    expect(state.outOfTime).toBe(true);
  });

  it('terminates and marks outOfTime when retry-after would pass the hard stop', () => {
    const state = callState({ hardStopAt: NOW + 5_000, retryAfterMs: 10_000, maxAttempts: 10 });
    expect(decide(state, 0).terminate).toBe(true);
    expect(state.outOfTime).toBe(true);
  });

  it('retries when the wait ends before the hard stop, and not once the clock has moved on', () => {
    const state = callState({ hardStopAt: NOW + 1_000, maxAttempts: 10 });
    expect(decide(state, 2, () => 1)).toEqual({ terminate: false, delayMs: 400 });
    vi.setSystemTime(NOW + 700);
    expect(decide(state, 2, () => 1).terminate).toBe(true);
    expect(state.outOfTime).toBe(true);
  });

  it('reports maxAttempts, not outOfTime, when both would stop it', () => {
    const state = callState({ hardStopAt: NOW + 1, maxAttempts: 2 });
    expect(decide(state, 1).terminate).toBe(true);
    expect(state.outOfTime).toBe(false);
  });

  it('keeps separate calls apart (one strategy object, two contexts)', () => {
    const { terminationStrategy, delayStrategy } = deadlineRetryConfiguration(() => 1);
    if (!terminationStrategy || !delayStrategy) throw new Error('both strategies are expected');
    const slow = callState({ retryAfterMs: 2_000, maxAttempts: 10 });
    const fast = callState({ maxAttempts: 10 });
    const a = waitContext(0);
    const b = waitContext(0);
    callContext.run(slow, () => expect(terminationStrategy.shouldTerminate(a)).toBe(false));
    callContext.run(fast, () => expect(terminationStrategy.shouldTerminate(b)).toBe(false));
    expect(delayStrategy.delay(a)).toBe(2);
    expect(delayStrategy.delay(b)).toBe(0.1);
  });
});

describe('parseRetryAfter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each<[string, string | null, number | undefined]>([
    ['whole seconds', '3', 3_000],
    ['zero seconds', '0', 0],
    ['fractional seconds', '1.5', 1_500],
    ['an HTTP date in the future', new Date(NOW + 7_000).toUTCString(), 7_000],
    ['an HTTP date in the past (no wait)', new Date(NOW - 7_000).toUTCString(), 0],
    ['garbage', 'soon', undefined],
    ['a number with junk after it', '12abc', undefined],
    ['an empty header', '', undefined],
    ['no header', null, undefined],
  ])('reads %s', (_name, value, expected) => {
    expect(parseRetryAfter(value)).toBe(expected);
  });
});
