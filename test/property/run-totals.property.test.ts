/**
 * Report totals over interrupted runs (issue 8, items 3 and 5c), in-process
 * against the emulator: a generated bucket (versions, delete markers, archived
 * and SSE-C versions, awkward names), a generated Fn-Deadline and call latency
 * so that sweeps stop anywhere; the continuation is sent back until the run
 * completes. The sum of the invocations' reports equals the emulator's truth,
 * counter by counter. Few cases by default (each is a few real invocations);
 * FC_RUNS=n for more.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedObject, SeedVersion } from '../../emulator/src/index';
import { fcParams } from '../support/fast-check';
import { startInProcess, type InProcess } from '../support/in-process';
import { addTotals, emptyTotals, groundTruth } from '../support/run-totals';

const MAX_INVOCATIONS = 80;
type Kind = 'old' | 'new' | 'archived' | 'sse-c';
const NAME_SHAPES = [
  (n: number) => `plain/${n}`,
  (n: number) => `with space/file ${n}.txt`,
  (n: number) => `a&b/c#d/${n}+plus`,
  (n: number) => `pct%20/${n}%?query=1`,
  (n: number) => `unicode/données/日本語/${n}-✓`,
  (n: number) => `it's (${n})*!$,;=:@ o'clock`,
];

const layout: fc.Arbitrary<Layout> = fc.record({
  versioned: fc.boolean(),
  objects: fc.array(fc.record({
    shape: fc.nat(NAME_SHAPES.length - 1),
    newest: fc.constantFrom<Kind>('old', 'old', 'new', 'archived', 'sse-c'),
    previous: fc.array(fc.constantFrom<Kind>('old', 'new', 'archived', 'sse-c'), { maxLength: 2 }),
    deleteMarker: fc.boolean(),
  }), { minLength: 12, maxLength: 40, size: 'max' }),
});

interface Layout { versioned: boolean; objects: { shape: number; newest: Kind; previous: Kind[]; deleteMarker: boolean }[] }

/** Always among the cases, whatever the seed: 28 calls of at least 60 ms each, one at a time, never fit in one invocation. */
const INTERRUPTED: Layout = {
  versioned: true,
  objects: Array.from({ length: 20 }, (_, i) => ({
    shape: i % NAME_SHAPES.length, newest: (['old', 'archived', 'old', 'new', 'sse-c'] as const)[i % 5]!, previous: ['old'], deleteMarker: i % 3 === 0,
  })),
};

const PARAMS = fcParams<[Layout, boolean, boolean, number, number]>(5, { endOnFailure: true, examples: [[INTERRUPTED, false, false, 700, 60]] });

describe('a run summed over its interrupted invocations', () => {
  let h: InProcess;
  let runs = 0;
  /** Runs that needed more than one invocation: the point of the test. */
  let interrupted = 0;
  const now = Date.now();
  const watermark = new Date(now - 1_800_000);
  beforeAll(async () => {
    h = await startInProcess({ REENCRYPT_CONCURRENCY: '1' });
    // The container's first invocation loads and compiles what every later one reuses (modules, validators,
    // clients, the signing key) and looks up the namespace: a cold start that, on a loaded machine, alone
    // outlasted a generated 700 ms deadline (DeadlineExceeded before the sweep began). Paid here, with time
    // to spare, as a warm container would have; the generated deadlines then cut the sweeps, as meant.
    h.emu.createBucket({ compartmentId: h.compartmentId, name: 'warm-up', kmsKeyId: h.keyId, versioning: 'Enabled' });
    h.emu.seedObjects('warm-up', { count: 2, timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: h.keyId } });
    const { body: warm } = await h.invoke(JSON.stringify({ bucketName: 'warm-up', force: true }), { deadlineMs: 55_000 });
    expect(warm).toMatchObject({ ok: true, complete: true, totals: { reencrypted: 2 } });
  });
  afterAll(async () => h?.stop());

  function version(kind: Kind, i: number): SeedVersion {
    const timeModified = kind === 'new' ? watermark.getTime() + 1000 + i : now - 3_600_000 + i;
    if (kind === 'archived') return { timeModified, storageTier: 'Archive', archivalState: 'Archived', encryption: { kind: 'kms', keyId: h.keyId } };
    if (kind === 'sse-c') return { timeModified, encryption: { kind: 'sse-c', keySha256: 'c2VlZC1zc2UtYy1rZXktc2hhMjU2LXBsYWNlaG9sZGVyPQ==' } };
    return { timeModified, encryption: { kind: 'kms', keyId: h.keyId } };
  }

  it('equals the bucket for every counter', async () => {
    await fc.assert(fc.asyncProperty(
      // Mostly real runs: a dry run makes no ReencryptObject calls, so it is rarely interrupted.
      layout, fc.boolean(), fc.integer({ min: 0, max: 3 }).map((n) => n === 0), fc.integer({ min: 700, max: 1200 }), fc.integer({ min: 30, max: 60 }),
      async ({ versioned, objects }, force, dryRun, deadlineMs, latencyMs) => {
        runs += 1;
        const bucket = `run-${runs}`;
        h.emu.createBucket({ compartmentId: h.compartmentId, name: bucket, kmsKeyId: h.keyId, versioning: versioned ? 'Enabled' : 'Disabled' });
        h.emu.seedObjects(bucket, objects.map((o, i): SeedObject => ({
          name: NAME_SHAPES[o.shape]!(i), ...version(o.newest, i),
          ...(versioned && { previousVersions: o.previous.map((k, j) => ({ ...version(k, i), timeModified: now - 7_200_000 + i * 10 + j })) }),
          ...(versioned && o.deleteMarker && { deleteMarker: true }),
        })));
        h.emu.setRouteFaults('ReencryptObject', { latencyMs });
        h.emu.setRouteFaults('ListObjectVersions', { latencyMs });
        const truth = groundTruth(h.emu, bucket, force ? null : watermark, dryRun);

        const sum = emptyTotals();
        let invocations = 0;
        let body: object = { bucketName: bucket, dryRun, ...(force ? { force: true } : { before: watermark.toISOString() }) };
        for (let invocation = 1; ; invocation += 1) {
          expect(invocation).toBeLessThanOrEqual(MAX_INVOCATIONS);
          const { body: report } = await h.invoke(JSON.stringify(body), { deadlineMs });
          expect(report).toMatchObject({ ok: true });
          const r = report as { totals: Parameters<typeof addTotals>[1]; continuation: string | null; complete: boolean };
          addTotals(sum, r.totals);
          if (!r.continuation) {
            expect(r.complete).toBe(true);
            invocations = invocation;
            break;
          }
          body = { continuation: r.continuation };
        }
        expect(sum).toEqual(truth);
        if (invocations > 1) interrupted += 1;
      },
    ), PARAMS);
    expect(interrupted).toBeGreaterThan(0);
  }, 60_000 + (PARAMS.numRuns ?? 5) * 15_000);
});
