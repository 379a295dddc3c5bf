/**
 * sweepBucket with listing pipelined into the work (issue 11, target 2): while a
 * page's calls run, the next page is listed and its items queue behind them, so
 * several pages' calls finish interleaved. With small pages, many calls in
 * flight, listings that are slow, run out of time or fail, calls that run out of
 * time, and an operator's stop at any call, over a run of invocations:
 * - no position (a stop, or a checkpoint from onPageDone) is past a version not
 *   yet done, and at a checkpoint the tally counts exactly the versions before it;
 * - a failed listing leaves the tally at the last checkpoint, from which a run resumes;
 * - nothing is in flight when sweepBucket returns, and a page is listed only once
 *   every call of the page two before it has ended (at most two pages held);
 * - summed over the invocations, every counter equals the bucket.
 */
import fc from 'fast-check';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { OciCallError } from '../../src/oci/errors';
import type { ListedPage, ListedVersion, ObjectStorage } from '../../src/oci/object-storage';
import { BucketTally, emptySkips, type BucketReport } from '../../src/report/report';
import { decodeContinuation, encodeContinuation, type SweepPosition } from '../../src/sweep/continuation';
import { sweepBucket } from '../../src/sweep/sweep-bucket';
import { fcParams, turns } from '../support/fast-check';
import { version, WATERMARK, type Kind } from '../support/listed-versions';


interface CallLuck { readonly delayTurns: number; readonly outOfTime: boolean }
interface ListLuck { readonly delayTurns: number; readonly result: 'ok' | 'out-of-time' | 'failed' }

type Counts = { -readonly [K in 'scanned' | 'reencrypted' | 'planned' | 'failed' | 'skipped']: BucketReport[K] };
const zero = (): Counts => ({ scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips() });
function add(sum: Counts, r: Counts): void {
  sum.scanned += r.scanned; sum.reencrypted += r.reencrypted; sum.planned += r.planned; sum.failed += r.failed;
  for (const k of Object.keys(sum.skipped) as (keyof Counts['skipped'])[]) sum.skipped[k] += r.skipped[k];
}
const countsOf = (r: BucketReport): Counts => ({ scanned: r.scanned, reencrypted: r.reencrypted, planned: r.planned, failed: r.failed, skipped: { ...r.skipped } });

function truthOf(kinds: readonly Kind[], dryRun: boolean): Counts {
  const t = zero();
  for (const k of kinds) {
    if (k === 'delete-marker') t.skipped['delete-marker'] += 1;
    else if (k === 'archived') t.skipped.archived += 1;
    else if (k === 'new') t.skipped.compliant += 1;
    else if (dryRun) t.planned += 1;
    else if (k === 'sse-c') t.skipped['sse-c-key-required'] += 1;
    else t.reencrypted += 1;
  }
  t.scanned = kinds.length;
  return t;
}

const indexOf = (p: SweepPosition): number => (p.start === undefined ? 0 : Number(p.start)) + p.offset;

