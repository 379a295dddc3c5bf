/** Driving dist/func.js: sweeps to completion through continuations, and cold starts. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callFunction, FUNC_JS, type FnCallResult, type RunningFunction } from '../../test/support/fdk-process';
import { mib, readProcCpuMs, readProcMemory, readProcThreadsCpuMs, readResidentSplit, RssSampler, type ResidentSplit } from './proc';

/** The parts of the function's JSON report the benchmarks read. */
export interface Report {
  ok: boolean;
  complete: boolean;
  continuation: string | null;
  elapsedMs: number;
  totals: { scanned: number; reencrypted: number; planned: number; skipped: Record<string, number>; failed: number };
  apiCalls: Record<string, number>;
  error?: unknown;
}

export interface SweepRun {
  wallMs: number;
  invocations: number;
  scanned: number;
  reencrypted: number;
  planned: number;
  failed: number;
  skipped: Record<string, number>;
  /** API calls the function reports (attempts on the wire, retries included), summed over invocations. */
  apiCalls: Record<string, number>;
  sampledMaxRssMiB: number;
  peakRssMiB: number;
  /** CPU used by the function process during the sweep, ms. */
  fnCpuMs: number;
  /** CPU used by this process (the in-process emulator, plus the harness) during the sweep, ms. */
  hostCpuMs: number;
  /** Every RSS sample taken, KiB, in order. */
  rssSamplesKb: number[];
}

function asReport(r: FnCallResult): Report {
  const j = r.json as Report | undefined;
  if (r.status !== 200 || !j || j.ok !== true) throw new Error(`function call failed: HTTP ${r.status} ${r.text.slice(0, 2000)}`);
  return j;
}

/**
 * Calls the function with `body`, then with `{continuation}` until the report
 * says complete, and samples the function process's RSS throughout.
 */
export async function sweepToCompletion(fn: RunningFunction, body: object, deadlineMs: number, maxInvocations = 50): Promise<SweepRun> {
  const pid = fn.process.pid;
  if (pid === undefined) throw new Error('function process has no pid');
  const sampler = new RssSampler(pid).start();
  const started = Date.now();
  const fnCpu0 = readProcCpuMs(pid);
  const hostCpu0 = process.cpuUsage();
  const run = { invocations: 0, scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: {} as Record<string, number>, apiCalls: {} as Record<string, number> };
  let next: object = body;
  for (;;) {
    run.invocations += 1;
    const report = asReport(await fn.call(JSON.stringify(next), { deadlineMs }));
    run.scanned += report.totals.scanned;
    run.reencrypted += report.totals.reencrypted;
    run.planned += report.totals.planned;
    run.failed += report.totals.failed;
    for (const [k, v] of Object.entries(report.totals.skipped)) run.skipped[k] = (run.skipped[k] ?? 0) + v;
    for (const [k, v] of Object.entries(report.apiCalls)) run.apiCalls[k] = (run.apiCalls[k] ?? 0) + v;
    if (report.complete && report.continuation === null) break;
    if (report.continuation === null) throw new Error(`incomplete report without a continuation: ${JSON.stringify(report).slice(0, 2000)}`);
    if (run.invocations >= maxInvocations) throw new Error(`not complete after ${maxInvocations} invocations`);
    next = { continuation: report.continuation };
  }
  const wallMs = Date.now() - started;
  const hostCpu = process.cpuUsage(hostCpu0);
  const fnCpuMs = readProcCpuMs(pid) - fnCpu0;
  const hostCpuMs = Math.round((hostCpu.user + hostCpu.system) / 1000);
  const mem = sampler.stop();
  return { wallMs, ...run, fnCpuMs, hostCpuMs, sampledMaxRssMiB: mem.sampledMaxRssMiB, peakRssMiB: mem.peakRssMiB, rssSamplesKb: sampler.samples };
}

export function sumCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

