/**
 * sweepBucket lists the next page while the current page's calls run (issue 11,
 * target 2): the shared limiter stays busy across page boundaries instead of
 * draining at each one and waiting for a listing round trip. Counted in event-loop
 * turns, never in time: a listing takes one turn, a re-encryption three.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import type { ListedPage, ListedVersion, ObjectStorage } from '../../src/oci/object-storage';
import { BucketTally } from '../../src/report/report';
import { sweepBucket } from '../../src/sweep/sweep-bucket';

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};

function bucketOf(count: number, pageSize: number) {
  const items: ListedVersion[] = Array.from({ length: count }, (_, i) => ({
    name: `o/${String(i).padStart(4, '0')}`, versionId: `v${i}`, isDeleteMarker: false, timeModified: new Date('2026-01-01T00:00:00Z'),
  }));
  const trace = { inFlight: 0, drainedBetweenCalls: 0, callsDone: 0, listings: [] as { page: number; callsDoneBefore: number }[] };
  const page = async (start: string | undefined): Promise<ListedPage> => {
    const at = start === undefined ? 0 : Number(start);
    trace.listings.push({ page: at / pageSize, callsDoneBefore: trace.callsDone });
    await turns(1);
    return { items: items.slice(at, at + pageSize), ...(at + pageSize < items.length && { next: String(at + pageSize) }) };
  };
  const storage = {
    listObjectsPage: (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
    listVersionsPage: (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
    reencryptObject: async () => {
      trace.inFlight += 1;
      await turns(3);
      trace.inFlight -= 1;
      trace.callsDone += 1;
      // Nothing in flight while versions remain: the limiter drained.
      if (trace.inFlight === 0 && trace.callsDone < count) trace.drainedBetweenCalls += 1;
      return {};
    },
  } as unknown as ObjectStorage;
  return { storage, trace };
}

async function sweep(storage: ObjectStorage, concurrency: number, onPageDone?: (p: { start?: string; offset: number }) => void) {
  const bucket = { namespace: 'ns', name: 'b', compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: 'ocid1.key.oc1..k', versioned: true };
  const tally = new BucketTally(bucket, undefined, { maxFailures: 10, maxPlan: 0, dryRun: false });
  const outcome = await sweepBucket({ bucket, watermark: { type: 'all' }, position: { offset: 0 }, tally }, {
    objectStorage: storage, limit: pLimit(concurrency), stopStartingAt: Date.now() + 60_000, dryRun: false, logger: createLogger('error'),
    ...(onPageDone && { onPageDone }),
  });
  return { outcome, tally };
}

describe('sweepBucket pipelines listing with re-encryption', () => {
  it('keeps calls in flight across every page boundary', async () => {
    const { storage, trace } = bucketOf(40, 8);
    const { outcome, tally } = await sweep(storage, 4);
    expect(outcome).toEqual({ state: 'complete' });
    expect(tally.reencrypted).toBe(40);
    expect(trace.drainedBetweenCalls).toBe(0);
  });

  it('lists the next page while the current page has calls in flight, and never holds more than two pages', async () => {
    const { storage, trace } = bucketOf(40, 8);
    await sweep(storage, 4);
    expect(trace.listings.map((l) => l.page)).toEqual([0, 1, 2, 3, 4]);
    for (const l of trace.listings.slice(1)) {
      // Page k+1 is asked for before page k's calls have all ended (pages 0..k hold (k+1) * 8 versions) ...
      expect(l.callsDoneBefore).toBeLessThan(l.page * 8);
      // ... and page k+2 only once every call of page k has ended (pages 0..k: (k+1) * 8 calls).
      if (l.page >= 2) expect(l.callsDoneBefore).toBeGreaterThanOrEqual((l.page - 1) * 8);
    }
  });

  it('reports a page done only when it and every page before it are done, in order', async () => {
    const { storage, trace } = bucketOf(40, 8);
    const seen: { start?: string; callsDone: number }[] = [];
    await sweep(storage, 4, (p) => seen.push({ ...(p.start !== undefined && { start: p.start }), callsDone: trace.callsDone }));
    expect(seen.map((s) => s.start)).toEqual(['8', '16', '24', '32']);
    for (const s of seen) expect(s.callsDone).toBeGreaterThanOrEqual(Number(s.start));
  });
});
