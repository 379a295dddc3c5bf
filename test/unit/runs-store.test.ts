import { describe, expect, it } from 'vitest';
import { OciCallError } from '../../src/oci/errors';
import type { ObjectStorage } from '../../src/oci/object-storage';
import { StateStore, StateStoreError } from '../../src/runs/store';
import { memoryBucket } from '../support/memory-bucket';


const isN = (v: unknown): v is { n: number } => typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number';

describe('StateStore', () => {
  it('creates once: the second writer learns the record exists', async () => {
    const { os } = memoryBucket();
    const store = new StateStore(os, 'ns', 'state');
    expect(await store.create('a', { n: 1 })).toMatchObject({ value: { n: 1 } });
    expect(await store.create('a', { n: 2 })).toBe('exists');
    expect((await store.get('a', isN))?.value).toEqual({ n: 1 });
  });

  it('replaces only from the ETag it read: a stale writer gets a conflict', async () => {
    const { os } = memoryBucket();
    const store = new StateStore(os, 'ns', 'state');
    const first = await store.create('a', { n: 1 });
    if (first === 'exists') throw new Error('unexpected');
    const second = await store.replace('a', { n: 2 }, first.etag);
    expect(second).not.toBe('conflict');
    expect(await store.replace('a', { n: 3 }, first.etag)).toBe('conflict');
    expect((await store.get('a', isN))?.value).toEqual({ n: 2 });
  });

  it('recognises its own write behind a 412 (an answer lost and retried) and is not fooled by another\'s', async () => {
    const bucket = memoryBucket();
    const store = new StateStore(bucket.os, 'ns', 'state');
    bucket.loseNext();
    const r = await store.create('a', { n: 1 });
    expect(r).not.toBe('exists');
    expect((await store.get('a', isN))?.etag).toBe(r === 'exists' ? '' : r.etag);
  });

  it('answers undefined for a record that is not there (404 ObjectNotFound), and refuses one it did not write', async () => {
    const bucket = memoryBucket();
    const store = new StateStore(bucket.os, 'ns', 'state');
    expect(await store.get('missing', isN)).toBeUndefined();
    bucket.objects.set('junk', { text: '{"record":{"n":"x"}}', etag: 'e' });
    await expect(store.get('junk', isN)).rejects.toBeInstanceOf(StateStoreError);
  });

  it.each([
    [404, 'BucketNotFound', 'missing-bucket', /does not exist or the function may not use it/],
    [403, 'NotAuthorized', 'denied', /access to the state bucket state \(REENCRYPT_STATE_BUCKET\) is denied/],
    [404, 'NotAuthorizedOrNotFound', 'denied', /is denied/],
    [503, 'ServiceUnavailable', 'unavailable', /ServiceUnavailable/],
  ])('says what is wrong with the state bucket: %i %s is %s, naming the key', async (status, serviceCode, problem, message) => {
    const failing = { getText: async () => { throw new OciCallError('GetObject', { status, serviceCode, message: serviceCode, outOfTime: false }); } };
    const store = new StateStore(failing as unknown as ObjectStorage, 'ns', 'state');
    const err = await store.get('runs/x/run.json', isN).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StateStoreError);
    expect((err as StateStoreError).problem).toBe(problem);
    expect((err as Error).message).toMatch(message);
  });
});