export interface ColdStart {
  /** spawn() to the listener socket existing, ms. */
  spawnToSocketMs: number;
  /** The first call's round trip, ms. */
  firstCallMs: number;
  /** A second, identical call (warm), ms. */
  secondCallMs: number;
  peakRssMiB: number;
  /** RSS once the socket is up, before any call, MiB. */
  listeningRssMiB: number;
  /** RSS 500 ms after the second call, MiB. */
  idleRssMiB: number;
  /** The same moment split into anonymous and file-backed memory (undefined where /proc has no smaps_rollup). */
  idleSplit: ResidentSplit | undefined;
  /**
   * With `settleMs`: RSS that long after the second answer, split likewise: what an operator sees in a
   * container left idle (V8's memory reducer shrinks the heap some seconds after the last allocation).
   */
  settledSplit: ResidentSplit | undefined;
  /** Anything the process wrote to stderr before its first answer (warnings). */
  startupStderr: string;
  /** CPU the process used from spawn to the socket, and to its first answer, ms (all threads; little moved by machine load). */
  cpuToSocketMs: number;
  cpuToFirstAnswerMs: number;
  /** CPU of the second (warm) call, ms. */
  secondCallCpuMs: number;
  /** With `settleMs`: CPU of a third identical call made after the settled reading, ms (code V8 flushed while idle is compiled again). */
  afterIdleCallCpuMs: number | undefined;
  /** With `settleMs`: CPU the process used while idle, from the second answer to the settled reading, ms (V8's memory reducer). */
  idleCpuMs: number | undefined;
}

export interface ColdStartOptions {
  readonly node?: string;
  readonly script?: string;
  readonly nodeArgs?: readonly string[];
  /** Read RSS again this long after the second answer (and keep the process until then). */
  readonly settleMs?: number;
}

/** Spawns dist/func.js as the Fn server does, polling for the socket every 1 ms. */
export async function coldStart(env: Record<string, string>, body: object, options: ColdStartOptions = {}): Promise<ColdStart> {
  const dir = mkdtempSync(join(tmpdir(), 'fn-bench-'));
  const socketPath = join(dir, 'lsnr.sock');
  const t0 = process.hrtime.bigint();
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), options.script ?? FUNC_JS], {
    env: { PATH: process.env.PATH ?? '', FN_FORMAT: 'http-stream', FN_LISTENER: `unix:${socketPath}`, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
  try {
    while (!existsSync(socketPath)) {
      if (child.exitCode !== null) throw new Error(`function exited with ${child.exitCode}: ${stderr}`);
      if (Number(process.hrtime.bigint() - t0) > 15e9) throw new Error(`no socket within 15 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    const spawnToSocketMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const pid = child.pid as number;
    const cpuToSocketMs = readProcThreadsCpuMs(pid);
    const listeningRssMiB = mib((readProcMemory(pid)?.rssKb ?? 0) * 1024);
    const sampler = new RssSampler(pid, 20).start();
    const t1 = process.hrtime.bigint();
    asReport(await callFunction(socketPath, JSON.stringify(body), { deadlineMs: 30_000 }));
    const firstCallMs = Number(process.hrtime.bigint() - t1) / 1e6;
    const cpuToFirstAnswerMs = readProcThreadsCpuMs(pid);
    const startupStderr = stderr;
    const t2 = process.hrtime.bigint();
    const cpu2 = readProcThreadsCpuMs(pid);
    asReport(await callFunction(socketPath, JSON.stringify(body), { deadlineMs: 30_000 }));
    const secondCallMs = Number(process.hrtime.bigint() - t2) / 1e6;
    const cpuAfterSecond = readProcThreadsCpuMs(pid);
    const secondCallCpuMs = cpuAfterSecond - cpu2;
    await new Promise((r) => setTimeout(r, 500));
    const idleRssMiB = mib((readProcMemory(pid)?.rssKb ?? 0) * 1024);
    const idleSplit = readResidentSplit(pid);
    const peakRssMiB = sampler.stop().peakRssMiB;
    let settledSplit: ResidentSplit | undefined;
    let afterIdleCallCpuMs: number | undefined;
    let idleCpuMs: number | undefined;
    if (options.settleMs !== undefined) {
      await new Promise((r) => setTimeout(r, Math.max(0, options.settleMs! - 500)));
      settledSplit = readResidentSplit(pid);
      const cpu3 = readProcThreadsCpuMs(pid);
      idleCpuMs = cpu3 - cpuAfterSecond;
      asReport(await callFunction(socketPath, JSON.stringify(body), { deadlineMs: 30_000 }));
      afterIdleCallCpuMs = readProcThreadsCpuMs(pid) - cpu3;
    }
    return {
      spawnToSocketMs, firstCallMs, secondCallMs, peakRssMiB, listeningRssMiB, idleRssMiB, idleSplit, settledSplit, startupStderr, cpuToSocketMs, cpuToFirstAnswerMs,
      secondCallCpuMs, afterIdleCallCpuMs, idleCpuMs,
    };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
