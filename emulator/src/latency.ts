import { performance } from 'node:perf_hooks';

/**
 * Injected latency, delivered as configured (assumption A32). A fault config's `latencyMs` is a
 * benchmark parameter, not OCI's: a request configured for 20 ms should be answered 20 ms after it
 * arrived, so that C/L (calls in flight over latency) is the limit a benchmark measures against.
 * Two things stood between the two before: the wait was added after the emulator's own work
 * (signature verification, routing: ~0.1–0.2 ms), and Node's timers fire late (ms granularity, a
 * cached loop time, and whatever else the event loop is doing): 20 ms injected served in a p50 of
 * ~20.5–21.3 ms. Here the wait ends `latencyMs` after the request arrived, and the timer is asked
 * for that much less the lateness timers have shown lately (a running mean), so the answers go out
 * on time on average. No busy-waiting: one timer per request, as before, of whole milliseconds
 * (the rounding error carried to the next request). Every check the emulator
 * does still runs, before the wait, so a 401 is never delayed past the others.
 */

/** How much of each new observation moves the running mean of timer lateness. */
export const LATENESS_WEIGHT = 1 / 16;
/**
 * The most a timer is moved, ms, either way. Timers are rarely later than this on an idle loop; a loop
 * stalled longer (a GC pause, a saturated machine) is not what a latency setting should hide, so an
 * answer is never brought forward by more than this. Each observation counts up to twice this, so
 * one long stall moves the mean by at most 2 × LATENESS_WEIGHT × this.
 */
export const MAX_COMPENSATION_MS = 2;

const clamp = (x: number, limit: number): number => Math.min(Math.max(x, -limit), limit);

/** The timer to ask for, ms (0: answer now): what is left until `dueAt`, less the expected lateness. Pure. */
export function timerMs(dueAt: number, now: number, latenessMs: number): number {
  return Math.max(0, dueAt - now - latenessMs);
}

/**
 * Whole milliseconds to ask the timer for, carrying the rounding error to the next request so that
 * it averages out: Node keeps one timer list per distinct duration, so a fractional duration per
 * request would cost a list (and a heap insertion) per request, and setTimeout counts whole
 * milliseconds anyway. Returns the whole ms (0: answer now) and the carry for the next request. Pure.
 */
export function wholeMs(idealMs: number, carryMs: number): { readonly ms: number; readonly carryMs: number } {
  const ms = Math.max(0, Math.round(idealMs + carryMs));
  return { ms, carryMs: clamp(carryMs + idealMs - ms, 1) };
}

/**
 * The running mean of timer lateness after one more timer fired `observedMs` late (negative: early;
 * Node's timers count from the loop's cached time, so they can fire before the asked time by the real
 * clock). Pure.
 */
export function nextLateness(latenessMs: number, observedMs: number): number {
  return clamp(latenessMs + (clamp(observedMs, 2 * MAX_COMPENSATION_MS) - latenessMs) * LATENESS_WEIGHT, MAX_COMPENSATION_MS);
}

export interface LatencyClock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
  /** Calls `fire` after about `ms`, never before: Node's setTimeout. */
  setTimer(fire: () => void, ms: number): void;
}

const SYSTEM_CLOCK: LatencyClock = {
  now: () => performance.now(),
  setTimer: (fire, ms) => {
    setTimeout(fire, ms);
  },
};

/** One per emulator: learns how late its event loop's timers fire and waits that much less. */
export class LatencyInjector {
  private latenessMs = 0;
  private carryMs = 0;

  constructor(private readonly clock: LatencyClock = SYSTEM_CLOCK) {}

  /** When the request arrived, on this injector's clock: the start of its latency. */
  arrival(): number {
    return this.clock.now();
  }

  /** The expected timer lateness now, ms (for tests and diagnostics). */
  get expectedLatenessMs(): number {
    return this.latenessMs;
  }

  /** Resolves `latencyMs` after `arrivedAt`; at once when that time has passed (the work took longer). */
  waitFrom(arrivedAt: number, latencyMs: number): Promise<void> | undefined {
    if (latencyMs <= 0) return undefined;
    const askedAt = this.clock.now();
    const ideal = timerMs(arrivedAt + latencyMs, askedAt, this.latenessMs);
    if (ideal <= 0) return undefined;
    const { ms, carryMs } = wholeMs(ideal, this.carryMs);
    this.carryMs = carryMs;
    if (ms === 0) return undefined;
    return new Promise((resolve) => {
      this.clock.setTimer(() => {
        this.latenessMs = nextLateness(this.latenessMs, this.clock.now() - askedAt - ms);
        resolve();
      }, ms);
    });
  }
}
