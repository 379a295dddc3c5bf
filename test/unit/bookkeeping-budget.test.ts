/**
 * The time bookkeeping gets after the work stopped (bookkeepingHardStop), and the run state
 * store that spends it: its calls after the hard stop are still made, each with a second of its
 * own, never past Fn-Deadline.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BOOKKEEPING_DEADLINE_MARGIN_MS, BOOKKEEPING_OWN_MS, bookkeepingHardStop, budgetFor, STATE_CALL_OWN_MS, type Budget,
} from '../../src/engine/deadline';
import type { CallState } from '../../src/oci/call-context';
import { plannedRetryDelayMs } from '../../src/oci/retry';
import type { CallOptions, Oci } from '../../src/oci/clients';
import { OciCallError } from '../../src/oci/errors';
import { ObjectStorage } from '../../src/oci/object-storage';
import { StateStore, StateStoreError } from '../../src/runs/store';
import { fcParams } from '../support/fast-check';

const NOW = Date.parse('2026-11-30T12:00:00.000Z');

/** A budget as an invocation has it: Fn-Deadline `deadlineIn` ms from NOW, its hard stop `hardStopIn`. */
function budget(deadlineIn: number, hardStopIn: number, soft = false): Budget {
  return { startedAt: NOW - 60_000, deadline: NOW + deadlineIn, stopStartingAt: NOW + hardStopIn - 1000, hardStopAt: NOW + hardStopIn, ...(soft && { soft: true }) };
}

