import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { chooseStrategy, STRATEGY_NAMES, type StrategyInput } from '../../src/decide/strategy';
import { InvalidConfigurationError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { routeUnit, type StrategyAsk } from '../../src/runs/bucket-unit';
import { newUnit } from '../../src/runs/model';
import { fcParams } from '../support/fast-check';
import { problemsOf } from '../support/invalid-input';

const KEY = 'ocid1.key.oc1.phx.aaaa.kkkk';

/** A whole-bucket rotation sweep of a big bucket under a Vault key, in a durable run: bucket unless something excludes it. */
function input(over: Partial<StrategyInput> = {}): StrategyInput {
  return {
    requested: 'auto', source: 'request', dryRun: false, explicitBefore: false, singleObject: false,
    kmsKeyId: KEY, approximateCount: 250_000, minObjects: 100_000, canFollowWorkRequests: true, ...over,
  };
}

describe('chooseStrategy', () => {
  it.each([
    ['auto, big bucket', {}, 'bucket'],
    ['auto, exactly at the threshold', { approximateCount: 100_000 }, 'bucket'],
    ['auto, one object below the threshold', { approximateCount: 99_999 }, 'objects'],
    ['auto, count unknown', { approximateCount: undefined }, 'objects'],
    ['auto, prefix', { prefix: 'logs/' }, 'objects'],
    ['auto, before from the request', { explicitBefore: true }, 'objects'],
    ['auto, Oracle-managed key', { kmsKeyId: undefined }, 'objects'],
    ['auto, single object', { singleObject: true }, 'objects'],
    ['auto, no state bucket', { canFollowWorkRequests: false }, 'objects'],
    ['objects, big bucket', { requested: 'objects' }, 'objects'],
    ['bucket, small bucket (the threshold is for auto only)', { requested: 'bucket', approximateCount: 3 }, 'bucket'],
    ['bucket, count unknown', { requested: 'bucket', approximateCount: undefined }, 'bucket'],
    ['bucket, Oracle-managed key', { requested: 'bucket', kmsKeyId: undefined }, 'impossible'],
    ['bucket, prefix', { requested: 'bucket', prefix: 'p' }, 'impossible'],
    ['bucket, before from the request', { requested: 'bucket', explicitBefore: true }, 'impossible'],
    ['bucket, single object', { requested: 'bucket', singleObject: true }, 'impossible'],
    ['bucket, no state bucket', { requested: 'bucket', canFollowWorkRequests: false }, 'impossible'],
    ['bucket as the configured default, Oracle-managed key: falls back', { requested: 'bucket', source: 'REENCRYPT_STRATEGY', kmsKeyId: undefined }, 'objects'],
    ['bucket as the configured default, prefix: falls back', { requested: 'bucket', source: 'REENCRYPT_STRATEGY', prefix: 'p' }, 'objects'],
    ['bucket as the configured default, whole bucket', { requested: 'bucket', source: 'REENCRYPT_STRATEGY' }, 'bucket'],
  ] as const)('%s: %s', (_name, over, kind) => {
    const d = chooseStrategy(input(over as Partial<StrategyInput>));
    expect(d.kind).toBe(kind);
    expect(d.reason.length).toBeGreaterThan(10);
  });

  it('says why, naming the source and the threshold', () => {
    expect(chooseStrategy(input({ source: 'REENCRYPT_STRATEGY' })).reason).toMatch(/strategy auto \(REENCRYPT_STRATEGY\).*250000.*100000/);
    expect(chooseStrategy(input({ approximateCount: 5 })).reason).toMatch(/about 5 objects, fewer than REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS \(100000\)/);
    expect(chooseStrategy(input({ requested: 'bucket', source: 'request', kmsKeyId: undefined })).reason).toMatch(/strategy bucket \(request\) cannot be used: .*no kmsKeyId/);
    expect(chooseStrategy(input({ prefix: 'logs/' })).reason).toContain("prefix 'logs/'");
  });

  it('a dry run lists versions and names what a real run would use', () => {
    const d = chooseStrategy(input({ dryRun: true }));
    expect(d).toMatchObject({ kind: 'objects', wouldUse: 'bucket' });
    expect(d.reason).toMatch(/^dry run .*a real run: bucket/);
    expect(chooseStrategy(input({ dryRun: true, approximateCount: 10 }))).toMatchObject({ kind: 'objects', wouldUse: 'objects' });
    expect(chooseStrategy(input({ dryRun: true, requested: 'bucket', kmsKeyId: undefined }))).toMatchObject({ kind: 'objects', wouldUse: 'impossible' });
  });

  const anyInput: fc.Arbitrary<StrategyInput> = fc.record({
    requested: fc.constantFrom(...STRATEGY_NAMES),
    source: fc.constantFrom('request' as const, 'REENCRYPT_STRATEGY' as const),
    dryRun: fc.boolean(),
    prefix: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
    explicitBefore: fc.boolean(),
    singleObject: fc.boolean(),
    kmsKeyId: fc.option(fc.constant(KEY), { nil: undefined }),
    approximateCount: fc.option(fc.nat({ max: 10_000_000 }), { nil: undefined }),
    minObjects: fc.integer({ min: 1, max: 10_000_000 }),
    canFollowWorkRequests: fc.boolean(),
  });
  const excluded = (i: StrategyInput): boolean =>
    i.dryRun || i.prefix !== undefined || i.explicitBefore || i.singleObject || !i.kmsKeyId || !i.canFollowWorkRequests;

  it('never chooses bucket when any exclusion holds (prefix, before, dry run, single object, no kmsKeyId, no state)', () => {
    fc.assert(fc.property(anyInput, (i) => {
      const d = chooseStrategy(i);
      if (excluded(i)) expect(d.kind).not.toBe('bucket');
      // ...and is impossible (an error) rather than a fallback exactly when a request demanded bucket.
      if (!i.dryRun) expect(d.kind === 'impossible').toBe(excluded(i) && i.requested === 'bucket' && i.source === 'request');
      if (i.requested === 'objects') expect(d.kind).toBe('objects');
      if (!excluded(i) && i.requested === 'auto') {
        expect(d.kind).toBe(i.approximateCount !== undefined && i.approximateCount >= i.minObjects ? 'bucket' : 'objects');
      }
      if (!excluded(i) && i.requested === 'bucket') expect(d.kind).toBe('bucket');
    }), fcParams(2000));
  });
});

describe('routeUnit', () => {
  const ask: StrategyAsk = { requested: 'auto', source: 'REENCRYPT_STRATEGY', explicitBefore: false, dryRun: false, minObjects: 100 };
  const facts = { namespace: 'ns', name: 'b', compartmentId: 'c', kmsKeyId: KEY, versioned: true, approximateCount: 500 };

  it('decides once and stores the decision in the unit', () => {
    const r = routeUnit(newUnit({ bucketName: 'b' }, 0), facts, ask);
    expect(r.kind).toBe('bucket');
    expect(r.unit.strategy).toMatchObject({ used: 'bucket' });
    // A unit decided objects keeps it, whatever the bucket has become.
    const decided = routeUnit(newUnit({ bucketName: 'b' }, 0), { ...facts, approximateCount: 5 }, ask);
    expect(decided.kind).toBe('objects');
    expect(routeUnit(decided.unit, facts, ask).kind).toBe('objects');
  });

  it('keeps following a work request it started', () => {
    const unit = { ...newUnit({ bucketName: 'b' }, 0), workRequest: { requestedAt: 'x', calls: 1, id: 'wr' } };
    expect(routeUnit(unit, 'not-found', ask).kind).toBe('bucket');
  });

  it('a prefix unit is never a bucket unit, and an explicit bucket there is impossible', () => {
    expect(routeUnit(newUnit({ bucketName: 'b', prefix: 'p/' }, 0), facts, ask).kind).toBe('objects');
    expect(routeUnit(newUnit({ bucketName: 'b', prefix: 'p/' }, 0), facts, { ...ask, requested: 'bucket', source: 'request' }).kind).toBe('impossible');
    expect(routeUnit(newUnit({ bucketName: 'b', prefix: 'p/' }, 0), facts, { ...ask, requested: 'bucket' }).kind).toBe('objects');
  });

  it('leaves a bucket it could not read to the objects path (which reports it)', () => {
    expect(routeUnit(newUnit({ bucketName: 'b' }, 0), 'not-found', ask).kind).toBe('objects');
    expect(routeUnit(newUnit({ bucketName: 'b' }, 0), { failure: {} }, ask).kind).toBe('objects');
  });
});

describe('strategy in manual requests', () => {

  it.each(STRATEGY_NAMES)('a bucket or key sweep may name strategy %s', (strategy) => {
    expect(classify({ bucketName: 'b', strategy })).toMatchObject({ scope: { type: 'bucket' }, strategy });
    expect(classify({ kmsKeyId: KEY, strategy })).toMatchObject({ scope: { type: 'key' }, strategy });
  });

  it('absent: no strategy (the configured default applies)', () => {
    expect(classify({ bucketName: 'b' })).not.toHaveProperty('strategy');
  });

  it.each([
    [{ bucketName: 'b', strategy: 'fast' }, 'strategy'],
    [{ bucketName: 'b', strategy: 'bucket', prefix: 'p/' }, 'strategy'],
    [{ bucketName: 'b', strategy: 'bucket', before: '2026-01-01T00:00:00Z' }, 'strategy'],
    [{ kmsKeyId: KEY, strategy: 'bucket', before: '2026-01-01T00:00:00Z' }, 'strategy'],
    [{ bucketName: 'b', objectName: 'o', strategy: 'objects' }, 'strategy'],
    [{ continuation: 'abc', strategy: 'auto' }, 'strategy'],
    [{ runId: 'r1', strategy: 'auto' }, 'strategy'],
  ])('refuses %j, naming %s', (body, field) => {
    const problems = problemsOf(body);
    expect(problems.map((p) => p.field)).toContain(field);
  });

  it('auto with a prefix or before is allowed: it simply picks objects', () => {
    expect(classify({ bucketName: 'b', strategy: 'auto', prefix: 'p/' })).toMatchObject({ strategy: 'auto' });
    expect(classify({ bucketName: 'b', strategy: 'auto', before: '2026-01-01T00:00:00Z' })).toMatchObject({ strategy: 'auto' });
  });
});

describe('strategy configuration', () => {
  it('defaults to objects with a threshold of 100,000', () => {
    const c = loadConfig({});
    expect(c.strategy).toBe('objects');
    expect(c.bucketStrategyMinObjects).toBe(100_000);
  });

  it('reads REENCRYPT_STRATEGY and REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS', () => {
    const c = loadConfig({ REENCRYPT_STRATEGY: 'auto', REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS: '5000' });
    expect(c.strategy).toBe('auto');
    expect(c.bucketStrategyMinObjects).toBe(5000);
  });

  it.each([
    ['REENCRYPT_STRATEGY', 'whole'],
    ['REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS', '0'],
    ['REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS', '1.5'],
    ['REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS', 'many'],
  ])('refuses %s=%s, naming the key', (key, value) => {
    try {
      loadConfig({ [key]: value });
      throw new Error('expected InvalidConfigurationError');
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigurationError);
      expect((err as InvalidConfigurationError).details.map((d) => d.field)).toContain(key);
    }
  });
});
