/**
 * GetWorkRequest and ListWorkRequestErrors answers are hostile input like any
 * other: malformed times, a missing body or items that are no list must not
 * throw out of the unit's turn (which would crash the invocation, turn after
 * turn), and strings are kept bounded.
 */
import { describe, expect, it } from 'vitest';
import type { Oci } from '../../src/oci/clients';
import { OciCallError } from '../../src/oci/errors';
import { ObjectStorage } from '../../src/oci/object-storage';

function storageAnswering(answers: { getWorkRequest?: unknown; listWorkRequestErrors?: unknown }): ObjectStorage {
  const oci = {
    objectStorage: {
      getWorkRequest: async () => answers.getWorkRequest,
      listWorkRequestErrors: async () => answers.listWorkRequestErrors,
    },
    // As Oci.call: whatever the call throws comes out as an OciCallError.
    async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        throw new OciCallError(operation, { message: String(err), outOfTime: false });
      }
    },
  } as unknown as Oci;
  return new ObjectStorage(oci);
}

describe('GetWorkRequest answers', () => {
  it.each([
    ['a time that is no date', { workRequest: { id: 'wr', status: 'IN_PROGRESS', percentComplete: 10, timeAccepted: 'yesterday-ish', timeStarted: { a: 1 }, timeFinished: 'x' } }],
    ['no body at all', { workRequest: null }],
    ['a body that is a string', { workRequest: 'IN_PROGRESS' }],
  ])('%s: a view without the bad fields, never a throw', async (_name, answer) => {
    const view = await storageAnswering({ getWorkRequest: answer }).getWorkRequest('wr');
    expect(view.id).toBe('wr');
    expect(typeof view.status).toBe('string');
    expect(Number.isFinite(view.percentComplete)).toBe(true);
    expect(view.timeAccepted).toBeUndefined();
    expect(view.timeStarted).toBeUndefined();
    expect(view.timeFinished).toBeUndefined();
  });

  it('keeps good times, and bounds the status and percentComplete it keeps', async () => {
    const view = await storageAnswering({
      getWorkRequest: { workRequest: { id: 'wr', status: 'X'.repeat(100_000), percentComplete: 1e300, timeAccepted: '2026-11-30T07:00:00Z' }, retryAfter: Number.NaN },
    }).getWorkRequest('wr');
    expect(view.timeAccepted).toBe('2026-11-30T07:00:00.000Z');
    expect(view.status.length).toBeLessThanOrEqual(64);
    expect(view.percentComplete).toBeLessThanOrEqual(100);
    expect(view.retryAfterSeconds).toBeUndefined();
  });
});

describe('ListWorkRequestErrors answers', () => {
  it('a timestamp that is no date, null entries and a huge code are dropped or bounded, never a throw', async () => {
    const listed = await storageAnswering({
      listWorkRequestErrors: { items: [null, { code: 'C'.repeat(100_000), message: 'm', timestamp: 'not a time' }] },
    }).listWorkRequestErrors('wr', 10);
    expect(listed.errors).toHaveLength(1);
    expect(listed.errors[0]?.code.length).toBeLessThanOrEqual(300);
    expect(listed.errors[0]?.timestamp).toBeUndefined();
  });

  it('items that are no list: no errors, never a throw', async () => {
    const listed = await storageAnswering({ listWorkRequestErrors: { items: { code: 'x' } } }).listWorkRequestErrors('wr', 10);
    expect(listed).toEqual({ errors: [], truncated: false });
  });
});

describe('ListWorkRequestErrors paging', () => {
  it('stops after a few pages that bring nothing, saying the list is truncated', async () => {
    let calls = 0;
    const oci = {
      objectStorage: { listWorkRequestErrors: async () => { calls += 1; return { items: [], opcNextPage: `p${calls}` }; } },
      call: async <T>(_op: string, fn: () => Promise<T>): Promise<T> => fn(),
    } as unknown as Oci;
    const listed = await new ObjectStorage(oci).listWorkRequestErrors('wr', 100);
    expect(listed).toEqual({ errors: [], truncated: true });
    expect(calls).toBeLessThanOrEqual(10);
  });
});
