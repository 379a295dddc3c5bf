/**
 * Name ranges inside a big bucket (issue 12, part 2), end to end: dist/func.js
 * in containers the emulator starts, a rotation event, small ranges
 * (REENCRYPT_RANGE_SIZE) over names of every awkward kind with many versions
 * each. The emulator's per-version ReencryptObject counts prove each version
 * was handled exactly once; the run record's ranges prove the cover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedObject } from '../../emulator/src/index';
import { compareNames } from '../../src/sweep/range-listing';
import { eventually, keyVersionCounts, startStack, stateNames, stateRecord, type Stack } from '../support/stack';
import { describeRuns, expectRedoExplained, storedReports, watchTakeovers } from '../support/runs';

const LONG_AGO = Date.now() - 3_600_000;
const RANGE_SIZE = 25;
const MAX_WORKERS = 3;

/** Names OCI allows that are awkward for listing and ranges: unicode (astral and U+FFFD, which UTF-16 orders the other way), % + # & ' spaces, / segments, 1,024 bytes. */
function awkwardNames(): string[] {
  const pieces = ['%', '%25', '+', '#', '&', "'", ' ', '/', 'a/b/c/', 'é', 'données', '日本語', '\u{1F600}', '\uFFFD', '\u00A0', '~', '(x)', '='];
  const out = new Set<string>();
  for (let i = 0; i < 90; i++) {
    const a = pieces[i % pieces.length] as string;
    const b = pieces[(i * 7 + 3) % pieces.length] as string;
    out.add(`${a}${String(i).padStart(3, '0')}${b}`);
  }
  // 1,024 bytes each: 341 three-byte characters and one byte.
  for (const tail of ['a', 'b', 'c', 'z']) out.add(`${'日'.repeat(341)}${tail}`);
  out.add(`${'x'.repeat(1023)}'`);
  return [...out];
}

function seedAwkward(emu: Emulator, bucket: string, keyId: string, compartmentId: string): { versions: number; deleteMarkers: number } {
  emu.createBucket({ compartmentId, name: bucket, kmsKeyId: keyId, versioning: 'Enabled' });
  const enc = { kind: 'kms' as const, keyId };
  let versions = 0;
  let deleteMarkers = 0;
  const objects: SeedObject[] = awkwardNames().map((name, i) => {
    // 1 to 9 versions per name: with ranges of 25, many names' versions straddle where a cut would fall by count alone.
    const older = i % 9;
    versions += older + 1;
    const marker = i % 11 === 5;
    if (marker) deleteMarkers += 1;
    return {
      name, timeModified: LONG_AGO + i, encryption: enc,
      previousVersions: Array.from({ length: older }, (_, k) => ({ timeModified: LONG_AGO - 1000 * (k + 1), encryption: enc })),
      ...(marker && { deleteMarker: { timeModified: LONG_AGO + 10_000 } }),
    };
  });
  emu.seedObjects(bucket, objects);
  return { versions, deleteMarkers };
}

