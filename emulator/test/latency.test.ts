/**
 * Injected latency from a request's arrival, with timer lateness compensated (assumption A32).
 * A fake clock and a fake timer stand in for performance.now and setTimeout: each timer fires a
 * scripted amount late, so every figure here is computed, never timed.
 */
import { describe, expect, it } from 'vitest';
import { LatencyInjector, MAX_COMPENSATION_MS, nextLateness, timerMs, wholeMs } from '../src/latency';

/** A clock the test moves; timers fire when `run` is told how late the next one is. */
function fakeClock() {
  let now = 1_000;
  const asked: number[] = [];
  const timers: { at: number; fire: () => void; asked: number }[] = [];
  return {
    asked,
    clock: {
      now: () => now,
      setTimer(fire: () => void, ms: number) {
        asked.push(ms);
        timers.push({ at: now + ms, fire, asked: ms });
      },
    },
    advance(ms: number) {
      now += ms;
    },
    /** Fires the oldest timer `lateMs` after its time (negative: early); returns how long it was asked for. */
    fireNext(lateMs: number): number {
      const t = timers.shift();
      if (!t) throw new Error('no timer pending');
      now = t.at + lateMs;
      t.fire();
      return t.asked;
    },
    get pending() {
      return timers.length;
    },
    get time() {
      return now;
    },
  };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One request: arrives, spends `workMs` on its checks, waits; returns its service time (arrival to answer). */
async function serve(injector: LatencyInjector, c: ReturnType<typeof fakeClock>, latencyMs: number, workMs: number, timerLateMs: number): Promise<number> {
  const arrivedAt = injector.arrival();
  c.advance(workMs);
  const wait = injector.waitFrom(arrivedAt, latencyMs);
  if (wait) {
    c.fireNext(timerLateMs);
    await wait;
  }
  return c.time - arrivedAt;
}

describe('timerMs and nextLateness', () => {
  it('asks for what is left of the latency, less the expected lateness, and never for less than nothing', () => {
    expect(timerMs(120, 100.25, 0)).toBe(19.75);
    expect(timerMs(120, 100.25, 0.75)).toBe(19);
    expect(timerMs(120, 121, 0)).toBe(0);
    expect(timerMs(120, 119.5, 1)).toBe(0);
  });

  it('asks for whole milliseconds and carries the rounding error, so that it averages out', () => {
    expect(wholeMs(19.7, 0)).toEqual({ ms: 20, carryMs: expect.closeTo(-0.3, 10) as number });
    expect(wholeMs(19.7, -0.3)).toEqual({ ms: 19, carryMs: expect.closeTo(0.4, 10) as number });
    let carry = 0;
    let asked = 0;
    for (let i = 0; i < 1000; i++) {
      const r = wholeMs(19.37, carry);
      expect(Number.isInteger(r.ms)).toBe(true);
      asked += r.ms;
      carry = r.carryMs;
    }
    expect(Math.abs(asked / 1000 - 19.37)).toBeLessThan(0.001);
    expect(wholeMs(0.4, 0)).toEqual({ ms: 0, carryMs: expect.closeTo(0.4, 10) as number });
  });

  it('moves the running mean a sixteenth of the way to each observation, within ±MAX_COMPENSATION_MS', () => {
    expect(nextLateness(0, 1.6)).toBeCloseTo(0.1, 10);
    expect(nextLateness(1, -0.6)).toBeCloseTo(0.9, 10);
    // One long stall counts as twice the cap at most.
    expect(nextLateness(0, 500)).toBeCloseTo((2 * MAX_COMPENSATION_MS) / 16, 10);
    let l = 0;
    for (let i = 0; i < 1000; i++) l = nextLateness(l, 50);
    expect(l).toBe(MAX_COMPENSATION_MS);
    for (let i = 0; i < 1000; i++) l = nextLateness(l, -50);
    expect(l).toBe(-MAX_COMPENSATION_MS);
  });
});

describe('LatencyInjector', () => {
  it('counts the latency from arrival: the emulator\'s own work is inside it, not added to it', async () => {
    const c = fakeClock();
    const injector = new LatencyInjector(c.clock);
    expect(await serve(injector, c, 20, 1, 0)).toBe(20);
    // Fractions of a millisecond of work: each answer within 1 ms (whole-ms timers), on time on average.
    const served: number[] = [];
    for (let i = 0; i < 100; i++) served.push(await serve(injector, c, 20, 0.3, 0));
    for (const ms of served) expect(Math.abs(ms - 20)).toBeLessThanOrEqual(1 + 1e-9);
    expect(Math.abs(mean(served) - 20)).toBeLessThan(0.01);
    expect(c.asked.every(Number.isInteger)).toBe(true);
  });

  it('answers at once, without a timer, when the work took the whole latency or there is none', async () => {
    const c = fakeClock();
    const injector = new LatencyInjector(c.clock);
    const arrivedAt = injector.arrival();
    c.advance(25);
    expect(injector.waitFrom(arrivedAt, 20)).toBeUndefined();
    expect(injector.waitFrom(injector.arrival(), 0)).toBeUndefined();
    expect(c.pending).toBe(0);
  });

  it('learns how late timers fire and brings them forward: service time converges on the setting', async () => {
    const c = fakeClock();
    const injector = new LatencyInjector(c.clock);
    // Timers fire 1.2 ms late, every time: uncompensated, a 20 ms latency is served in ~21.2.
    const first = await serve(injector, c, 20, 0.2, 1.2);
    expect(first).toBeCloseTo(21.4, 10); // 19.8 ms left, asked for 20 (whole ms), fired 1.2 late
    const served: number[] = [];
    for (let i = 0; i < 300; i++) served.push(await serve(injector, c, 20, 0.2, 1.2));
    expect(injector.expectedLatenessMs).toBeCloseTo(1.2, 3);
    const last = served.slice(-100);
    for (const ms of last) expect(Math.abs(ms - 20)).toBeLessThanOrEqual(1 + 1e-6);
    expect(Math.abs(mean(last) - 20)).toBeLessThan(0.01);
  });

  it('tracks lateness that varies: the mean service time comes out at the setting', async () => {
    const c = fakeClock();
    const injector = new LatencyInjector(c.clock);
    // A repeating pattern of lateness (mean 0.9 ms), as a loop with other work might show.
    const pattern = [0.2, 0.5, 1.9, 0.4, 1.5];
    for (let i = 0; i < 300; i++) await serve(injector, c, 20, 0.15, pattern[i % pattern.length] as number);
    const served: number[] = [];
    for (let i = 0; i < 500; i++) served.push(await serve(injector, c, 20, 0.15, pattern[i % pattern.length] as number));
    expect(Math.abs(mean(served) - 20)).toBeLessThan(0.05);
    // Never more than the cap early.
    expect(Math.min(...served)).toBeGreaterThanOrEqual(20 - MAX_COMPENSATION_MS);
  });

  it('never brings an answer forward by more than MAX_COMPENSATION_MS, however late its timers were', async () => {
    const c = fakeClock();
    const injector = new LatencyInjector(c.clock);
    for (let i = 0; i < 500; i++) await serve(injector, c, 20, 0, 30);
    expect(injector.expectedLatenessMs).toBe(MAX_COMPENSATION_MS);
    // The loop is idle again: a punctual timer answers at most the cap early.
    expect(await serve(injector, c, 20, 0, 0)).toBe(20 - MAX_COMPENSATION_MS);
  });
});