describe('bookkeepingHardStop', () => {
  it.each<[string, number, number, number]>([
    // [case, deadline in, hard stop in, expected stop from NOW]
    ['before the hard stop, with more than a second to it: the hard stop, as any call', 30_000, 10_000, 10_000],
    ['a second before the hard stop: the hard stop', 30_000, BOOKKEEPING_OWN_MS, BOOKKEEPING_OWN_MS],
    ['less than a second before the hard stop: a second of its own', 30_000, 400, BOOKKEEPING_OWN_MS],
    ['at the hard stop: a second of its own', 30_000, 0, BOOKKEEPING_OWN_MS],
    ['past the hard stop: a second of its own', 30_000, -5_000, BOOKKEEPING_OWN_MS],
    ['the deadline closer than a second: up to the deadline, less the margin', 600, -200, 600 - BOOKKEEPING_DEADLINE_MARGIN_MS],
    ['the deadline exactly a second and the margin away: the whole second', BOOKKEEPING_OWN_MS + BOOKKEEPING_DEADLINE_MARGIN_MS, -10, BOOKKEEPING_OWN_MS],
    ['within the margin of the deadline: a stop already reached (the call is not started)', 30, -300, 30 - BOOKKEEPING_DEADLINE_MARGIN_MS],
    ['past the deadline: a stop already reached', -2_000, -3_000, -2_000 - BOOKKEEPING_DEADLINE_MARGIN_MS],
  ])('%s', (_name, deadlineIn, hardStopIn, expected) => {
    expect(bookkeepingHardStop(budget(deadlineIn, hardStopIn), { now: NOW })).toBe(NOW + expected);
  });

  it.each<[string, number, number, number, number]>([
    // [case, deadline in, hard stop in, time left for what follows, expected stop from NOW]
    ['a long window: a second of its own, the last second before the margin kept', 6_700, -3_000, 1_000, BOOKKEEPING_OWN_MS],
    ['a long window, late in it: up to the second kept for what follows', 1_500, -5_000, 1_000, 1_500 - BOOKKEEPING_DEADLINE_MARGIN_MS - 1_000],
    ['a short window: its first half, the other kept', 333, 0, 1_000, (333 - BOOKKEEPING_DEADLINE_MARGIN_MS) / 2],
    ['a short window, late in it: a stop already reached', 100, -200, 1_000, -200 + (300 - BOOKKEEPING_DEADLINE_MARGIN_MS) / 2],
    ['no window (a hard stop within the margin): the deadline less the margin', 30, 20, 1_000, 30 - BOOKKEEPING_DEADLINE_MARGIN_MS],
    ['before the hard stop: the hard stop, whatever is kept after it', 30_000, 10_000, 1_000, 10_000],
  ])('leaving time for what follows: %s', (_name, deadlineIn, hardStopIn, leaveMs, expected) => {
    expect(bookkeepingHardStop(budget(deadlineIn, hardStopIn), { now: NOW, leaveMs })).toBe(NOW + expected);
  });

  it('gives what a caller asks for as its own time, still within Fn-Deadline', () => {
    expect(bookkeepingHardStop(budget(30_000, -100), { now: NOW, ownMs: 5_000 })).toBe(NOW + 5_000);
    expect(bookkeepingHardStop(budget(3_000, -100), { now: NOW, ownMs: 5_000 })).toBe(NOW + 3_000 - BOOKKEEPING_DEADLINE_MARGIN_MS);
  });

  it('past a soft deadline (nothing kills the process there): its own time, whatever the deadline', () => {
    expect(bookkeepingHardStop(budget(-2_000, -3_000, true), { now: NOW })).toBe(NOW + BOOKKEEPING_OWN_MS);
    expect(bookkeepingHardStop(budget(-2_000, -3_000, true), { now: NOW, ownMs: 15_000 })).toBe(NOW + 15_000);
    expect(bookkeepingHardStop(budget(60_000, 20_000, true), { now: NOW })).toBe(NOW + 20_000);
  });

  it('reads the clock when not told the time', () => {
    const b = budgetFor(new Date(Date.now() + 60_000), 30_000);
    const before = Date.now();
    const stop = bookkeepingHardStop({ ...b, hardStopAt: before - 1 });
    const after = Date.now();
    expect(stop).toBeGreaterThanOrEqual(before + BOOKKEEPING_OWN_MS);
    expect(stop).toBeLessThanOrEqual(after + BOOKKEEPING_OWN_MS);
  });

  it('never passes Fn-Deadline less the margin, never ends before the hard stop or a second from now when the deadline allows', () => {
    fc.assert(fc.property(
      fc.integer({ min: -10_000, max: 600_000 }), fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 5_000 }),
      (deadlineIn, margin, sinceHardStop, ownMs, leaveMs) => {
        const deadline = NOW + deadlineIn;
        const b: Budget = { startedAt: NOW - 1, deadline, stopStartingAt: deadline - margin, hardStopAt: deadline - margin / 3 };
        const now = b.hardStopAt - 5_000 + sinceHardStop;
        const stop = bookkeepingHardStop(b, { now, ownMs, leaveMs });
        const end = deadline - BOOKKEEPING_DEADLINE_MARGIN_MS;
        // What follows keeps its time, up to half the window after the hard stop.
        const limit = end - Math.min(leaveMs, Math.max(0, end - b.hardStopAt) / 2);
        expect(stop).toBeLessThanOrEqual(end);
        expect(stop).toBeLessThanOrEqual(limit);
        expect(stop).toBeGreaterThanOrEqual(Math.min(b.hardStopAt, end));
        expect(stop).toBeGreaterThanOrEqual(Math.min(now + ownMs, limit));
        // Nothing more than needed: the hard stop, or exactly its own time from now.
        expect([b.hardStopAt, now + ownMs, limit]).toContain(stop);
        // Without anything to leave, the whole window (the handover's).
        expect(bookkeepingHardStop(b, { now, ownMs })).toBe(Math.min(end, Math.max(b.hardStopAt, now + ownMs)));
      },
    ), fcParams(500));
  });
});

/**
 * An Oci whose calls behave as the real ones at their hard stop (clients.ts): a call whose hard
 * stop has passed is not started. It records each call's hard stop. Its Object Storage client
 * is an in-memory bucket with OCI's conditional writes.
 */
