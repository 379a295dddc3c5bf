import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../src/decide/watermark';
import type { RunContext } from '../../src/engine/context';
import { MAX_CONTINUATION_LENGTH, sweepTargets } from '../../src/engine/sweep';
import { classify } from '../../src/input/classify';
import { createLogger } from '../../src/log';
import type { BucketFacts } from '../../src/oci/object-storage';
import { decodeContinuation } from '../../src/sweep/continuation';

/** A context whose time is already up: every bucket stops before its first listing. */
function outOfTime(): RunContext {
  return {
    config: { maxFailuresReported: 10 }, objectStorage: {}, limit: pLimit(4), logger: createLogger('error', {}, () => undefined), notes: [],
    budget: { startedAt: 0, deadline: 0, stopStartingAt: 0, hardStopAt: 0 },
  } as unknown as RunContext;
}

const bucket = (i: number): BucketFacts => ({
  namespace: 'ns', name: `${'finance-archive-'.repeat(15)}${i}`, compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: 'ocid1.key.oc1..k', versioned: false,
});

describe('sweepTargets with more pending buckets than a continuation holds', () => {
  it('issues a continuation the edge accepts, reports the rest by name and marks the run incomplete', async () => {
    const targets = Array.from({ length: 1500 }, (_, i) => ({ bucket: bucket(i) }));
    const ctx = outOfTime();
    const result = await sweepTargets({ trigger: 'manual:key', namespace: 'ns', dryRun: false, watermark: EVERYTHING, targets }, ctx);
    expect(result.incomplete).toBe(true);
    expect(result.continuation!.length).toBeLessThanOrEqual(MAX_CONTINUATION_LENGTH);
    expect(classify({ continuation: result.continuation })).toMatchObject({ scope: { type: 'continuation' } });
    const carried = decodeContinuation(result.continuation!).buckets.length;
    expect(carried).toBeGreaterThan(0);
    expect(carried).toBeLessThan(1500);
    expect(ctx.notes.join('\n')).toContain(`${1500 - carried} pending bucket(s) did not fit in the continuation`);
    expect(result.buckets.every((b) => !b.complete)).toBe(true);
  });

  it('carries every pending bucket when they fit, and the run is not marked incomplete for it', async () => {
    const ctx = outOfTime();
    const result = await sweepTargets({ trigger: 'manual:key', namespace: 'ns', dryRun: false, watermark: EVERYTHING, targets: [{ bucket: bucket(1) }, { bucket: bucket(2) }] }, ctx);
    expect(result.incomplete).toBeUndefined();
    expect(decodeContinuation(result.continuation!).buckets.map((b) => b.name)).toEqual([bucket(1).name, bucket(2).name]);
    expect(ctx.notes).toEqual([]);
  });
});

describe('sweepTargets without a state bucket names the strategy', () => {
  const ctxWith = (strategy: string): RunContext => ({ ...outOfTime(), config: { maxFailuresReported: 10, strategy, bucketStrategyMinObjects: 1 } } as unknown as RunContext);

  it('a dry run says versions are listed and why a real run would not use bucket either', async () => {
    const result = await sweepTargets({ trigger: 'manual:bucket', namespace: 'ns', dryRun: true, watermark: EVERYTHING, targets: [{ bucket: bucket(1) }], strategy: 'auto' }, ctxWith('objects'));
    expect(result.buckets[0]?.strategy).toMatchObject({ used: 'objects', wouldUse: 'objects' });
    expect(result.buckets[0]?.strategy?.reason).toMatch(/strategy auto \(request\): .*needs REENCRYPT_STATE_BUCKET/);
  });

  it('REENCRYPT_STRATEGY=bucket falls back to objects, saying why', async () => {
    const result = await sweepTargets({ trigger: 'manual:key', namespace: 'ns', dryRun: false, watermark: EVERYTHING, targets: [{ bucket: bucket(1) }] }, ctxWith('bucket'));
    expect(result.buckets[0]?.strategy).toEqual({ used: 'objects', reason: expect.stringMatching(/^strategy bucket \(REENCRYPT_STRATEGY\): .*REENCRYPT_STATE_BUCKET/) });
  });
});
