/**
 * What the durable-run end-to-end tests share: buckets seeded as a rotation
 * finds them, the reports the function stored, and a watch on held units.
 */
import type { Emulator } from '../../emulator/src/index';
import { eventually, stateNames, stateRecord } from './stack';

/** Versions written an hour ago, before any rotation a test performs. */
const WRITTEN_AT = Date.now() - 3_600_000;

/** A versioned bucket under `keyId` holding `versions` versions (two per object). */
export function seedVersionedBucket(emu: Emulator, name: string, keyId: string, compartmentId: string, versions: number): void {
  emu.createBucket({ compartmentId, name, kmsKeyId: keyId, versioning: 'Enabled' });
  emu.seedObjects(name, {
    count: versions / 2, extraVersions: 1, prefix: `${name}/obj-`, timeModified: new Date(WRITTEN_AT).toISOString(),
    encryption: { kind: 'kms', keyId },
  });
}

/** Every final report stored in the state bucket. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- report shape asserted in tests
export function storedReports(emu: Emulator): Record<string, any>[] {
  return stateNames(emu, 'runs/').filter((n) => n.endsWith('/report.json')).map((n) => stateRecord(emu, n));
}

/**
 * Samples the state bucket every `everyMs`: the most units held at once by an invocation that
 * is still running, over every run. A hold's owner is the Fn call id of the invocation that
 * took it. A unit whose holder has ended (killed, timed out on a loaded machine) stays `held`
 * until its lease runs out and another worker takes it over; such a hold is not work being
 * done, so it is counted apart (`peakWithEnded` counts every `held` record).
 */
export function watchHolds(emu: Emulator, everyMs = 25): { peak: () => number; peakWithEnded: () => number; stop: () => void } {
  let peak = 0;
  let peakWithEnded = 0;
  const timer = setInterval(() => {
    const running = new Set(emu.functions.invocations.filter((i) => i.finishedAt === undefined).map((i) => i.callId));
    const held = stateNames(emu, 'runs/').filter((n) => n.includes('/units/')).map((n) => stateRecord(emu, n)).filter((u) => u?.state === 'held');
    peak = Math.max(peak, held.filter((u) => running.has(u.hold?.owner)).length);
    peakWithEnded = Math.max(peakWithEnded, held.length);
  }, everyMs);
  return { peak: () => peak, peakWithEnded: () => peakWithEnded, stop: () => clearInterval(timer) };
}

/**
 * What a stuck run looks like, for a test's failure message: every run and unit record in the
 * state bucket (state, hold, position, counts) and the function's invocations (how each was
 * called, for what, how it ended), oldest first, the last `lastInvocations` of them.
 */
export function describeRuns(emu: Emulator, lastInvocations = 60): string {
  const now = Date.now();
  const lines = [`state at ${new Date(now).toISOString()}:`];
  for (const name of stateNames(emu, 'runs/')) {
    const r = stateRecord(emu, name);
    if (name.endsWith('/run.json')) lines.push(`  ${name}: state=${r?.state} workers=${r?.workers} invocations=${r?.invocations} units=${r?.units?.length}`);
    else if (name.includes('/units/')) {
      const hold = r?.hold ? ` hold=${r.hold.owner} until ${r.hold.until} (${Date.parse(r.hold.until) - now} ms from now)` : '';
      lines.push(`  ${name}: ${r?.bucketName} ${r?.state}${hold} position=${JSON.stringify(r?.position)} reencrypted=${r?.counts?.reencrypted} invocations=${r?.invocations}${r?.listing ? ' listing' : ''}`);
    } else lines.push(`  ${name}`);
  }
  for (const name of stateNames(emu, 'unfinished/')) lines.push(`  ${name}`);
  const calls = emu.functions.invocations.slice(-lastInvocations);
  lines.push(`function invocations (last ${calls.length} of ${emu.functions.invocations.length}; throttled ${emu.functions.throttled}, published ${emu.functions.published.length}):`);
  for (const i of calls) {
    const ended = i.finishedAt ? `${i.finishedAt.getTime() - i.startedAt.getTime()} ms, ${i.status ?? i.error}` : 'running';
    lines.push(`  ${i.startedAt.toISOString()} ${i.callId} ${i.invokeType}/${i.via} ${i.requestBody.slice(0, 80)} -> ${ended} ${(i.responseBody ?? '').slice(0, 160)}`);
  }
  return lines.join('\n');
}

/** The tail of a long text: diagnostics stay readable in a CI log. */
function tail(lines: readonly string[], n: number): string[] {
  return lines.length > n ? [`... ${lines.length - n} earlier lines`, ...lines.slice(-n)] : [...lines];
}

/**
 * Everything needed to explain a run that did not end: each run's record, each unit's state,
 * hold and position, the function's invocations (body, status, start, finish), failure
 * records published, and the last lines of every live container's output.
 */
export function runDiagnostics(emu: Emulator, functionId: string): string {
  const out: string[] = [describeRuns(emu, 200), `failure records published: ${emu.functions.published.length}, delivery attempts: ${emu.functions.deliveryAttempts}`];
  const fns = emu.functions;
  const pool = fns.functions.get(functionId)?.pool;
  for (const [n, c] of (pool?.live ?? []).entries()) {
    out.push(`container ${n} (pid ${c.process.pid}, busy with ${c.busyWith?.slice(0, 120) ?? 'nothing'}):`, ...tail(c.output, 40).map((l) => `  ${l.slice(0, 400)}`));
  }
  return out.join('\n');
}

/**
 * Polls like `eventually`, but a run that does not get there fails with its diagnostics
 * (runDiagnostics) instead of a bare timeout. The limit is a hang guard, not a timing assertion:
 * keep it well below the test's own timeout so the diagnostics get printed.
 */
export async function eventuallyInRun<T>(emu: Emulator, functionId: string, probe: () => T | undefined, what: string, limitMs: number): Promise<T> {
  try {
    return await eventually(probe, what, limitMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- run diagnostics ---\n${runDiagnostics(emu, functionId)}`);
  }
}
