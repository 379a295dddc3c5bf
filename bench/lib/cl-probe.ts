/**
 * Where the time goes at C in flight / L ms (issue 11, target 2): what bench/lib/cl-probe-hook.cjs records in
 * the function process (signatures, HTTP requests, event-loop delay) and, in this process, the emulator's side
 * (each request's service time, this event loop's delay), reduced to the figures bench/README.md quotes.
 * Used by benchmark 9's probe rows and by `tsx bench/cl-probe.ts`.
 */
import dc from 'node:diagnostics_channel';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { percentile, round } from './stats';

type Interval = readonly [start: number, end: number];
type Row = Record<string, string | number>;

/** What the hook writes when the function is stopped. */
export interface FunctionProbe {
  signs: [start: number, end: number][];
  requests: [start: number, headers: number, end: number, kind: string][];
  eventLoopDelay: Record<string, number>;
  socketsOpened: number;
}

const now = (): number => performance.timeOrigin + performance.now();

const kindOf = (url: string, method: string | undefined): string =>
  url.includes('/actions/reencrypt/') ? 'ReencryptObject' : url.includes('/objectversions') ? 'ListObjectVersions' : `${method ?? 'GET'} other`;

/** The function's side: the environment that preloads the hook, and the file it writes when the function stops. */
export function functionProbe(): { env: Record<string, string>; read(): FunctionProbe } {
  const dir = mkdtempSync(join(tmpdir(), 'cl-probe-'));
  const out = join(dir, 'fn.json');
  return {
    env: { NODE_OPTIONS: `--require ${resolve(__dirname, 'cl-probe-hook.cjs')}`, CL_PROBE_OUT: out },
    read() {
      try {
        return JSON.parse(readFileSync(out, 'utf8')) as FunctionProbe;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The emulator's side, in this process: each request from its 'request' event to its response's end, and this event loop's delay. */
export function emulatorProbe(): { stop(): { served: [number, number, string][]; eventLoopDelay: Record<string, number> } } {
  const served: [number, number, string][] = [];
  const open = new WeakMap<object, [number, number, string]>();
  const onStart = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    const row: [number, number, string] = [now(), 0, kindOf(request.url ?? '', request.method)];
    open.set(request, row);
    served.push(row);
  };
  const onFinish = (m: unknown) => {
    const row = open.get((m as { request: object }).request);
    if (row) row[1] = now();
  };
  dc.subscribe('http.server.request.start', onStart);
  dc.subscribe('http.server.response.finish', onFinish);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  return {
    stop() {
      delay.disable();
      dc.unsubscribe('http.server.request.start', onStart);
      dc.unsubscribe('http.server.response.finish', onFinish);
      const ms = (ns: number) => ns / 1e6;
      return { served, eventLoopDelay: { meanMs: ms(delay.mean), p50Ms: ms(delay.percentile(50)), p99Ms: ms(delay.percentile(99)), maxMs: ms(delay.max) } };
    },
  };
}

/**
 * The emulator's side when it runs in a process of its own (emulator/src/process.ts): the node flags and
 * environment that preload bench/lib/cl-probe-emulator-hook.cjs, `started(pid)` when the sweep starts, and
 * `read(since)` once the emulator process has stopped: the same figures as emulatorProbe(), for requests
 * that arrived after `since` (epoch ms).
 */
export function emulatorProcessProbe(): {
  nodeArgs: string[]; env: Record<string, string>; started(pid: number): number;
  read(since: number): ReturnType<ReturnType<typeof emulatorProbe>['stop']>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'cl-probe-emu-'));
  const out = join(dir, 'emulator.json');
  return {
    nodeArgs: ['--require', resolve(__dirname, 'cl-probe-emulator-hook.cjs')],
    env: { CL_PROBE_EMULATOR_OUT: out },
    started(pid) {
      process.kill(pid, 'SIGUSR2');
      return now();
    },
    read(since) {
      try {
        const r = JSON.parse(readFileSync(out, 'utf8')) as ReturnType<ReturnType<typeof emulatorProbe>['stop']>;
        return { served: r.served.filter((row) => row[0] >= since), eventLoopDelay: r.eventLoopDelay };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Time-weighted mean of a count that rises at each interval's start and falls at its end, over [from, to]; and the share of that time it spent below `low`. */
export function occupancy(intervals: readonly Interval[], from: number, to: number, low: number): { mean: number; belowLowShare: number } {
  const edges: [number, number][] = [];
  for (const [s, e] of intervals) {
    if (e <= from || s >= to) continue;
    edges.push([Math.max(s, from), 1], [Math.min(e, to), -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let count = 0; let at = from; let area = 0; let below = 0;
  for (const [t, d] of edges) {
    area += count * (t - at);
    if (count < low) below += t - at;
    at = t;
    count += d;
  }
  if (at < to && count < low) below += to - at;
  return { mean: area / (to - from), belowLowShare: below / (to - from) };
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The figures: calls in flight (a call: from its signature's start to its response's end; the SDK's own work
 * before and after is left out), time-weighted over the sweep; the mean call time that implies (Little's law);
 * ReencryptObject's latency as the function sees it (request written → response read) against the emulator's
 * service time (request parsed → response written: the injected latency plus its own work); the threadpool
 * signature's latency (queue + RSA); both event loops' delay; calls in flight while listings ran.
 */
export function clFigures(fn: FunctionProbe, emu: ReturnType<ReturnType<typeof emulatorProbe>['stop']>, concurrency: number): Row {
  const reqs = fn.requests.filter((r) => r[2] > 0);
  const from = Math.min(...fn.signs.map((x) => x[0]));
  const to = Math.max(...reqs.map((r) => r[2]));
  // Only the counts matter for occupancy, so starts and ends can be paired in sorted order.
  const ends = reqs.map((r) => r[2]).sort((a, b) => a - b);
  const calls: Interval[] = fn.signs.map((x) => x[0]).sort((a, b) => a - b).map((s, i) => [s, ends[i] ?? to]);
  const inFlight = occupancy(calls, from, to, concurrency / 2);
  const re = reqs.filter((r) => r[3] === 'ReencryptObject').map((r) => r[2] - r[0]);
  const served = emu.served.filter((r) => r[2] === 'ReencryptObject' && r[1] > 0).map((r) => r[1] - r[0]);
  const signMs = fn.signs.filter((x) => x[1] > 0).map((x) => x[1] - x[0]);
  const lists = reqs.filter((r) => r[3].startsWith('List'));
  const duringLists = lists.slice(1).map((l) => occupancy(calls, l[0], l[2], 1).mean);
  const phases = sweepPhases(reqs, calls, from, to, concurrency);
  return {
    inFlightMean: round(inFlight.mean, 1),
    inFlightBelowHalfPct: round(inFlight.belowLowShare * 100, 1),
    callMsLittle: round(inFlight.mean / (reqs.length / (to - from)), 2),
    fnReencryptMsMean: round(mean(re), 2), fnReencryptMsP50: round(percentile(re, 50), 2), fnReencryptMsP90: round(percentile(re, 90), 2),
    emuServiceMsMean: round(mean(served), 2), emuServiceMsP50: round(percentile(served, 50), 2), emuServiceMsP90: round(percentile(served, 90), 2),
    signMsMean: round(mean(signMs), 2), signMsP90: round(percentile(signMs, 90), 2),
    fnLoopDelayMsMean: round(fn.eventLoopDelay['meanMs'] ?? Number.NaN, 2), fnLoopDelayMsP99: round(fn.eventLoopDelay['p99Ms'] ?? Number.NaN, 2),
    emuLoopDelayMsMean: round(emu.eventLoopDelay['meanMs'] ?? Number.NaN, 2), emuLoopDelayMsP99: round(emu.eventLoopDelay['p99Ms'] ?? Number.NaN, 2),
    ...phases,
    listings: lists.length,
    // Listings after the first: how many calls stayed in flight meanwhile (the listing's own call included).
    inFlightDuringListingsMean: duringLists.length > 0 ? round(mean(duringLists), 1) : 'n/a',
    tcpConnections: fn.socketsOpened,
  };
}

/**
 * Where calls in flight fall short of `concurrency`, by phase: before the first ReencryptObject (the serial
 * calls that find the bucket, the key's current version and the first page: `prefixMs`, `prefixCalls`), the
 * steady part (from the first ReencryptObject to the moment calls in flight last were `concurrency`:
 * `steadyInFlightMean`), the drain after it (`drainMs`, the last calls finishing with fewer in flight), and
 * each phase's share of the calls-in-flight deficit (`deficitPrefixPct`, `deficitSteadyPct`, `deficitDrainPct`:
 * where the time-weighted mean's gap to `concurrency` comes from); and the prefix in round trips (`prefixRoundTrips`:
 * its length over the mean time of its calls), which the machine's load stretches less than milliseconds.
 */
export function sweepPhases(reqs: FunctionProbe['requests'], calls: readonly Interval[], from: number, to: number, concurrency: number): Row {
  const firstReencrypt = Math.min(...reqs.filter((r) => r[3] === 'ReencryptObject').map((r) => r[0]));
  if (!Number.isFinite(firstReencrypt)) return {};
  // The last instant with `concurrency` calls in flight: the drain starts there.
  const edges: [number, number][] = calls.flatMap(([s, e]) => [[s, 1], [e, -1]] as [number, number][]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let count = 0;
  let drainFrom = firstReencrypt;
  for (const [t, d] of edges) {
    count += d;
    if (count >= concurrency) drainFrom = t;
  }
  drainFrom = Math.max(drainFrom, firstReencrypt);
  const before = reqs.filter((r) => r[0] < firstReencrypt);
  const lastReencryptEnd = Math.max(...reqs.filter((r) => r[3] === 'ReencryptObject').map((r) => r[2]));
  const label = (r: FunctionProbe['requests'][number]) => `${r[3].replace(' other', '').replace('ListObjectVersions', 'List')}@${Math.round(r[0] - from)}-${Math.round(r[2] - from)}`;
  const beforeMs = mean(before.map((r) => r[2] - r[0]));
  const deficit = (a: number, b: number) => (b > a ? (concurrency - occupancy(calls, a, b, 0).mean) * (b - a) : 0);
  const parts = [deficit(from, firstReencrypt), deficit(firstReencrypt, drainFrom), deficit(drainFrom, to)];
  const total = parts.reduce((x, y) => x + y, 0) || 1;
  return {
    prefixMs: round(firstReencrypt - from, 1),
    // The prefix in round trips (its length over the mean time of its calls): how many of them it waits for one after another.
    prefixRoundTrips: round((firstReencrypt - from) / beforeMs, 1),
    // Each call before the first ReencryptObject: kind@start-end, ms from the first signature.
    prefixCalls: before.map(label).join(','),
    // After the last ReencryptObject (e.g. PostMetricData before the answer), same format.
    suffixCalls: reqs.filter((r) => r[0] >= lastReencryptEnd).map(label).join(',') || 'none',
    lastReencryptToEndMs: round(to - lastReencryptEnd, 1),
    steadyInFlightMean: drainFrom > firstReencrypt ? round(occupancy(calls, firstReencrypt, drainFrom, 0).mean, 1) : 'n/a',
    drainMs: round(to - drainFrom, 1),
    deficitPrefixPct: round((parts[0] as number) / total * 100, 0),
    deficitSteadyPct: round((parts[1] as number) / total * 100, 0),
    deficitDrainPct: round((parts[2] as number) / total * 100, 0),
  };
}

/** On-CPU and run-queue-waiting time (ns) of a process's main thread and of its other threads, from /proc/<pid>/task/<tid>/schedstat. */
export interface SchedSnapshot { mainCpu: number; mainWait: number; othersCpu: number; othersWait: number }

export function schedSnapshot(pid: number): SchedSnapshot {
  const snap = { mainCpu: 0, mainWait: 0, othersCpu: 0, othersWait: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [cpu, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      if (Number(tid) === pid) {
        snap.mainCpu += cpu ?? 0; snap.mainWait += wait ?? 0;
      } else {
        snap.othersCpu += cpu ?? 0; snap.othersWait += wait ?? 0;
      }
    } catch { /* the thread ended */ }
  }
  return snap;
}

/**
 * Per version, µs: CPU of the main thread and of the other threads (libuv's threadpool signing, V8's helpers), and
 * the time they were runnable but waiting for a core (the machine's other load and the two processes' own threads
 * competing for two cores). Threads that ended during the sweep are missing from the second snapshot.
 */
export function schedFigures(prefix: string, before: SchedSnapshot, after: SchedSnapshot, versions: number, wallMs: number): Row {
  const us = (ns: number) => Math.round(ns / 1e3 / versions);
  return {
    [`${prefix}MainCpuUs`]: us(after.mainCpu - before.mainCpu),
    [`${prefix}MainRunqueueWaitUs`]: us(after.mainWait - before.mainWait),
    [`${prefix}MainBusyShare`]: round((after.mainCpu - before.mainCpu) / 1e6 / wallMs, 2),
    [`${prefix}OtherThreadsCpuUs`]: us(after.othersCpu - before.othersCpu),
    [`${prefix}OtherThreadsRunqueueWaitUs`]: us(after.othersWait - before.othersWait),
  };
}
