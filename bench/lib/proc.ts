/** Memory sampling of a child process through /proc (Linux only; zeros elsewhere). */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcMemory {
  /** Current resident set, KiB. */
  rssKb: number;
  /** Peak resident set since the process started (VmHWM), KiB. */
  hwmKb: number;
}

export function readProcMemory(pid: number): ProcMemory | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    };
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process's RSS every `intervalMs` and keeps the maximum seen; on
 * stop, the kernel's own peak (VmHWM) is read too, so a spike between samples
 * is not missed. Report peaks in MiB.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private maxRssKb = 0;
  private lastHwmKb = 0;
  readonly samples: number[] = [];

  constructor(private readonly pid: number, private readonly intervalMs = 100) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private sample(): void {
    const m = readProcMemory(this.pid);
    if (!m) return;
    this.maxRssKb = Math.max(this.maxRssKb, m.rssKb);
    this.lastHwmKb = Math.max(this.lastHwmKb, m.hwmKb);
    this.samples.push(m.rssKb);
  }

  /** Stops sampling; returns the sampled max RSS and the kernel peak, MiB. */
  stop(): { sampledMaxRssMiB: number; peakRssMiB: number; samples: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return { sampledMaxRssMiB: mib(this.maxRssKb * 1024), peakRssMiB: mib(this.lastHwmKb * 1024), samples: this.samples.length };
  }
}

/** A process's resident memory split by kind, MiB: anonymous (heaps, stacks) and file-backed (the node binary's and libraries' pages). */
export interface ResidentSplit {
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}

/** From /proc/<pid>/smaps_rollup (Linux 4.14+); undefined when unreadable. */
export function readResidentSplit(pid: number): ResidentSplit | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    const rss = kb('Rss');
    const anon = kb('Anonymous');
    return { rssMiB: mib(rss * 1024), anonMiB: mib(anon * 1024), fileMiB: mib((rss - anon) * 1024) };
  } catch {
    return undefined;
  }
}

export function mib(bytes: number): number {
  return Math.round((bytes / 1048576) * 10) / 10;
}

/** User + system CPU time a process has used, ms (from /proc/<pid>/stat; 0 when unreadable). */
export function readProcCpuMs(pid: number, ticksPerSecond = 100): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state is field 3, utime 14, stime 15 (1-based).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/**
 * CPU time a process has used so far, ms, at nanosecond resolution: the sum of
 * /proc/<pid>/task/<tid>/schedstat over its live threads (the main thread, V8's
 * and libuv's workers). Unlike wall time it hardly moves with other load on the
 * machine. 0 when unreadable.
 */
export function readProcThreadsCpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch { /* the thread ended */ }
    }
    return ns / 1e6;
  } catch {
    return 0;
  }
}
