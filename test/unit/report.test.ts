import { describe, expect, it } from 'vitest';
import { SkipReason } from '../../src/decide/decide-object';
import type { CallFailure } from '../../src/oci/errors';
import { BucketTally, emptySkips, totalsOf, type BucketReport } from '../../src/report/report';

const BUCKET = { namespace: 'examplens', name: 'finance-data', kmsKeyId: 'ocid1.key.oc1..k', versioned: true };

function tally(o: { maxFailures?: number; maxPlan?: number; dryRun?: boolean; prefix?: string } = {}): BucketTally {
  return new BucketTally(BUCKET, o.prefix, { maxFailures: o.maxFailures ?? 3, maxPlan: o.maxPlan ?? 3, dryRun: o.dryRun ?? false });
}

function failure(overrides: Partial<CallFailure> = {}): CallFailure {
  return { status: 500, serviceCode: 'InternalServerError', message: 'boom', opcRequestId: 'req-1', outOfTime: false, ...overrides };
}

function report(overrides: Partial<BucketReport> = {}): BucketReport {
  return { ...tally().toReport(true), ...overrides };
}

describe('BucketTally', () => {
  it('starts empty, with a zero count for every skip reason', () => {
    const r = tally().toReport(true);
    expect(r).toMatchObject({
      namespace: 'examplens', bucketName: 'finance-data', kmsKeyId: 'ocid1.key.oc1..k', versioned: true, prefix: null,
      scanned: 0, reencrypted: 0, planned: 0, failed: 0, failures: [], failuresTruncated: false, complete: true,
    });
    expect(r.skipped).toEqual(Object.fromEntries(Object.values(SkipReason).map((reason) => [reason, 0])));
    expect(r).not.toHaveProperty('plan');
    expect(r).not.toHaveProperty('error');
    expect(r).not.toHaveProperty('skippedBecause');
  });

  it('reports kmsKeyId null for a bucket without one, and the prefix', () => {
    const t = new BucketTally({ namespace: 'n', name: 'b', versioned: false }, 'logs/', { maxFailures: 1, maxPlan: 1, dryRun: false });
    expect(t.toReport(false)).toMatchObject({ kmsKeyId: null, prefix: 'logs/', complete: false, versioned: false });
  });

  it('counts skips by reason', () => {
    const t = tally();
    t.skip(SkipReason.compliant);
    t.skip(SkipReason.compliant);
    t.skip(SkipReason.archived);
    expect(t.toReport(true).skipped).toMatchObject({ compliant: 2, archived: 1, 'not-found': 0 });
  });

  it.each<[number, number, number, boolean]>([
    // [maxFailures, failures, listed, truncated]
    [3, 0, 0, false], [3, 2, 2, false], [3, 3, 3, false], [3, 4, 3, true], [3, 100, 3, true], [0, 5, 0, true],
  ])('with maxFailures %i and %i failures lists %i, truncated=%s, and counts every one', (maxFailures, count, listed, truncated) => {
    const t = tally({ maxFailures });
    for (let i = 0; i < count; i += 1) t.fail(`o${i}`, `v${i}`, failure());
    const r = t.toReport(true);
    expect(r.failed).toBe(count);
    expect(r.failures).toHaveLength(listed);
    expect(r.failuresTruncated).toBe(truncated);
    expect(r.failures.map((f) => f.objectName)).toEqual(Array.from({ length: listed }, (_, i) => `o${i}`));
  });

  it('records a failure with nulls for what is unknown', () => {
    const t = tally();
    t.fail('a b&c', undefined, { message: 'socket hang up', serviceCode: 'ECONNRESET', outOfTime: false });
    expect(t.toReport(true).failures).toEqual([
      { objectName: 'a b&c', versionId: null, status: null, serviceCode: 'ECONNRESET', opcRequestId: null, message: 'socket hang up' },
    ]);
  });

  it.each<[number, number]>([[299, 299], [300, 300], [301, 300], [5_000, 300]])('cuts a %i-character message to %i characters', (length, kept) => {
    const t = tally();
    const message = 'x'.repeat(length);
    t.fail('o', 'v', failure({ message }));
    expect(t.toReport(true).failures[0]?.message).toBe(message.slice(0, kept));
  });

  it.each<[number, number, number, boolean]>([
    [3, 0, 0, false], [3, 3, 3, false], [3, 4, 3, true], [0, 2, 0, true],
  ])('in a dry run with maxPlan %i and %i planned lists %i, truncated=%s, and counts every one', (maxPlan, count, listed, truncated) => {
    const t = tally({ maxPlan, dryRun: true });
    for (let i = 0; i < count; i += 1) t.plannedVersion(`o${i}`, i % 2 === 0 ? `v${i}` : undefined);
    const r = t.toReport(true);
    expect(r.planned).toBe(count);
    expect(r.plan).toHaveLength(listed);
    expect(r.planTruncated).toBe(truncated);
    expect(r.plan?.[1]).toEqual(listed > 1 ? { objectName: 'o1', versionId: null } : undefined);
  });

  it('leaves the plan out of a real run\'s report', () => {
    const t = tally({ dryRun: false });
    t.plannedVersion('o', 'v');
    expect(t.toReport(true)).not.toHaveProperty('plan');
    expect(t.toReport(true)).not.toHaveProperty('planTruncated');
  });

  it('includes a bucket error and a whole-bucket skip reason when set', () => {
    const t = tally();
    t.error = { status: 404, serviceCode: 'BucketNotFound', message: 'gone', opcRequestId: null };
    t.skippedBecause = SkipReason.oracleManagedKey;
    expect(t.toReport(false)).toMatchObject({ error: t.error, skippedBecause: 'oracle-managed-key' });
  });

  it('returns a snapshot: later outcomes do not change an earlier report', () => {
    const t = tally({ dryRun: true });
    const before = t.toReport(false);
    t.skip(SkipReason.compliant);
    t.fail('o', 'v', failure());
    t.plannedVersion('o', 'v');
    expect(before.skipped.compliant).toBe(0);
    expect(before.failures).toEqual([]);
    expect(before.plan).toEqual([]);
  });
});