describe('sweepBucket with pipelined listing, over a run with interruptions', () => {
  it('never passes an unfinished version, holds at most two pages, and its counters add up to the bucket', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom<Kind>('old', 'old', 'old', 'new', 'delete-marker', 'archived', 'sse-c'), { minLength: 1, maxLength: 80 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      fc.infiniteStream(fc.record({ delayTurns: fc.integer({ min: 0, max: 3 }), outOfTime: fc.integer({ min: 0, max: 5 }).map((n) => n === 0) })),
      fc.infiniteStream(fc.record({
        delayTurns: fc.integer({ min: 0, max: 4 }),
        result: fc.integer({ min: 0, max: 9 }).map((n): ListLuck['result'] => (n === 0 ? 'out-of-time' : n === 1 ? 'failed' : 'ok')),
      })),
      // An operator's stop when the n-th call of an invocation starts (none: 0).
      fc.infiniteStream(fc.integer({ min: 0, max: 30 })),
      async (kinds, pageSize, concurrency, dryRun, callLuck, listLuck, stops) => {
        const items = kinds.map(version);
        const reencryptable = (i: number) => !dryRun && (kinds[i] === 'old' || kinds[i] === 'sse-c');
        const calls = callLuck[Symbol.iterator]();
        const lists = listLuck[Symbol.iterator]();
        const stopAt = stops[Symbol.iterator]();
        /** Versions whose re-encryption has answered (done, or refused for an SSE-C key), in any invocation. */
        const answered = new Set<number>();
        const pending = new Set<number>();
        let listingsInFlight = 0;
        let inv = { calls: 0, listings: 0, stopAfter: 0, stop: new AbortController() };

        const page = async (start: string | undefined): Promise<ListedPage> => {
          const at = start === undefined ? 0 : Number(start);
          // At most two pages held: the page two before this one has no call left running.
          for (const i of pending) expect(i).toBeGreaterThanOrEqual(at - pageSize);
          inv.listings += 1;
          const luck = lists.next().value as ListLuck;
          listingsInFlight += 1;
          await turns(luck.delayTurns);
          listingsInFlight -= 1;
          // The first listing of an invocation succeeds, so that every invocation makes progress.
          if (inv.listings > 1 && luck.result === 'out-of-time') throw new OciCallError('ListObjectVersions', { message: 'out of time', outOfTime: true });
          if (inv.listings > 1 && luck.result === 'failed') {
            throw new OciCallError('ListObjectVersions', { message: 'internal error', status: 500, serviceCode: 'InternalServerError', outOfTime: false });
          }
          return { items: items.slice(at, at + pageSize), ...(at + pageSize < items.length && { next: String(at + pageSize) }) };
        };
        const storage = {
          listObjectsPage: async (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
          listVersionsPage: async (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
          reencryptObject: async ({ versionId }: { versionId?: string }) => {
            const i = Number(versionId?.slice(1));
            inv.calls += 1;
            const first = inv.calls === 1;
            if (inv.calls === inv.stopAfter) inv.stop.abort();
            const luck = calls.next().value as CallLuck;
            pending.add(i);
            await turns(luck.delayTurns);
            pending.delete(i);
            // The first call of each invocation succeeds, so that every invocation makes progress.
            if (luck.outOfTime && !first) throw new OciCallError('ReencryptObject', { message: 'out of time', outOfTime: true });
            answered.add(i);
            if (kinds[i] === 'sse-c') {
              throw new OciCallError('ReencryptObject', { message: 'encrypted with a customer-provided key', status: 409, serviceCode: 'Conflict', outOfTime: false });
            }
            return {};
          },
        } as unknown as ObjectStorage;
        /** Every version before `index` is done (skips need no call). */
        const doneBefore = (index: number) => {
          for (let i = 0; i < index; i += 1) if (reencryptable(i)) expect(answered.has(i)).toBe(true);
        };

        const bucket = { namespace: 'ns', name: 'b', compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: 'ocid1.key.oc1..k', versioned: true };
        const sum = zero();
        let position: SweepPosition = { offset: 0 };
        for (let invocation = 0; ; invocation += 1) {
          expect(invocation).toBeLessThan(kinds.length + 5);
          inv = { calls: 0, listings: 0, stopAfter: stopAt.next().value as number, stop: new AbortController() };
          const from = indexOf(position);
          const tally = new BucketTally(bucket, undefined, { maxFailures: 100, maxPlan: 100, dryRun });
          let checkpoint: { position: SweepPosition; counts: Counts } = { position, counts: zero() };
          const outcome = await sweepBucket({ bucket, watermark: { type: 'before', at: WATERMARK }, position, tally }, {
            objectStorage: storage, limit: pLimit(concurrency), stopStartingAt: Date.now() + 60_000, stopSignal: inv.stop.signal, dryRun,
            logger: createLogger('error'),
            onPageDone(next) {
              doneBefore(indexOf(next));
              const counts = countsOf(tally.toReport(false));
              expect(counts.scanned).toBe(indexOf(next) - from);
              checkpoint = { position: next, counts };
            },
          });
          expect(pending.size).toBe(0);
          expect(listingsInFlight).toBe(0);
          if (outcome.state === 'failed') {
            // The tally stands at the last checkpoint; a run resumes from there (src/runs/worker.ts).
            expect(countsOf(tally.toReport(false))).toEqual(checkpoint.counts);
            expect(tally.error?.status).toBe(500);
            add(sum, checkpoint.counts);
            position = checkpoint.position;
            continue;
          }
          add(sum, countsOf(tally.toReport(outcome.state === 'complete')));
          if (outcome.state === 'complete') break;
          doneBefore(indexOf(outcome.position));
          expect(indexOf(outcome.position)).toBeGreaterThan(from);
          position = decodeContinuation(encodeContinuation({
            v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun, before: null, watermarkSource: 'force', buckets: [{ name: 'b', position: outcome.position }],
          })).buckets[0]!.position;
        }
        expect(sum).toEqual(truthOf(kinds, dryRun));
      },
    ), fcParams(120));
  });
});
