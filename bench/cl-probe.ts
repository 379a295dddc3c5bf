/**
 * Where the time goes at C in flight / L ms (issue 11, target 2; a developer tool, not part of `npm run bench`):
 *   tsx bench/cl-probe.ts [--versions=8000] [--concurrency=64] [--latency=20] [--node=PATH] [--script=PATH]
 * One re-encryption sweep of dist/func.js as benchmark 4 runs it, with bench/lib/cl-probe-hook.cjs preloaded
 * into the function (signatures, HTTP requests, event-loop delay) and, in this process, the emulator's side:
 * each request's service time (diagnostics_channel) and this process's event-loop delay. Prints calls in
 * flight over time (time-weighted), per-call latency as the function sees it against the emulator's service
 * time, the threadpool signatures' latency, and what the listings cost.
 */
import dc from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startStack } from '../test/support/stack';
import { sweepToCompletion } from './lib/fn';
import { percentile, round } from './lib/stats';

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

type Interval = readonly [start: number, end: number];
interface FunctionProbe {
  signs: [number, number][];
  requests: [start: number, headers: number, end: number, kind: string][];
  eventLoopDelay: Record<string, number>;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Time-weighted mean of a count that rises at each interval's start and falls at its end, over [from, to]; and the share of time it spent below `low`. */
function occupancy(intervals: readonly Interval[], from: number, to: number, low: number): { mean: number; belowLowShare: number } {
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
  return { mean: area / (to - from), belowLowShare: below / (to - from) };
}

function dist(xs: readonly number[]): string {
  if (xs.length === 0) return 'n=0';
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `n=${xs.length} mean=${round(mean, 2)} p50=${round(percentile(xs, 50), 2)} p90=${round(percentile(xs, 90), 2)} p99=${round(percentile(xs, 99), 2)} max=${round(Math.max(...xs), 2)}`;
}

async function main(): Promise<void> {
  const versions = Number(arg('versions', '8000'));
  const concurrency = Number(arg('concurrency', '64'));
  const latencyMs = Number(arg('latency', '20'));
  const dir = mkdtempSync(join(tmpdir(), 'cl-probe-'));
  const out = join(dir, 'fn.json');
  const s = await startStack({
    env: {
      REENCRYPT_LOG_LEVEL: 'info', REENCRYPT_MAX_ATTEMPTS: '8', REENCRYPT_CONCURRENCY: String(concurrency),
      NODE_OPTIONS: `--require ${resolve(__dirname, 'lib/cl-probe-hook.cjs')}`, CL_PROBE_OUT: out,
    },
    timeoutSeconds: 300, emulator: { seed: 7 },
    ...(process.argv.some((a) => a.startsWith('--node=')) && { node: arg('node', '') }),
    ...(process.argv.some((a) => a.startsWith('--script=')) && { script: resolve(arg('script', '')) }),
  });
  // The emulator's side, in this process: each request from its 'request' event to its response's end.
  const served: [number, number, string][] = [];
  const open = new WeakMap<object, [number, number, string]>();
  const onStart = ({ request }: { request: IncomingMessage }) => {
    const url = request.url ?? '';
    const kind = url.includes('/actions/reencrypt/') ? 'ReencryptObject' : url.includes('/objectversions') ? 'ListObjectVersions' : `${request.method} other`;
    const row: [number, number, string] = [now(), 0, kind];
    open.set(request, row);
    served.push(row);
  };
  const onFinish = ({ request }: { request: IncomingMessage; response: ServerResponse }) => {
    const row = open.get(request);
    if (row) row[1] = now();
  };
  let fnProbe: FunctionProbe;
  let run: Awaited<ReturnType<typeof sweepToCompletion>>;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  try {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'tp', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('tp', { count: versions / 2, extraVersions: 1, prefix: 'tp/o-', timeModified: Date.now() - 3_600_000, timeStepMs: 1, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
    s.emu.setGlobalFaults({ latencyMs });
    dc.subscribe('http.server.request.start', onStart as (m: unknown) => void);
    dc.subscribe('http.server.response.finish', onFinish as (m: unknown) => void);
    delay.enable();
    run = await sweepToCompletion(s.fn, { bucketName: 'tp' }, 300_000);
    delay.disable();
    if (run.reencrypted !== versions) throw new Error(`re-encrypted ${run.reencrypted} of ${versions}`);
  } finally {
    dc.unsubscribe('http.server.request.start', onStart as (m: unknown) => void);
    dc.unsubscribe('http.server.response.finish', onFinish as (m: unknown) => void);
    await s.stop();
  }
  fnProbe = JSON.parse(readFileSync(out, 'utf8')) as FunctionProbe;
  rmSync(dir, { recursive: true, force: true });

  const reqs = fnProbe.requests.filter((r) => r[2] > 0);
  const from = Math.min(...fnProbe.signs.map((x) => x[0]));
  const to = Math.max(...reqs.map((r) => r[2]));
  // A call is in flight from its signature's start to its response's end (the SDK's own work before and after is left out).
  const callEnds = reqs.map((r) => r[2]).sort((a, b) => a - b);
  const callStarts = fnProbe.signs.map((x) => x[0]).sort((a, b) => a - b);
  const calls: Interval[] = callStarts.map((st, i) => [st, callEnds[i] ?? to]);
  const inFlight = occupancy(calls, from, to, concurrency / 2);
  const httpInFlight = occupancy(reqs.map((r) => [r[0], r[2]] as const), from, to, concurrency / 2);
  const emuBusy = occupancy(served.filter((r) => r[1] > 0).map((r) => [r[0], r[1]] as const), from, to, concurrency / 2);
  const sweepS = (to - from) / 1000;
  const perS = versions / sweepS;
  console.log(`probe> ${versions} versions, ${concurrency} in flight, ${latencyMs} ms: harness wall ${run.wallMs} ms (${Math.round(versions / (run.wallMs / 1000))}/s, ofLimit ${round(versions / (run.wallMs / 1000) / (concurrency * 1000 / latencyMs), 2)}); first signature to last response ${Math.round(to - from)} ms (${Math.round(perS)}/s); fn CPU ${Math.round(run.fnCpuMs * 1000 / versions)} µs/version, ${round(run.fnCpuMs / run.wallMs, 2)} cores; this process (emulator + harness) ${Math.round(run.hostCpuMs * 1000 / versions)} µs/version, ${round(run.hostCpuMs / run.wallMs, 2)} cores; invocations ${run.invocations}`);
  console.log(`probe> calls in flight (signature start → response end), time-weighted mean ${round(inFlight.mean, 1)}; below ${concurrency / 2} for ${round(inFlight.belowLowShare * 100, 1)}% of the time; HTTP requests in flight mean ${round(httpInFlight.mean, 1)}; requests the emulator is serving mean ${round(emuBusy.mean, 1)}`);
  console.log(`probe> Little's law: mean call time in flight ${round(inFlight.mean / (reqs.length / (to - from)), 2)} ms (${reqs.length} requests)`);
  const kinds = [...new Set(reqs.map((r) => r[3]))];
  for (const kind of kinds) {
    const mine = reqs.filter((r) => r[3] === kind);
    const theirs = served.filter((r) => r[2] === kind && r[1] > 0);
    console.log(`probe> ${kind}: fn request→response end ms ${dist(mine.map((r) => r[2] - r[0]))}; request→headers ${dist(mine.map((r) => r[1] - r[0]))}`);
    console.log(`probe> ${kind}: emulator service ms ${dist(theirs.map((r) => r[1] - r[0]))}`);
  }
  console.log(`probe> threadpool signature ms ${dist(fnProbe.signs.filter((x) => x[1] > 0).map((x) => x[1] - x[0]))}`);
  const ms = (ns: number) => round(ns / 1e6, 2);
  console.log(`probe> event-loop delay, function: ${Object.entries(fnProbe.eventLoopDelay).map(([k, v]) => `${k}=${round(v, 2)}`).join(' ')}`);
  console.log(`probe> event-loop delay, this process (emulator): meanMs=${ms(delay.mean)} p50Ms=${ms(delay.percentile(50))} p90Ms=${ms(delay.percentile(90))} p99Ms=${ms(delay.percentile(99))} maxMs=${ms(delay.max)}`);
  // Listings: how long each took, and how many calls were in flight while it ran.
  const lists = reqs.filter((r) => r[3].startsWith('List'));
  for (const l of lists) {
    const during = occupancy(calls, l[0], l[2], 1);
    console.log(`probe> listing at +${Math.round(l[0] - from)} ms took ${round(l[2] - l[0], 1)} ms; calls in flight meanwhile ${round(during.mean, 1)}`);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
