import { describe, expect, it } from 'vitest';
import type { WorkRequestView } from '../../src/oci/object-storage';
import {
  isTerminal, MAX_POLL_MS, MIN_POLL_MS, moved, noProgressAfterTurn, pollDelayMs, STALL_AFTER_MS,
} from '../../src/runs/work-request-progress';

const T0 = Date.parse('2026-11-30T06:00:00Z');
const view = (over: Partial<WorkRequestView> = {}): WorkRequestView => ({
  id: 'wr', status: 'IN_PROGRESS', percentComplete: 10, timeAccepted: new Date(T0).toISOString(), timeStarted: new Date(T0).toISOString(), ...over,
});

describe('isTerminal', () => {
  it.each([['COMPLETED', true], ['FAILED', true], ['CANCELED', true], ['CANCELING', false], ['IN_PROGRESS', false], ['ACCEPTED', false], [undefined, false]])('%s: %s', (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal);
  });
});

describe('moved', () => {
  it('a status change or a higher percentComplete is a move; the same sighting is not', () => {
    expect(moved({ status: 'ACCEPTED', percentComplete: 0 }, view({ percentComplete: 0 }))).toBe(true);
    expect(moved({ status: 'IN_PROGRESS', percentComplete: 10 }, view({ percentComplete: 10.5 }))).toBe(true);
    expect(moved({ status: 'IN_PROGRESS', percentComplete: 10 }, view({ percentComplete: 10 }))).toBe(false);
    expect(moved(undefined, view())).toBe(true);
  });
});

describe('pollDelayMs', () => {
  it('waits a quarter of the time left at the pace shown so far, within its bounds', () => {
    // 10% in 40 s: 360 s left, a quarter is 90 s, capped at 30 s (checkpoints every 60 s).
    expect(pollDelayMs(view(), T0 + 40_000, 60_000)).toBe(MAX_POLL_MS);
    // 80% in 40 s: 10 s left, a quarter is 2.5 s.
    expect(pollDelayMs(view({ percentComplete: 80 }), T0 + 40_000, 60_000)).toBe(2500);
    // 99% in 1 s: never more often than once a second.
    expect(pollDelayMs(view({ percentComplete: 99 }), T0 + 1000, 60_000)).toBe(MIN_POLL_MS);
  });

  it('never waits longer than a checkpoint interval (the poll renews the hold)', () => {
    expect(pollDelayMs(view(), T0 + 40_000, 5_000)).toBe(5_000);
  });

  it('honours retry-after, and waits 2 s while nothing is known', () => {
    expect(pollDelayMs(view({ percentComplete: 99, retryAfterSeconds: 7 }), T0 + 1000, 60_000)).toBe(7000);
    expect(pollDelayMs(view({ status: 'ACCEPTED', percentComplete: 0, timeStarted: undefined }), T0 + 1000, 60_000)).toBe(2 * MIN_POLL_MS);
  });
});

describe('noProgressAfterTurn', () => {
  it('a turn that saw the work request move is progress', () => {
    expect(noProgressAfterTurn(3, true, new Date(T0 - 10 * STALL_AFTER_MS).toISOString(), T0)).toBe(0);
  });

  it('a long, healthy work request that did not move this turn is not stopped while its last move is recent', () => {
    let n = 0;
    // 1,000 turns of five minutes each without a move, with the last move within the bound every time.
    for (let i = 0; i < 1000; i++) n = noProgressAfterTurn(n, false, new Date(T0 + i * 300_000 - STALL_AFTER_MS / 2).toISOString(), T0 + i * 300_000);
    expect(n).toBe(0);
  });

  it('turns past the stall bound without a move count, one each', () => {
    const last = new Date(T0).toISOString();
    expect(noProgressAfterTurn(0, false, last, T0 + STALL_AFTER_MS + 1)).toBe(1);
    expect(noProgressAfterTurn(4, false, last, T0 + 2 * STALL_AFTER_MS)).toBe(5);
    expect(noProgressAfterTurn(2, false, undefined, T0)).toBe(3);
  });

  it('the bound is a parameter (the runs use one hour)', () => {
    expect(STALL_AFTER_MS).toBe(3_600_000);
    expect(noProgressAfterTurn(0, false, new Date(T0).toISOString(), T0 + 2000, 1000)).toBe(1);
  });
});