describe('a bucket split into name ranges', () => {
  let s: Stack;
  let seeded: { versions: number; deleteMarkers: number };
  beforeAll(async () => {
    s = await startStack({
      eventRules: true, timeoutSeconds: 5, env: { REENCRYPT_MAX_WORKERS: String(MAX_WORKERS), REENCRYPT_RANGE_SIZE: String(RANGE_SIZE) },
      // Holds of 30 s (3 checkpoints) outlast every 5 s invocation: a live worker, even starved, is not taken over (one that ends without saving is, once its hold expires).
      runs: { checkpointSeconds: 10, detachedTimeoutSeconds: 5, maxProcesses: MAX_WORKERS + 3 },
    });
    seeded = seedAwkward(s.emu, 'awkward', s.keyId, s.compartmentA);
  }, 120_000);
  afterAll(async () => s?.stop());

  it('handles each version exactly once, with ranges that cover the bucket without overlap and cut only between names', async () => {
    s.emu.resetCounters();
    const watch = watchTakeovers(s.emu);
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const report = await eventually(() => storedReports(s.emu)[0], 'the stored report');
    await s.emu.whenIdle();
    watch.stop();
    expect(storedReports(s.emu)).toHaveLength(1);
    // Every version exactly once (the emulator counts successful ReencryptObject calls per version), but
    // where a range's holder ended without saving (killed at its timeout on a starved machine) and the
    // range was taken over once its hold expired: the new holder redoes what was not saved.
    expectRedoExplained(s.emu, 'awkward', seeded.versions, watch.takeovers(), () => describeRuns(s.emu));
    expect(keyVersionCounts(s.emu, 'awkward')).toEqual({ [`kms:${newVersion}`]: seeded.versions });
    // One bucket entry summing its ranges; totals exact.
    expect(report.complete).toBe(true);
    expect(report.buckets).toHaveLength(1);
    const bucket = report.buckets[0];
    expect(bucket).toMatchObject({ bucketName: 'awkward', complete: true, reencrypted: seeded.versions, scanned: seeded.versions + seeded.deleteMarkers, failed: 0 });
    expect(bucket.skipped['delete-marker']).toBe(seeded.deleteMarkers);
    expect(report.totals.reencrypted).toBe(seeded.versions);
    // The ranges in the run record: contiguous from the first name to the end, boundaries on listed names in increasing order.
    const run = stateRecord(s.emu, `runs/${report.runId}/run.json`);
    const ranges = (run.units as { range?: { start?: string; end?: string }; of?: number }[]).filter((u) => u.of === 0).map((u) => u.range ?? {});
    expect(bucket.ranges).toBe(ranges.length);
    expect(ranges.length).toBeGreaterThan(10);
    expect(ranges[0]?.start).toBeUndefined();
    expect(ranges[ranges.length - 1]?.end).toBeUndefined();
    const names = new Set(awkwardNames());
    for (let i = 1; i < ranges.length; i++) {
      const start = ranges[i]?.start as string;
      expect(start).toBe(ranges[i - 1]?.end);
      expect(names.has(start)).toBe(true);
      if (i > 1) expect(compareNames(ranges[i - 1]?.start as string, start)).toBeLessThan(0);
    }
    // The run fanned out from its one bucket: more than one worker, never more than the cap.
    expect(run.workers).toBeGreaterThan(1);
    expect(run.workers).toBeLessThanOrEqual(MAX_WORKERS);
  }, 300_000);
});

describe('ranges spanning several listing pages, versioned and unversioned, with pages that ignore the name range (A31 switched)', () => {
  let s: Stack;
  const sizes = { 'multi-page-v': 4_000, 'multi-page-u': 3_000 };
  beforeAll(async () => {
    s = await startStack({
      // OCI may not keep `end` on later pages of ListObjectVersions (undocumented): the sweep must stop at its range's end itself.
      emulator: { assumptions: { versionPagesKeepNameRange: false } },
      eventRules: true, timeoutSeconds: 5, env: { REENCRYPT_MAX_WORKERS: String(MAX_WORKERS), REENCRYPT_RANGE_SIZE: '1500' },
      // Holds of 30 s (3 checkpoints) outlast every 5 s invocation: a live worker, even starved, is not taken over (one that ends without saving is, once its hold expires).
      runs: { checkpointSeconds: 10, detachedTimeoutSeconds: 5, maxProcesses: MAX_WORKERS + 3 },
    });
    const encryption = { kind: 'kms' as const, keyId: s.keyId };
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'multi-page-v', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('multi-page-v', { count: 2_000, extraVersions: 1, prefix: 'o/', timeModified: new Date(LONG_AGO).toISOString(), encryption });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'multi-page-u', kmsKeyId: s.keyId });
    s.emu.seedObjects('multi-page-u', { count: 3_000, prefix: 'o/', timeModified: new Date(LONG_AGO).toISOString(), encryption });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('handles each version exactly once', async () => {
    s.emu.resetCounters();
    const watch = watchTakeovers(s.emu);
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const report = await eventually(() => storedReports(s.emu)[0], 'the stored report');
    await s.emu.whenIdle();
    watch.stop();
    expect(report.complete).toBe(true);
    for (const [bucket, n] of Object.entries(sizes)) {
      // Exactly once, but what a takeover of an expired hold redoes (see the test above).
      expectRedoExplained(s.emu, bucket, n, watch.takeovers(), () => describeRuns(s.emu));
      expect(keyVersionCounts(s.emu, bucket)).toEqual({ [`kms:${newVersion}`]: n });
      const entry = report.buckets.find((b: { bucketName: string }) => b.bucketName === bucket);
      expect(entry).toMatchObject({ complete: true, reencrypted: n, scanned: n });
      expect(entry.ranges).toBe(Math.ceil(n / 1500));
    }
    expect(report.totals.reencrypted).toBe(4_000 + 3_000);
  }, 300_000);
});

