/** Memory of one function process over many small invocations (issue 8: it grew per invocation). */
import type { RunningFunction } from '../../test/support/fdk-process';
import { mib, readProcCpuMs, readProcMemory } from './proc';

export interface InvocationMemory {
  warmup: number;
  invocations: number;
  concurrency: number;
  /** Lowest RSS sampled in the first tenth of the invocations (after warm-up), MiB. */
  startRssMiB: number;
  /** Lowest RSS sampled in the last tenth, MiB. */
  endRssMiB: number;
  growthMiB: number;
  /** Lowest RSS sampled in each tenth of the invocations, MiB. */
  rssByTenthMiB: number[];
  /** Highest RSS sampled after warm-up, MiB. */
  maxRssMiB: number;
  peakRssMiB: number;
  /**
   * With `youngGenerationMiB`: the same growth after taking off the young generation's resident pages at each sample.
   * V8's young generation grows (up to 3 x --max-semi-space-size) while a process keeps allocating and only V8's memory
   * reducer gives its pages back: memory the flags bound, not memory the invocations keep.
   */
  growthNetOfYoungMiB?: number;
  /** The young generation's resident pages at the lowest sample of the first and the last tenth, MiB. */
  youngStartMiB?: number;
  youngEndMiB?: number;
  wallMs: number;
  fnCpuUsPerInvocation: number;
  failedCalls: number;
}

/**
 * Sends `warmup` then `invocations` calls (`concurrency` at a time) to one
 * function process; `body(i)` gives each call's body. A call that does not
 * answer `ok: true` counts as failed.
 */
export async function invocationMemory(
  fn: RunningFunction, body: (i: number) => string, options: { warmup: number; invocations: number; concurrency: number },
  /** The young generation's resident MiB now (bench/lib/gc-count-hook.cjs in the function), if known. */
  youngGenerationMiB?: () => number | undefined,
): Promise<InvocationMemory> {
  const pid = fn.process.pid as number;
  let failedCalls = 0;
  const rssMiB = () => mib((readProcMemory(pid)?.rssKb ?? 0) * 1024);
  // RSS swings by tens of MiB as V8 collects garbage; the lowest sample of a stretch (just after a
  // collection) is what the process really keeps. A leak of 140 KB per invocation is 1.4 GB here.
  const tenth = Math.max(1, Math.floor(options.invocations / 10));
  const lowest: number[] = [];
  const lowestNet: number[] = [];
  const youngAtLowest: number[] = [];
  let highest = 0;
  const run = async (from: number, count: number, sample: boolean): Promise<void> => {
    let next = from;
    const end = from + count;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const i = next++;
        const r = await fn.call(body(i), { deadlineMs: 30_000 });
        if (r.status !== 200 || (r.json as { ok?: boolean } | undefined)?.ok !== true) failedCalls += 1;
        if (sample && (i - from) % 10 === 0) {
          const k = Math.min(9, Math.floor((i - from) / tenth));
          const rss = rssMiB();
          if (rss < (lowest[k] ?? Infinity)) {
            lowest[k] = rss;
            const young = youngGenerationMiB?.();
            if (young !== undefined) youngAtLowest[k] = young;
          }
          const young = youngGenerationMiB?.();
          if (young !== undefined) lowestNet[k] = Math.min(lowestNet[k] ?? Infinity, rss - young);
          highest = Math.max(highest, rss);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  };
  await run(0, options.warmup, false);
  const cpu0 = readProcCpuMs(pid);
  const t0 = Date.now();
  await run(options.warmup, options.invocations, true);
  const wallMs = Date.now() - t0;
  const rssByTenthMiB = lowest.map((x) => Math.round(x * 10) / 10);
  const startRssMiB = rssByTenthMiB[0] ?? 0;
  const endRssMiB = rssByTenthMiB[rssByTenthMiB.length - 1] ?? 0;
  const last = lowest.length - 1;
  const net = lowestNet[0] !== undefined && lowestNet[last] !== undefined ? {
    growthNetOfYoungMiB: Math.round(((lowestNet[last] as number) - (lowestNet[0] as number)) * 10) / 10,
    youngStartMiB: Math.round((youngAtLowest[0] ?? Number.NaN) * 10) / 10, youngEndMiB: Math.round((youngAtLowest[last] ?? Number.NaN) * 10) / 10,
  } : {};
  return {
    ...options, startRssMiB, endRssMiB, growthMiB: Math.round((endRssMiB - startRssMiB) * 10) / 10, rssByTenthMiB, maxRssMiB: highest, ...net,
    peakRssMiB: mib((readProcMemory(pid)?.hwmKb ?? 0) * 1024), wallMs,
    fnCpuUsPerInvocation: Math.round(((readProcCpuMs(pid) - cpu0) * 1000) / options.invocations), failedCalls,
  };
}