function fakeOci(invocationHardStopAt: number) {
  const objects = new Map<string, { text: string; etag: string }>();
  const stops: { operation: string; hardStopAt: number }[] = [];
  let n = 0;
  const preconditionFailed = () => Object.assign(new Error('precondition failed'), { statusCode: 412, serviceCode: 'IfMatchFailed' });
  let loseNextAnswer = false;
  const client = {
    async putObject(r: { objectName: string; putObjectBody: string; ifMatch?: string; ifNoneMatch?: string }) {
      const cur = objects.get(r.objectName);
      if ((r.ifNoneMatch === '*' && cur) || (r.ifMatch !== undefined && cur?.etag !== r.ifMatch)) throw preconditionFailed();
      const etag = `e${++n}`;
      objects.set(r.objectName, { text: r.putObjectBody, etag });
      if (loseNextAnswer) {
        // The write took effect, its answer was lost, and the SDK's retry met it as a 412.
        loseNextAnswer = false;
        throw preconditionFailed();
      }
      return { eTag: etag };
    },
    async getObject(r: { objectName: string }) {
      const cur = objects.get(r.objectName);
      if (!cur) throw Object.assign(new Error('not found'), { statusCode: 404, serviceCode: 'ObjectNotFound' });
      return { eTag: cur.etag, value: Readable.from([Buffer.from(cur.text)]) };
    },
    async deleteObject(r: { objectName: string }) {
      objects.delete(r.objectName);
      return {};
    },
    async listObjects() {
      return { listObjects: { objects: [...objects.keys()].sort().map((name) => ({ name })) } };
    },
  };
  const oci = {
    objectStorage: client,
    async call<T>(operation: string, fn: () => Promise<T>, options?: CallOptions): Promise<T> {
      const hardStopAt = options?.hardStopAt ?? invocationHardStopAt;
      stops.push({ operation, hardStopAt });
      if (Date.now() >= hardStopAt) throw new OciCallError(operation, { message: 'not started: the invocation deadline is too close', outOfTime: true });
      try {
        return await fn();
      } catch (err) {
        const e = err as { statusCode?: number; serviceCode?: string; message: string };
        throw new OciCallError(operation, { status: e.statusCode, serviceCode: e.serviceCode, message: e.message, outOfTime: false });
      }
    },
  };
  return { objectStorage: new ObjectStorage(oci as unknown as Oci), stops, loseNext: () => { loseNextAnswer = true; } };
}

const isN = (v: unknown): v is { n: number } => typeof v === 'object' && v !== null && typeof (v as { n?: unknown }).n === 'number';