describe('SIGKILL of the invocation running a bucket\'s listing pass', () => {
  let s: Stack;
  const VERSIONS = 8_000;
  beforeAll(async () => {
    s = await startStack({
      eventRules: true, timeoutSeconds: 30, env: { REENCRYPT_MAX_WORKERS: String(MAX_WORKERS), REENCRYPT_RANGE_SIZE: '1000' },
      // Holds of 6 s: the killed listing is taken over soon; a live worker starved that long is unlikely.
      runs: { checkpointSeconds: 2, detachedTimeoutSeconds: 30, maxProcesses: MAX_WORKERS + 3, failureDestination: true },
    });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'kill-list', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('kill-list', { count: VERSIONS / 2, extraVersions: 1, prefix: 'o/', timeModified: new Date(LONG_AGO).toISOString(), encryption: { kind: 'kms', keyId: s.keyId } });
    // Slow pages of this bucket's listing: the kill lands while ranges are still being handed out.
    s.emu.setRouteFaults('ListObjectVersions@kill-list', { latencyMs: 400 });
  }, 120_000);
  afterAll(async () => s?.stop());

  it('the listing resumes where its last range ended: every version exactly once, ranges still a cover', async () => {
    s.emu.resetCounters();
    const pool = s.emu.functions.functions.get(s.functionId)?.pool;
    if (!pool) throw new Error('the stack runs the function in a pool');
    const watch = watchTakeovers(s.emu);
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const runName = await eventually(() => stateNames(s.emu, 'runs/').find((n) => n.endsWith('/run.json')), 'the run');
    // Two ranges handed out, the listing not done: kill whoever holds the bucket's unit.
    await eventually(() => ((stateRecord(s.emu, runName)?.units.length ?? 0) >= 3 ? true : undefined), 'two ranges');
    const listingUnit = runName.replace('run.json', 'units/00000.json');
    const held = stateRecord(s.emu, listingUnit);
    expect(held).toMatchObject({ state: 'held', listing: true });
    const lister = pool.live.find((c) => c.busyWith !== undefined && !c.busyWith.includes('"resume"'));
    if (!lister) throw new Error('the planner (the event\'s invocation) runs the listing of a one-bucket run');
    lister.process.kill('SIGKILL');
    const report = await eventually(() => storedReports(s.emu)[0], 'the stored report');
    await s.emu.whenIdle();
    watch.stop();
    s.emu.setRouteFaults('ListObjectVersions@kill-list', undefined);
    expect(report.complete).toBe(true);
    // The killed listing's takeover redoes no re-encryption (it hands out ranges): every version exactly
    // once, but what a takeover of a range's expired hold redoes (a range worker killed at its timeout).
    expectRedoExplained(s.emu, 'kill-list', VERSIONS, watch.takeovers(), () => describeRuns(s.emu));
    expect(keyVersionCounts(s.emu, 'kill-list')).toEqual({ [`kms:${newVersion}`]: VERSIONS });
    expect(report.totals.reencrypted).toBe(VERSIONS);
    // Another invocation took the listing over after the kill and finished it.
    expect(stateRecord(s.emu, listingUnit)).toMatchObject({ state: 'done', listing: true });
    expect(stateRecord(s.emu, listingUnit).invocations).toBeGreaterThanOrEqual(2);
    const ranges = (stateRecord(s.emu, runName).units as { range?: { start?: string; end?: string }; of?: number }[]).filter((u) => u.of === 0).map((u) => u.range ?? {});
    expect(ranges.length).toBe(VERSIONS / 1000);
    expect(ranges[0]?.start).toBeUndefined();
    expect(ranges[ranges.length - 1]?.end).toBeUndefined();
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
  }, 300_000);
});
