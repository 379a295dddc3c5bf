import { describe, expect, it } from 'vitest';
import { matchCondition } from '../src/events';
import { FaultInjector } from '../src/faults';
import { Query } from '../src/http';
import { ObjectStore } from '../src/object-store';
import { compareCodePoint } from '../src/util';
import { ObjectVersion } from '../src/version';

const version = (): ObjectVersion => new ObjectVersion(undefined, undefined, '', 0, 0, 0, 'Standard', undefined, { kind: 'oracle' }, false, undefined, undefined);

describe('matchCondition', () => {
  const event = { eventType: 'com.oraclecloud.objectstorage.createobject', data: { compartmentId: 'c1', additionalDetails: { bucketName: 'b1', namespace: 'ns' } } };
  it.each([
    [{}, true],
    [{ eventType: 'com.oraclecloud.objectstorage.createobject' }, true],
    [{ eventType: ['x', 'com.oraclecloud.objectstorage.*'] }, true],
    [{ data: { additionalDetails: { bucketName: ['b2', 'b1'] } } }, true],
    [{ data: { additionalDetails: { bucketName: 'b*' } } }, true],
    [{ data: { additionalDetails: { bucketName: ['b2'] } } }, false],
    [{ data: { additionalDetails: { missing: 'x' } } }, false],
    [{ data: { compartmentId: 'c1', additionalDetails: { namespace: 'ns' } } }, true],
  ])('condition %j matches: %s', (condition, expected) => {
    expect(matchCondition(condition, event)).toBe(expected);
  });
});

describe('FaultInjector', () => {
  const sequence = (seed: number, route: string, n: number): (string | undefined)[] => {
    const f = new FaultInjector(seed, { global: { p503: 0.5 } });
    return Array.from({ length: n }, () => f.decide(route).fault);
  };

  it('gives the same sequence for the same seed and route', () => {
    expect(sequence(3, 'ListObjects', 200)).toEqual(sequence(3, 'ListObjects', 200));
  });

  it('keeps routes independent of each other', () => {
    const f = new FaultInjector(3, { global: { p503: 0.5 } });
    const mixed: (string | undefined)[] = [];
    for (let i = 0; i < 200; i++) {
      f.decide('GetBucket');
      mixed.push(f.decide('ListObjects').fault);
    }
    expect(mixed).toEqual(sequence(3, 'ListObjects', 200));
  });

  it('injects nothing without settings and draws within [0, 1)', () => {
    const f = new FaultInjector(1);
    expect(f.decide('X')).toEqual({ delayMs: 0, fault: undefined, retryAfterSeconds: 1 });
    const all = new FaultInjector(1, { routes: { X: { p429: 1 } } });
    expect(all.decide('X').fault).toBe('429');
  });
});

describe('Query', () => {
  it.each([
    ['prefix=a%26b&start=x', 'prefix', 'a&b'],
    ['prefix=a+b', 'prefix', 'a b'],
    ['prefix=a%2Bb', 'prefix', 'a+b'],
    ['prefix=%E4%B8%AD%2F', 'prefix', '中/'],
    ['prefix=a%25b', 'prefix', 'a%b'],
    ['prefix=&x=1', 'prefix', ''],
    ['prefix=first&prefix=second', 'prefix', 'first'],
  ])('%s → %s = %j', (raw, name, value) => {
    expect(new Query(raw, true).get(name)).toBe(value);
  });

  it('rejects malformed percent-encoding with 400 InvalidParameter', () => {
    expect(() => new Query('prefix=%E4%B8', true)).toThrow(expect.objectContaining({ status: 400, code: 'InvalidParameter' }));
  });

  it('keeps repeated keys for array parameters', () => {
    expect(new Query('fields=a&fields=b,c', true).list('fields')).toEqual(['a', 'b', 'c']);
  });
});

describe('ObjectStore ordering', () => {
  it('sorts by code point once a name needs it (😀 after \\uFF5E)', () => {
    const s = new ObjectStore(true);
    for (const n of ['b', '😀', '\uFF5E', 'a']) s.addVersion(n, version());
    expect([...s.namesFrom(0)]).toEqual(['a', 'b', '\uFF5E', '😀']);
    expect(compareCodePoint('😀', '\uFF5E')).toBeGreaterThan(0);
  });

  it('finds bounds by binary search and merges bulk inserts', () => {
    const s = new ObjectStore(true);
    s.bulkInsert(['k1', 'k3', 'k5'], [version(), version(), version()]);
    s.bulkInsert(['k2', 'k4'], [version(), [version(), version()]]);
    expect([...s.namesFrom(0)]).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(s.lowerBound('k3')).toBe(2);
    expect(s.lowerBound('k3', true)).toBe(3);
    expect(s.versionCount).toBe(6);
    expect(s.versions('k4')).toHaveLength(2);
  });

  it('drops a name when its last version is removed', () => {
    const s = new ObjectStore(true);
    const v = version();
    s.addVersion('x', v);
    expect(s.removeVersion('x', v.versionId)).toBe(true);
    expect(s.size).toBe(0);
  });
});

describe('ObjectVersion', () => {
  it('renders unique UUID-shaped version ids and etags', () => {
    const a = version();
    const b = version();
    expect(a.versionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set([a.versionId, a.etag, b.versionId, b.etag]).size).toBe(4);
    const before = a.etag;
    a.renewEtag();
    expect(a.etag).not.toBe(before);
  });
});