describe('the run state store after the hard stop', () => {
  /** An invocation whose work stopped a moment ago, with 30 s left before Fn-Deadline. */
  const pastHardStop = (): Budget => {
    const now = Date.now();
    return { startedAt: now - 60_000, deadline: now + 30_000, stopStartingAt: now - 2_000, hardStopAt: now - 1 };
  };

  it('still saves, reads, lists and deletes, each call with time of its own (STATE_CALL_OWN_MS)', async () => {
    const b = pastHardStop();
    const { objectStorage, stops } = fakeOci(b.hardStopAt);
    const store = new StateStore(objectStorage, 'ns', 'state', b);
    const before = Date.now();
    const created = await store.create('runs/r/units/00000.json', { n: 1 });
    if (created === 'exists') throw new Error('unexpected');
    expect(await store.replace('runs/r/units/00000.json', { n: 2 }, created.etag)).toMatchObject({ value: { n: 2 } });
    expect((await store.get('runs/r/units/00000.json', isN))?.value).toEqual({ n: 2 });
    expect(await store.list('runs/')).toEqual(['runs/r/units/00000.json']);
    await store.delete('runs/r/units/00000.json');
    const after = Date.now();
    expect(stops.map((s) => s.operation)).toEqual(['PutObject', 'PutObject', 'GetObject', 'ListObjects', 'DeleteObject']);
    for (const s of stops) {
      expect(s.hardStopAt).toBeGreaterThanOrEqual(before + STATE_CALL_OWN_MS);
      expect(s.hardStopAt).toBeLessThanOrEqual(after + STATE_CALL_OWN_MS);
    }
  });

  describe('a state call at the hard stop answered 429 with a retry-after (fake clock)', () => {
    afterEach(() => vi.useRealTimers());

    /** The retry the call's limits allow after its first attempt took `attemptMs` and was answered 429 with `retryAfterMs`. */
    async function retryPlanned(b: Budget, attemptMs: number, retryAfterMs: number): Promise<{ delay: number | undefined; hardStopAt: number }> {
      const { objectStorage, stops } = fakeOci(b.hardStopAt);
      await new StateStore(objectStorage, 'ns', 'state', b).create('runs/r/units/00000.json', { n: 1 });
      const hardStopAt = stops[0]?.hardStopAt ?? 0;
      vi.setSystemTime(Date.now() + attemptMs);
      const state: CallState = { operation: 'PutObject', hardStopAt, maxAttempts: 4, apiCalls: new Map(), attempts: 0, outOfTime: false, retryAfterMs };
      return { delay: plannedRetryDelayMs(state, 0, () => 0.5), hardStopAt };
    }

    it.each<[string, number, number]>([
      ['the default margin (20 s), a 300 ms attempt, a retry-after of 1 s', 20_000, 1_000],
      ['the default margin, a retry-after of 2 s', 20_000, 2_000],
      ['a 9 s margin (hard stop 3 s before Fn-Deadline), a retry-after of 1 s', 9_000, 1_000],
    ])('waits it out: %s', async (_name, marginMs, retryAfterMs) => {
      vi.useFakeTimers({ now: NOW });
      const b = budgetFor(new Date(NOW + 5 * marginMs), marginMs, NOW);
      vi.setSystemTime(b.hardStopAt);
      const { delay, hardStopAt } = await retryPlanned(b, 300, retryAfterMs);
      expect(delay).toBe(retryAfterMs);
      // ...and never into the handover's second before Fn-Deadline (less the margin).
      expect(hardStopAt).toBeLessThanOrEqual(b.deadline - BOOKKEEPING_DEADLINE_MARGIN_MS - BOOKKEEPING_OWN_MS);
    });

    it('gives up (out of time) on a retry-after that does not fit before the handover\'s second', async () => {
      vi.useFakeTimers({ now: NOW });
      const b = budgetFor(new Date(NOW + 45_000), 9_000, NOW);
      vi.setSystemTime(b.hardStopAt);
      expect((await retryPlanned(b, 300, 2_000)).delay).toBeUndefined();
    });
  });

  it('recognises its own write whose answer was lost, reading it back after the hard stop too', async () => {
    const b = pastHardStop();
    const { objectStorage, stops, loseNext } = fakeOci(b.hardStopAt);
    const store = new StateStore(objectStorage, 'ns', 'state', b);
    const created = await store.create('u', { n: 1 });
    if (created === 'exists') throw new Error('unexpected');
    loseNext();
    // Refused, the read-back would take the write for another writer's: a hold lost that was not.
    expect(await store.replace('u', { n: 2 }, created.etag)).toMatchObject({ value: { n: 2 } });
    expect(stops.map((s) => s.operation)).toEqual(['PutObject', 'PutObject', 'GetObject']);
    expect(stops.every((s) => s.hardStopAt > b.hardStopAt)).toBe(true);
  });

  it('when Fn-Deadline is closer than its second and the handover\'s, takes the first half of what is left and leaves the rest to the handover', async () => {
    const now = Date.now();
    const b: Budget = { startedAt: now - 60_000, deadline: now + 1_500, stopStartingAt: now - 2_000, hardStopAt: now - 1 };
    const { objectStorage, stops } = fakeOci(b.hardStopAt);
    await new StateStore(objectStorage, 'ns', 'state', b).create('u', { n: 1 });
    const end = b.deadline - BOOKKEEPING_DEADLINE_MARGIN_MS;
    expect(stops).toEqual([{ operation: 'PutObject', hardStopAt: end - (end - b.hardStopAt) / 2 }]);
  });

  it('late in a long window, stops where the handover\'s own second begins', async () => {
    const now = Date.now();
    // The work stopped 3 s ago; Fn-Deadline is less than two seconds away.
    const b: Budget = { startedAt: now - 60_000, deadline: now + 1_800, stopStartingAt: now - 5_000, hardStopAt: now - 3_000 };
    const { objectStorage, stops } = fakeOci(b.hardStopAt);
    await new StateStore(objectStorage, 'ns', 'state', b).create('u', { n: 1 });
    expect(stops).toEqual([{ operation: 'PutObject', hardStopAt: b.deadline - BOOKKEEPING_DEADLINE_MARGIN_MS - BOOKKEEPING_OWN_MS }]);
  });

  it('within the margin of Fn-Deadline, a write is not started: the state bucket is unavailable, nothing is written', async () => {
    const now = Date.now();
    const b: Budget = { startedAt: now - 60_000, deadline: now + BOOKKEEPING_DEADLINE_MARGIN_MS - 10, stopStartingAt: now - 2_000, hardStopAt: now - 1_000 };
    const { objectStorage } = fakeOci(b.hardStopAt);
    const store = new StateStore(objectStorage, 'ns', 'state', b);
    const failed = await store.create('u', { n: 1 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StateStoreError);
    expect(failed).toMatchObject({ problem: 'unavailable' });
  });

  it('without a budget (the CLI reading runs), its calls have the invocation\'s own hard stop', async () => {
    const b = pastHardStop();
    const { objectStorage, stops } = fakeOci(b.hardStopAt);
    const failed = await new StateStore(objectStorage, 'ns', 'state').create('u', { n: 1 }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ problem: 'unavailable' });
    expect(stops).toEqual([{ operation: 'PutObject', hardStopAt: b.hardStopAt }]);
  });
});
