/**
 * A manual sweep looks the key's current version up (GetVault, GetKey, GetKeyVersion, one after
 * another) while the bucket's first page is listed (issue 11, target 2: the serial calls before the
 * first re-encryption). Nothing is decided before the watermark is known, and a lookup that fails
 * fails the request with the same error as when it was looked up first, with nothing written.
 * Ordered by a lookup the test resolves itself, never by time.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context';
import { budgetFor } from '../../src/engine/deadline';
import { onManual } from '../../src/engine/triggers';
import { InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import type { ManualRequest } from '../../src/input/types';
import { createLogger } from '../../src/log';
import type { BucketFacts, ListedPage, ListedVersion, ObjectStorage } from '../../src/oci/object-storage';
import type { KeyLookup } from '../../src/oci/vault';

const KEY = 'ocid1.key.oc1..aaaaaaaakey';
const ROTATED_AT = new Date('2026-06-01T00:00:00Z');

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/** A bucket of `count` versions on pages of 4, half written before the rotation; every call is recorded in order. */
function world(buckets: readonly string[], count = 10) {
  const events: string[] = [];
  const lookup = deferred<KeyLookup>();
  let lookups = 0;
  const items: ListedVersion[] = Array.from({ length: count }, (_, i) => ({
    name: `o/${i}`, versionId: `v${i}`, isDeleteMarker: false,
    timeModified: new Date(ROTATED_AT.getTime() + (i % 2 === 0 ? -3_600_000 : 3_600_000)),
  }));
  const facts = (name: string): BucketFacts => ({ namespace: 'ns', name, compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: KEY, versioned: true });
  const objectStorage = {
    getNamespace: async () => 'ns',
    getBucket: async (_ns: string, name: string) => {
      events.push(`GetBucket ${name}`);
      return facts(name);
    },
    listBucketNames: async () => {
      events.push('ListBuckets');
      return { names: [...buckets] };
    },
    listVersionsPage: async (_ns: string, name: string, _prefix: unknown, start: string | undefined): Promise<ListedPage> => {
      const at = start === undefined ? 0 : Number(start);
      events.push(`List ${name} ${at}`);
      await new Promise((r) => setImmediate(r));
      return { items: items.slice(at, at + 4), ...(at + 4 < items.length && { next: String(at + 4) }) };
    },
    reencryptObject: async (o: { bucketName: string; objectName: string }) => {
      events.push(`Reencrypt ${o.bucketName} ${o.objectName}`);
    },
  } as unknown as ObjectStorage;
  const ctx = {
    config: { maxFailuresReported: 10, clockSkewMs: 0, compartmentIds: ['ocid1.compartment.oc1..c'], strategy: 'objects', bucketStrategyMinObjects: 1000 },
    objectStorage,
    keys: {
      prefetch: (vaultHint?: string) => {
        events.push(`prefetch ${vaultHint ?? 'configured'}`);
      },
      currentVersion: () => {
        lookups += 1;
        events.push('lookup started');
        return lookup.promise.then((r) => {
          events.push('lookup done');
          return r;
        });
      },
    },
    budget: budgetFor(new Date(Date.now() + 600_000), 1_000),
    logger: createLogger('error', {}, () => undefined),
    caller: {},
    limit: pLimit(4),
    notes: [],
  } as unknown as RunContext;
  return { ctx, events, lookup, lookups: () => lookups };
}

const manual = (body: object): ManualRequest => classify(body) as ManualRequest;
const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
};
const found: KeyLookup = { found: true, version: { keyId: KEY, keyVersionId: 'ocid1.keyversion.oc1..v2', timeCreated: ROTATED_AT } };