describe('totalsOf', () => {
  it('sums counts and skips over buckets', () => {
    const a = report({ scanned: 10, reencrypted: 4, planned: 0, failed: 1, skipped: { ...emptySkips(), compliant: 5 } });
    const b = report({ scanned: 7, reencrypted: 0, planned: 6, failed: 0, skipped: { ...emptySkips(), compliant: 1, archived: 2 } });
    expect(totalsOf([a, b])).toEqual({
      buckets: 2, scanned: 17, reencrypted: 4, planned: 6, failed: 1, skipped: { ...emptySkips(), compliant: 6, archived: 2 }, bucketsReencryptedByWorkRequest: 0,
    });
  });

  it('counts buckets whose work request COMPLETED apart, and invents no version counts for them', () => {
    const wr = (status: string) => ({ requestedAt: '2026-11-30T00:00:00.000Z', calls: 1, id: `wr-${status}`, status, percentComplete: status === 'COMPLETED' ? 100 : 40, caveat: 'c' });
    const done = { ...report({ scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips() }), workRequest: wr('COMPLETED') };
    const failed = { ...report({ scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips() }), workRequest: wr('FAILED') };
    const objects = report({ scanned: 3, reencrypted: 3, planned: 0, failed: 0, skipped: emptySkips() });
    const totals = totalsOf([done, failed, objects]);
    expect(totals.bucketsReencryptedByWorkRequest).toBe(1);
    expect(totals.reencrypted).toBe(3);
    expect(totals.scanned).toBe(3);
  });

  it('gives zeros for no buckets', () => {
    expect(totalsOf([])).toEqual({ buckets: 0, scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips(), bucketsReencryptedByWorkRequest: 0 });
  });

  it('counts every failure, not just those listed', () => {
    const t = tally({ maxFailures: 1 });
    for (let i = 0; i < 5; i += 1) t.fail(`o${i}`, undefined, failure());
    expect(totalsOf([t.toReport(true)]).failed).toBe(5);
  });
});
