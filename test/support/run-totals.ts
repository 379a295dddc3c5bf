/**
 * Run totals against ground truth: a run is one request plus the continuations
 * that resume it; the sum of its invocations' reports must equal what the
 * emulator holds, counter by counter.
 */
import type { Emulator } from '../../emulator/src/index';
import type { SkipReason } from '../../src/decide/decide-object';

export interface RunTotals {
  scanned: number;
  reencrypted: number;
  planned: number;
  failed: number;
  skipped: Partial<Record<SkipReason, number>>;
}

interface ReportTotals { scanned: number; reencrypted: number; planned: number; failed: number; skipped: Record<string, number> }

export function emptyTotals(): RunTotals {
  return { scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: {} };
}

/** Adds one invocation's report totals to the run's. */
export function addTotals(sum: RunTotals, t: ReportTotals): void {
  sum.scanned += t.scanned;
  sum.reencrypted += t.reencrypted;
  sum.planned += t.planned;
  sum.failed += t.failed;
  for (const [reason, n] of Object.entries(t.skipped)) {
    if (n > 0) sum.skipped[reason as SkipReason] = (sum.skipped[reason as SkipReason] ?? 0) + n;
  }
}

/**
 * What a sweep of the whole bucket with watermark `before` (null: force) must
 * report, from the emulator's own records: every version and delete marker is
 * scanned once and lands in exactly one counter.
 */
export function groundTruth(emu: Emulator, bucket: string, before: Date | null, dryRun = false): RunTotals {
  const truth = emptyTotals();
  const skip = (reason: SkipReason) => { truth.skipped[reason] = (truth.skipped[reason] ?? 0) + 1; };
  for (const row of emu.iterateEncryption(bucket, { includeVersions: true })) {
    truth.scanned += 1;
    if (row.isDeleteMarker) skip('delete-marker');
    else if (row.archivalState === 'Archived' || row.archivalState === 'Restoring') skip('archived');
    else if (before !== null && row.timeModified.getTime() >= before.getTime()) skip('compliant');
    else if (dryRun) truth.planned += 1;
    else if (row.encryption.kind === 'sse-c') skip('sse-c-key-required');
    else truth.reencrypted += 1;
  }
  return truth;
}