describe('a manual bucket sweep looks the key version up while it lists', () => {
  it('lists the first page before the lookup returns, decides nothing until it does, then re-encrypts what predates it', async () => {
    const w = world(['b']);
    const outcome = onManual(manual({ bucketName: 'b' }), w.ctx);
    await turns(20);
    // The listing went out while the lookup was pending; nothing was decided or written.
    expect(w.events).toEqual(['prefetch configured', 'GetBucket b', 'lookup started', 'List b 0']);
    w.lookup.resolve(found);
    const result = await outcome;
    expect(w.events.indexOf('lookup done')).toBeLessThan(w.events.findIndex((e) => e.startsWith('Reencrypt')));
    expect(w.events.filter((e) => e.startsWith('Reencrypt')).sort()).toEqual(['o/0', 'o/2', 'o/4', 'o/6', 'o/8'].map((o) => `Reencrypt b ${o}`).sort());
    expect(result.watermark).toEqual({ watermark: { type: 'before', at: ROTATED_AT }, source: 'key-version' });
    expect(result.buckets[0]).toMatchObject({ scanned: 10, reencrypted: 5, skipped: { compliant: 5 } });
    expect(w.lookups()).toBe(1);
  });

  it('fails with the same InvalidInput error as before when the lookup fails, having written nothing and left nothing running', async () => {
    const w = world(['b']);
    const outcome = onManual(manual({ bucketName: 'b' }), w.ctx).then(() => undefined, (e: unknown) => e);
    await turns(20);
    w.lookup.resolve({ found: false, why: 'GetVault at ocid1.vault.oc1..v: 404 NotAuthorizedOrNotFound' });
    const err = await outcome;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).message).toBe(`Cannot tell which objects predate the current version of ${KEY}: GetVault at ocid1.vault.oc1..v: 404 NotAuthorizedOrNotFound`);
    expect((err as InvalidInputError).details).toEqual([{ field: 'before', problem: 'is required (or force: true) when the key\'s vault cannot be read; or set vaultId' }]);
    const settledAt = w.events.length;
    await turns(20);
    // Only the first page was listed; no item was written, and nothing happened after the error.
    expect(w.events).toEqual(['prefetch configured', 'GetBucket b', 'lookup started', 'List b 0', 'lookup done']);
    expect(w.events.length).toBe(settledAt);
  });

  it('fails the same way when the lookup fails before the first page is listed', async () => {
    const w = world(['b']);
    w.lookup.resolve({ found: false, why: 'no vault known for this key (set REENCRYPT_VAULT_IDS or vaultId)' });
    const err = await onManual(manual({ bucketName: 'b' }), w.ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(w.events.filter((e) => e.startsWith('Reencrypt'))).toEqual([]);
  });

  it('does not look a key up for a request that gives its watermark', async () => {
    const w = world(['b']);
    const result = await onManual(manual({ bucketName: 'b', before: '2026-06-01T00:00:00Z' }), w.ctx);
    expect(w.lookups()).toBe(0);
    expect(w.events.filter((e) => e.startsWith('prefetch'))).toEqual([]);
    expect(result.buckets[0]).toMatchObject({ reencrypted: 5 });
  });
});

describe('a manual key sweep looks the key version up while it finds and lists the buckets', () => {
  it('finds the buckets and lists their first pages before the lookup returns, then re-encrypts', async () => {
    const w = world(['b1', 'b2']);
    const outcome = onManual(manual({ kmsKeyId: KEY, vaultId: 'ocid1.vault.oc1..aaaaaaaavault' }), w.ctx);
    await turns(30);
    expect(w.events.filter((e) => e.startsWith('Reencrypt'))).toEqual([]);
    expect(w.events[0]).toBe('prefetch ocid1.vault.oc1..aaaaaaaavault');
    expect(w.events).toEqual(expect.arrayContaining(['lookup started', 'ListBuckets', 'GetBucket b1', 'GetBucket b2', 'List b1 0', 'List b2 0']));
    w.lookup.resolve(found);
    const result = await outcome;
    expect(result.buckets.map((b) => b.reencrypted)).toEqual([5, 5]);
  });

  it('fails with the lookup\'s InvalidInput error, whatever was found meanwhile, and writes nothing', async () => {
    const w = world(['b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    w.lookup.resolve({ found: false, why: 'no vault known for this key (set REENCRYPT_VAULT_IDS or vaultId)' });
    const err = await onManual(manual({ kmsKeyId: KEY }), w.ctx).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).details).toEqual([{ field: 'before', problem: 'is required (or force: true) when the key\'s vault cannot be read; or set vaultId' }]);
    expect(w.events.filter((e) => e.startsWith('Reencrypt'))).toEqual([]);
  });
});
