/**
 * The requests in flight wait on one timer per hard stop instant (src/oci/hard-stops.ts):
 * each is stopped at its instant unless removed first, and no timer outlives them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HardStops, type Stoppable } from '../../src/oci/hard-stops';

const member = (log: string[], name: string): Stoppable => ({ hardStop: () => log.push(name) });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('HardStops', () => {
  it('stops every member of an instant once, at that instant, with one timer', () => {
    const stops = new HardStops();
    const log: string[] = [];
    const at = Date.now() + 1000;
    for (let i = 0; i < 64; i += 1) stops.add(at, member(log, `m${i}`));
    expect(stops.pending).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(999);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toHaveLength(64);
    expect(new Set(log).size).toBe(64);
    expect(stops.pending).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(log).toHaveLength(64);
  });

  it('never stops a removed member; the last one removed clears the timer', () => {
    const stops = new HardStops();
    const log: string[] = [];
    const at = Date.now() + 1000;
    const members = [member(log, 'a'), member(log, 'b'), member(log, 'c')];
    for (const m of members) stops.add(at, m);
    stops.remove(at, members[0] as Stoppable);
    vi.advanceTimersByTime(500);
    stops.remove(at, members[1] as Stoppable);
    expect(stops.pending).toBe(1);
    stops.remove(at, members[2] as Stoppable);
    expect(stops.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    stops.remove(at, members[2] as Stoppable); // twice, or never added: nothing happens
    stops.remove(at + 1, members[2] as Stoppable);
    vi.advanceTimersByTime(10_000);
    expect(log).toEqual([]);
  });

  it('keeps instants apart: each fires at its own time, a passed one at once', () => {
    const stops = new HardStops();
    const log: string[] = [];
    const now = Date.now();
    stops.add(now + 2000, member(log, 'late'));
    stops.add(now + 1000, member(log, 'early'));
    stops.add(now - 5, member(log, 'passed'));
    expect(stops.pending).toBe(3);
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['passed']);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['passed', 'early']);
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['passed', 'early', 'late']);
  });

  it('does not fire now for a hard stop beyond what setTimeout can hold (weeks away)', () => {
    const stops = new HardStops();
    const log: string[] = [];
    stops.add(Date.now() + 40 * 86_400_000, member(log, 'far'));
    vi.advanceTimersByTime(60_000);
    expect(log).toEqual([]);
  });
});
