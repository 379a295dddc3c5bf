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

/** Samples the state bucket every `everyMs`: the most units in state `held` at once, over every run. */
export function watchHolds(emu: Emulator, everyMs = 25): { peak: () => number; stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => {
    const held = stateNames(emu, 'runs/').filter((n) => n.includes('/units/')).filter((n) => stateRecord(emu, n)?.state === 'held').length;
    peak = Math.max(peak, held);
  }, everyMs);
  return { peak: () => peak, stop: () => clearInterval(timer) };
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
  const out: string[] = [`now ${new Date().toISOString()}`];
  for (const name of stateNames(emu, 'runs/').filter((n) => n.endsWith('/run.json'))) {
    const { units: _specs, trigger: _trigger, notes: _notes, ...run } = stateRecord(emu, name) ?? {};
    out.push(`${name}: ${JSON.stringify(run)}`);
  }
  for (const name of stateNames(emu, 'runs/').filter((n) => n.includes('/units/'))) {
    const u = stateRecord(emu, name);
    out.push(`${name}: ${JSON.stringify({ bucket: u?.bucketName, state: u?.state, hold: u?.hold, position: u?.position, scanned: u?.counts?.scanned, reencrypted: u?.counts?.reencrypted, invocations: u?.invocations, noProgress: u?.noProgress, reason: u?.reason, updatedAt: u?.updatedAt })}`);
  }
  out.push(`open markers: ${JSON.stringify(stateNames(emu, 'unfinished/'))}`);
  const fns = emu.functions;
  out.push(`invocations (${fns.invocations.length}), failure records published: ${fns.published.length}, delivery attempts: ${fns.deliveryAttempts}, throttled: ${fns.throttled}`);
  for (const i of fns.invocations.filter((r) => r.functionId === functionId)) {
    out.push(`  ${i.callId} ${i.invokeType}/${i.via} ${i.startedAt.toISOString()} -> ${i.finishedAt?.toISOString() ?? 'running'} status=${i.status ?? '-'} error=${i.error ?? '-'} body=${i.requestBody.slice(0, 200)} answer=${(i.responseBody ?? '').slice(0, 300)}`);
  }
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
