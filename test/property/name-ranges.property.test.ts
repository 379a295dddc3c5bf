/**
 * Name ranges (issue 12, part 2): cutting a bucket's listing into ranges.
 * Pure functions over generated sorted name lists with version counts: the
 * ranges never overlap, cover every name exactly once, cut only between two
 * names (never inside one name's versions), hand out at least the range size
 * (at most the size plus one name's versions), and a listing resumed at any
 * boundary cuts the rest exactly as the uninterrupted one did. The report of
 * a split bucket sums its ranges exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptySkips, type BucketReport } from '../../src/report/report';
import { foldRanges } from '../../src/runs/ranges';
import type { UnitSpec } from '../../src/runs/model';
import { compareNames, cutRanges, inRange, type NameRange } from '../../src/sweep/range-listing';
import { fcParams } from '../support/fast-check';

/** Characters OCI allows in names that are awkward for a listing: unicode (astral too), % + # & ' space / and plain ASCII. */
const awkwardChar = fc.constantFrom('a', 'b', 'z', '0', '9', '%', '+', '#', '&', "'", ' ', '/', '~', 'é', '日', '\u{1F600}', '\uFFFD', '\u00A0', '-', '.');
const name = fc.oneof(
  { weight: 8, arbitrary: fc.array(awkwardChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')) },
  // Up to OCI's 1,024-byte limit: 341 three-byte characters and a one-byte tail.
  { weight: 1, arbitrary: fc.nat(20).map((n) => `${'日'.repeat(341)}${String.fromCharCode(97 + n)}`) },
);

/** A bucket as its listing shows it: distinct names in OCI order (UTF-8 bytes), each with its number of versions. */
const bucket = fc.uniqueArray(fc.record({ name, versions: fc.integer({ min: 1, max: 6 }) }), { selector: (o) => o.name, maxLength: 120 })
  .map((objects) => [...objects].sort((a, b) => compareNames(a.name, b.name)));

const entriesOf = (objects: readonly { name: string; versions: number }[]): string[] => objects.flatMap((o) => Array<string>(o.versions).fill(o.name));

describe('cutting a listing into name ranges', () => {
  it('covers every name exactly once, cuts only between names, and hands out about the range size', () => {
    fc.assert(fc.property(bucket, fc.integer({ min: 1, max: 40 }), (objects, size) => {
      const ranges = cutRanges(entriesOf(objects), size);
      // Contiguous: open at both ends, each range starts where the one before ends.
      expect(ranges[0]?.start).toBeUndefined();
      expect(ranges[ranges.length - 1]?.end).toBeUndefined();
      for (let i = 1; i < ranges.length; i++) {
        expect(ranges[i]?.start).toBe(ranges[i - 1]?.end);
        // Strictly increasing boundaries: no empty or overlapping range.
        if (i < ranges.length - 1) expect(compareNames(ranges[i]?.start as string, ranges[i]?.end as string)).toBeLessThan(0);
      }
      // Every boundary is a listed name: a cut falls between two names, never inside one name's versions.
      const names = new Set(objects.map((o) => o.name));
      for (const r of ranges.slice(1)) expect(names.has(r.start as string)).toBe(true);
      // Each name (with all its versions) in exactly one range; per-range entry counts.
      const perRange = ranges.map(() => 0);
      for (const o of objects) {
        const holders = ranges.flatMap((r, i) => (inRange(o.name, r) ? [i] : []));
        expect(holders).toHaveLength(1);
        perRange[holders[0] as number] = (perRange[holders[0] as number] ?? 0) + o.versions;
      }
      expect(perRange.reduce((a, b) => a + b, 0)).toBe(entriesOf(objects).length);
      // Every range but the last holds at least `size` entries and at most `size` plus one name's versions less one.
      for (const n of perRange.slice(0, -1)) {
        expect(n).toBeGreaterThanOrEqual(size);
        expect(n).toBeLessThan(size + 6);
      }
    }), fcParams(300));
  });

  it('resumed at any boundary (a listing pass killed and started again), cuts the rest exactly as before', () => {
    fc.assert(fc.property(bucket, fc.integer({ min: 1, max: 30 }), fc.nat(), (objects, size, pick) => {
      const whole = cutRanges(entriesOf(objects), size);
      const at = pick % whole.length;
      const from = whole[at]?.start;
      const rest = objects.filter((o) => from === undefined || compareNames(o.name, from) >= 0);
      expect(cutRanges(entriesOf(rest), size, from)).toEqual(whole.slice(at));
    }), fcParams(300));
  });

  it('a name ordering that UTF-16 gets wrong (astral vs U+FFFD) is ordered by UTF-8 bytes', () => {
    const range: NameRange = { start: '\uFFFD', end: '\u{1F600}' };
    expect(inRange('\uFFFDx', range)).toBe(true);
    expect(inRange('\u{1F600}', range)).toBe(false);
    expect(compareNames('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFFFD').toBe(true); // what a plain string comparison would say
  });
});

describe('the report of a bucket split into ranges', () => {
  const counts = fc.record({ scanned: fc.nat(1000), reencrypted: fc.nat(1000), planned: fc.nat(10), failed: fc.nat(5), complete: fc.boolean() });
  it('is one entry per bucket whose counts are the sums of its ranges', () => {
    fc.assert(fc.property(fc.array(fc.array(counts, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), (buckets) => {
      const specs: UnitSpec[] = [];
      const reports: BucketReport[] = [];
      const report = (bucketName: string, c: { scanned: number; reencrypted: number; planned: number; failed: number; complete: boolean }): BucketReport => ({
        namespace: 'ns', bucketName, kmsKeyId: 'k', versioned: true, prefix: null, ...c, skipped: { ...emptySkips(), 'delete-marker': c.planned },
        failures: Array.from({ length: c.failed }, (_, i) => ({ objectName: `${bucketName}-${i}`, versionId: null, status: 500, serviceCode: null, opcRequestId: null, message: 'x' })),
        failuresTruncated: false,
      });
      // Listing units first, then their ranges interleaved across buckets, as listing passes append them.
      buckets.forEach((_, b) => {
        specs.push({ bucketName: `b${b}` });
        reports.push(report(`b${b}`, { scanned: 0, reencrypted: 0, planned: 0, failed: 0, complete: true }));
      });
      const longest = Math.max(...buckets.map((r) => r.length));
      for (let i = 0; i < longest; i++) {
        buckets.forEach((ranges, b) => {
          const c = ranges[i];
          if (!c) return;
          specs.push({ bucketName: `b${b}`, range: {}, of: b });
          reports.push(report(`b${b}`, c));
        });
      }
      const folded = foldRanges(specs, reports, 3);
      expect(folded.map((r) => r.bucketName)).toEqual(buckets.map((_, b) => `b${b}`));
      buckets.forEach((ranges, b) => {
        const r = folded[b];
        const sum = (k: 'scanned' | 'reencrypted' | 'failed') => ranges.reduce((n, c) => n + c[k], 0);
        expect(r?.scanned).toBe(sum('scanned'));
        expect(r?.reencrypted).toBe(sum('reencrypted'));
        expect(r?.failed).toBe(sum('failed'));
        expect(r?.skipped['delete-marker']).toBe(ranges.reduce((n, c) => n + c.planned, 0));
        expect(r?.failures.length).toBe(Math.min(3, sum('failed')));
        expect(r?.failuresTruncated).toBe(sum('failed') > 3);
        expect(r?.complete).toBe(ranges.every((c) => c.complete));
        expect(r?.ranges).toBe(ranges.length > 0 ? ranges.length : undefined);
      });
    }), fcParams(200));
  });
});
