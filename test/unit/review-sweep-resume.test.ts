import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { OciCallError } from '../../src/oci/errors';
import type { ListedPage, ListedVersion, ObjectStorage, ReencryptTarget } from '../../src/oci/object-storage';
import { BucketTally } from '../../src/report/report';
import { decodeContinuation, encodeContinuation } from '../../src/sweep/continuation';
import { sweepBucket, type SweepOutcome } from '../../src/sweep/sweep-bucket';

/**
 * A bucket listed like ListObjects (unversioned) or ListObjectVersions
 * (versioned): pages of `pageSize` starting at a name, whose "next" is the
 * next name. Objects can be deleted between invocations, as lifecycle rules
 * and users do while a continuation waits to be resumed.
 */
class FakeBucket {
  readonly reencrypted: string[] = [];
  /** Re-encryptions after this many calls answer "out of time" (the deadline hit mid-page). */
  budget = Infinity;
  constructor(public items: ListedVersion[], private readonly pageSize: number) {}

  private page(start: string | undefined): ListedPage {
    const from = start === undefined ? 0 : this.items.findIndex((i) => i.name >= start);
    const at = from === -1 ? this.items.length : from;
    const items = this.items.slice(at, at + this.pageSize);
    const next = this.items[at + this.pageSize];
    return { items, ...(next && { next: next.name }) };
  }

  readonly api = {
    listObjectsPage: async (_ns: string, _b: string, _p: string | undefined, start: string | undefined) => this.page(start),
    listVersionsPage: async (_ns: string, _b: string, _p: string | undefined, start: string | undefined) => this.page(start),
    reencryptObject: async (t: ReencryptTarget) => {
      if (this.budget <= 0) {
        throw new OciCallError('ReencryptObject', { message: 'out of time', outOfTime: true });
      }
      this.budget -= 1;
      this.reencrypted.push(t.versionId ? `${t.objectName}#${t.versionId}` : t.objectName);
      return {};
    },
  } as unknown as ObjectStorage;
}

const OLD = new Date('2026-01-01T00:00:00Z');
const names = (n: number) => Array.from({ length: n }, (_, i) => `obj-${String(i).padStart(3, '0')}`);

async function sweep(fake: FakeBucket, versioned: boolean, position: { start?: string; offset: number }): Promise<SweepOutcome> {
  const bucket = { namespace: 'ns', name: 'b', compartmentId: 'ocid1.compartment.oc1..x', kmsKeyId: 'ocid1.key.oc1..k', versioned };
  return sweepBucket(
    { bucket, watermark: { type: 'all' }, position, tally: new BucketTally(bucket, undefined, { maxFailures: 10, maxPlan: 0, dryRun: false }) },
    // Concurrency 1 keeps the order of re-encryptions deterministic.
    { objectStorage: fake.api, limit: pLimit(1), stopStartingAt: Date.now() + 60_000, dryRun: false, logger: createLogger('error') },
  );
}

describe.each([false, true])('sweepBucket resume (versioned=%s)', (versioned) => {
  it('re-encrypts every remaining object after a done object of the stopped page is deleted before the resume', async () => {
    const all = names(10);
    const fake = new FakeBucket(all.map((name) => ({
      name, isDeleteMarker: false, timeModified: OLD, ...(versioned && { versionId: `v-${name}` }),
    })), 5);
    fake.budget = 7; // page 1 (5 objects) done, then 2 of page 2: stops mid-page at obj-007
    const first = await sweep(fake, versioned, { offset: 0 });
    expect(first.state).toBe('stopped');
    // The position goes through the continuation, as between two invocations.
    const token = encodeContinuation({
      v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun: false, before: null, watermarkSource: 'force',
      buckets: [{ name: 'b', position: (first as { position: { start?: string; offset: number } }).position }],
    });
    const position = decodeContinuation(token).buckets[0]!.position;

    // A lifecycle rule deletes obj-005, already re-encrypted, before the resume.
    fake.items = fake.items.filter((i) => i.name !== 'obj-005');
    fake.budget = Infinity;
    const second = await sweep(fake, versioned, position);
    expect(second.state).toBe('complete');

    const done = new Set(fake.reencrypted.map((r) => r.split('#')[0]));
    const missed = all.filter((n) => n !== 'obj-005' && !done.has(n));
    expect(missed).toEqual([]);
  });
});
