/**
 * sweepBucket's counts over a run (issue 8, item 3), with an in-memory bucket
 * so that thousands of interruptions run in a second: calls finish out of
 * order and any of them may run out of time while later ones complete. Summed
 * over the invocations of a run, every counter equals the bucket's truth.
 */
import fc from 'fast-check';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { emptySkips } from '../../src/report/report';
import { createLogger } from '../../src/log';
import { OciCallError } from '../../src/oci/errors';
import type { ListedPage, ListedVersion, ObjectStorage } from '../../src/oci/object-storage';
import { BucketTally, type BucketReport } from '../../src/report/report';
import { decodeContinuation, encodeContinuation, type SweepPosition } from '../../src/sweep/continuation';
import { sweepBucket } from '../../src/sweep/sweep-bucket';
import { fcParams, turns } from '../support/fast-check';
import { version, WATERMARK, type Kind } from '../support/listed-versions';


/** One invocation's luck: for its n-th ReencryptObject call, how long it takes and whether it runs out of time. */
interface CallPlan { readonly delayTurns: number; readonly outOfTime: boolean }

function fakeStorage(items: readonly ListedVersion[], kinds: readonly Kind[], pageSize: number, calls: () => CallPlan) {
  const page = (start: string | undefined): ListedPage => {
    const at = start === undefined ? 0 : Number(start);
    return { items: items.slice(at, at + pageSize), ...(at + pageSize < items.length && { next: String(at + pageSize) }) };
  };
  return {
    listObjectsPage: async (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
    listVersionsPage: async (_n: string, _b: string, _p: unknown, start: string | undefined) => page(start),
    reencryptObject: async ({ versionId }: { versionId?: string }) => {
      const { delayTurns, outOfTime } = calls();
      await turns(delayTurns);
      if (outOfTime) throw new OciCallError('ReencryptObject', { message: 'out of time', outOfTime: true });
      if (kinds[Number(versionId?.slice(1))] === 'sse-c') {
        throw new OciCallError('ReencryptObject', { message: 'encrypted with a customer-provided key', status: 409, serviceCode: 'Conflict', outOfTime: false });
      }
      return {};
    },
  } as unknown as ObjectStorage;
}

function truthOf(kinds: readonly Kind[], dryRun: boolean) {
  const skipped = emptySkips();
  let reencrypted = 0; let planned = 0;
  for (const k of kinds) {
    if (k === 'delete-marker') skipped['delete-marker'] += 1;
    else if (k === 'archived') skipped.archived += 1;
    else if (k === 'new') skipped.compliant += 1;
    else if (dryRun) planned += 1;
    else if (k === 'sse-c') skipped['sse-c-key-required'] += 1;
    else reencrypted += 1;
  }
  return { scanned: kinds.length, reencrypted, planned, failed: 0, skipped };
}

describe('sweepBucket counts over a run with interruptions', () => {
  it('summed over the invocations, every counter equals the bucket', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom<Kind>('old', 'old', 'new', 'delete-marker', 'archived', 'sse-c'), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 1, max: 25 }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
      // Per call: a delay of 0-3 turns of the event loop, and out of time with probability ~1/4.
      fc.infiniteStream(fc.record({ delayTurns: fc.integer({ min: 0, max: 3 }), outOfTime: fc.integer({ min: 0, max: 3 }).map((n) => n === 0) })),
      async (kinds, pageSize, concurrency, dryRun, luck) => {
        const items = kinds.map(version);
        let callInInvocation = 0;
        const calls = luck[Symbol.iterator]();
        // The first call of each invocation succeeds, so every invocation makes progress.
        const next = (): CallPlan => {
          const plan = calls.next().value as CallPlan;
          callInInvocation += 1;
          return callInInvocation === 1 ? { ...plan, outOfTime: false } : plan;
        };
        const storage = fakeStorage(items, kinds, pageSize, next);
        const bucket = { namespace: 'ns', name: 'b', compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: 'ocid1.key.oc1..k', versioned: true };
        const sum = { scanned: 0, reencrypted: 0, planned: 0, failed: 0, skipped: emptySkips() };
        let position: SweepPosition = { offset: 0 };
        for (let invocation = 0; ; invocation += 1) {
          expect(invocation).toBeLessThan(kinds.length + 5);
          callInInvocation = 0;
          const tally = new BucketTally(bucket, undefined, { maxFailures: 10, maxPlan: 100, dryRun });
          const outcome = await sweepBucket({ bucket, watermark: { type: 'before', at: WATERMARK }, position, tally }, {
            objectStorage: storage, limit: pLimit(concurrency), stopStartingAt: Date.now() + 60_000, dryRun, logger: createLogger('error'),
          });
          const r: BucketReport = tally.toReport(outcome.state === 'complete');
          sum.scanned += r.scanned; sum.reencrypted += r.reencrypted; sum.planned += r.planned; sum.failed += r.failed;
          for (const k of Object.keys(sum.skipped) as (keyof typeof sum.skipped)[]) sum.skipped[k] += r.skipped[k];
          if (outcome.state !== 'stopped') break;
          // Between invocations the position travels in a continuation.
          position = decodeContinuation(encodeContinuation({
            v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun, before: null, watermarkSource: 'force', buckets: [{ name: 'b', position: outcome.position }],
          })).buckets[0]!.position;
        }
        expect(sum).toEqual(truthOf(kinds, dryRun));
      },
    ), fcParams(150));
  });
});
