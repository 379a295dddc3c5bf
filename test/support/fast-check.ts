/**
 * fast-check settings shared by the property tests: a fixed seed in `npm test`
 * (a failure replays identically), more cases on demand.
 *
 *   FC_RUNS=n      every property runs n cases instead of its default
 *   FC_SEED=n      another seed (FC_SEED=random: a fresh one, printed on failure)
 */
import type { Parameters } from 'fast-check';

const DEFAULT_SEED = 20_261_130;

/** `maxRuns` caps FC_RUNS for properties whose cases are expensive. */
export function fcParams<T>(defaultRuns: number, extra: Parameters<T> = {}, maxRuns = Infinity): Parameters<T> {
  const runs = Number(process.env.FC_RUNS);
  const seed = process.env.FC_SEED;
  return {
    numRuns: Math.min(Number.isInteger(runs) && runs > 0 ? runs : defaultRuns, maxRuns),
    ...(seed !== 'random' && { seed: seed && Number.isInteger(Number(seed)) ? Number(seed) : DEFAULT_SEED }),
    ...extra,
  };
}

/**
 * A fake call's delay, in turns of the event loop rather than milliseconds: calls still end out
 * of order, but in the same order on every run, so that the fixed seed replays the same
 * interleaving. With setTimeout delays of a few milliseconds the order (and with it which
 * generated luck each call drew) depended on the machine's load: the seed did not pin the case.
 */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i <= n; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
