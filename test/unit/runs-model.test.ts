import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptySkips, type BucketReport } from '../../src/report/report';
import { fcParams } from '../support/fast-check';
import {
  addCounts, checkpoint, claim, claimOrder, endTurn, isClaimable, isFinal, newUnit, stopForLimit, UnitState, zeroCounts, type TurnOutcome, type UnitRecord,
} from '../../src/runs/model';

const T0 = Date.parse('2026-11-30T04:00:00Z');
const LEASE = 30_000;
const FACTS = { kmsKeyId: 'ocid1.key.oc1.phx.k', versioned: true };

function report(scanned: number, reencrypted: number, failed = 0): BucketReport {
  return {
    namespace: 'ns', bucketName: 'b', kmsKeyId: null, versioned: true, prefix: null, scanned, reencrypted, planned: 0,
    skipped: { ...emptySkips(), compliant: scanned - reencrypted - failed }, failed,
    failures: Array.from({ length: failed }, (_, i) => ({ objectName: `f${i}`, versionId: null, status: 500, serviceCode: null, opcRequestId: null, message: 'x' })),
    failuresTruncated: false, complete: false,
  };
}

const held = (): UnitRecord => claim(newUnit({ bucketName: 'b' }, T0), 'call-1', T0, LEASE);

describe('unit states and transitions', () => {
  it.each([
    ['pending', newUnit({ bucketName: 'b' }, T0), T0, true],
    ['held, lease running', held(), T0 + LEASE - 1, false],
    ['held, lease expired (its holder died)', held(), T0 + LEASE, true],
    ['done', { ...held(), state: UnitState.done }, T0 + 10 * LEASE, false],
    ['stopped', stopForLimit(held(), 5, T0), T0 + 10 * LEASE, false],
  ] as const)('%s: claimable is %s', (_name, unit, now, expected) => {
    expect(isClaimable(unit, now)).toBe(expected);
  });

  it('claiming holds the unit for the lease and counts the invocation', () => {
    const u = held();
    expect(u).toMatchObject({ state: 'held', hold: { owner: 'call-1', until: new Date(T0 + LEASE).toISOString() }, invocations: 1 });
  });

  it('a checkpoint saves position and counts and renews the lease for the same holder', () => {
    const counts = addCounts(zeroCounts(), report(1000, 990), 10);
    const u = checkpoint(held(), { start: 'p2', offset: 0 }, counts, T0 + 10_000, LEASE);
    expect(u).toMatchObject({ state: 'held', position: { start: 'p2', offset: 0 }, counts: { scanned: 1000, reencrypted: 990 }, hold: { owner: 'call-1', until: new Date(T0 + 40_000).toISOString() } });
  });

  it('a finished turn is done and releases the hold', () => {
    const u = endTurn(held(), { kind: 'complete', counts: addCounts(zeroCounts(), report(5, 5), 10) }, FACTS, 3, T0);
    expect(u.state).toBe('done');
    expect(u.hold).toBeUndefined();
    expect(isFinal(u)).toBe(true);
  });

  it('a turn that moved is handed back with no-progress reset', () => {
    const start = { ...held(), noProgress: 2 };
    const u = endTurn(start, { kind: 'stopped', position: { start: 'p3', offset: 0 }, counts: addCounts(zeroCounts(), report(10, 10), 10) }, FACTS, 3, T0);
    expect(u).toMatchObject({ state: 'pending', noProgress: 0, position: { start: 'p3' } });
    expect(u.hold).toBeUndefined();
  });

  const failed: TurnOutcome = { kind: 'failed', error: { status: 500, serviceCode: 'InternalServerError', message: 'ListObjectVersions failed: 500', opcRequestId: null }, position: { offset: 0 }, counts: zeroCounts() };

  it('stops with reason no-progress after K turns that failed, keeping the error', () => {
    let u = held();
    for (let k = 1; k < 3; k++) {
      u = endTurn(u, failed, FACTS, 3, T0);
      expect(u).toMatchObject({ state: 'pending', noProgress: k });
      u = claim(u, `call-${k + 1}`, T0, LEASE);
    }
    u = endTurn(u, failed, FACTS, 3, T0);
    expect(u).toMatchObject({ state: 'stopped', noProgress: 3, error: { status: 500 } });
    expect(u.reason).toMatch(/^no-progress: no progress in 3 consecutive invocations \(last error: ListObjectVersions failed: 500\)$/);
  });

  it('a turn that only ran out of time while sharing the invocation does not count as no progress', () => {
    const stalled: TurnOutcome = { kind: 'stopped', position: { offset: 0 }, counts: zeroCounts() };
    expect(endTurn(held(), stalled, FACTS, 1, T0, false)).toMatchObject({ state: 'pending', noProgress: 0 });
    expect(endTurn(held(), stalled, FACTS, 1, T0, true)).toMatchObject({ state: 'stopped', noProgress: 1 });
  });

  it('a run over its invocation limit stops what is open, with the reason named', () => {
    expect(stopForLimit(held(), 1000, T0)).toMatchObject({ state: 'stopped', reason: 'max-invocations: the run reached 1000 invocations' });
  });
});

describe('counts over turns (property)', () => {
  it('summing each turn\'s tally gives the totals of one uninterrupted sweep, whatever the split', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ reencrypted: fc.nat(1000), compliant: fc.nat(1000), failed: fc.nat(5) }), { minLength: 1, maxLength: 30 }),
      fc.nat(20),
      (turns, maxFailures) => {
        let counts = zeroCounts();
        for (const t of turns) counts = addCounts(counts, report(t.reencrypted + t.compliant + t.failed, t.reencrypted, t.failed), maxFailures);
        const sum = (f: (t: (typeof turns)[number]) => number) => turns.reduce((a, t) => a + f(t), 0);
        expect(counts.reencrypted).toBe(sum((t) => t.reencrypted));
        expect(counts.scanned).toBe(sum((t) => t.reencrypted + t.compliant + t.failed));
        expect(counts.skipped.compliant).toBe(sum((t) => t.compliant));
        expect(counts.failed).toBe(sum((t) => t.failed));
        expect(counts.failures.length).toBe(Math.min(maxFailures, counts.failed));
      },
    ), fcParams(200));
  });
});

describe('which units an invocation may claim (claimOrder)', () => {
  const pending = (): UnitRecord => newUnit({ bucketName: 'b' }, T0);
  const heldBy = (owner: string, at = T0): UnitRecord => claim(newUnit({ bucketName: 'b' }, at), owner, at, LEASE);
  const done = (): UnitRecord => ({ ...heldBy('x'), state: UnitState.done });

  it('its own hold first, then leases that ran out, then pending units', () => {
    const units = [pending(), heldBy('dead', T0 - 2 * LEASE), heldBy('me'), done(), pending()];
    expect(claimOrder(units, 'me', 1, T0)).toEqual([2, 1, 0, 4]);
  });

  it('a fanned-out run whose workers are all at work offers no pending unit to an extra invocation', () => {
    const units = [heldBy('w1'), heldBy('w2'), heldBy('w3'), pending(), pending()];
    expect(claimOrder(units, 'extra', 3, T0)).toEqual([]);
    // One worker finished its unit: a pending one is free again.
    expect(claimOrder([done(), heldBy('w2'), heldBy('w3'), pending(), pending()], 'w1', 3, T0)).toEqual([3]);
  });

  it('a lease that ran out can always be taken over, even when the others fill the run', () => {
    const units = [heldBy('w1'), heldBy('w2'), heldBy('dead', T0 - 2 * LEASE), pending()];
    expect(claimOrder(units, 'extra', 2, T0)).toEqual([2]);
  });

  it('one invocation after another (workers 1) may take every open unit, as before', () => {
    const units = [heldBy('other'), pending(), pending()];
    expect(claimOrder(units, 'me', 1, T0)).toEqual([1, 2]);
  });

  it('claimers that each take what they are offered, one at a time, never hold more live units than workers (property)', () => {
    const state = fc.constantFrom<'pending' | 'live' | 'expired' | 'done'>('pending', 'live', 'expired', 'done');
    fc.assert(fc.property(fc.array(state, { maxLength: 12 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 8 }), (states, workers, claimers) => {
      let units = states.map((s, i): UnitRecord => s === 'pending' ? pending() : s === 'done' ? done() : heldBy(`o${i}`, s === 'live' ? T0 : T0 - 2 * LEASE));
      const liveBefore = states.filter((s) => s === 'live').length;
      for (let c = 0; c < claimers; c++) {
        const [first] = claimOrder(units, `claimer-${c}`, workers, T0);
        if (first === undefined) continue;
        units = units.map((u, i) => (i === first ? claim(u, `claimer-${c}`, T0, LEASE) : u));
      }
      const live = units.filter((u) => u.state === UnitState.held && !isClaimable(u, T0)).length;
      // Claimers only ever add live holds up to the cap (taking over an expired lease may exceed it
      // only by as many as were live already beyond it).
      expect(live).toBeLessThanOrEqual(Math.max(workers, liveBefore) + states.filter((s) => s === 'expired').length);
      const fromPending = units.filter((u, i) => states[i] === 'pending' && u.state === UnitState.held).length;
      // A lease that ran out is still a worker's place: pending units fill only what neither kind of hold takes.
      expect(fromPending).toBeLessThanOrEqual(Math.max(0, workers - liveBefore - states.filter((s) => s === 'expired').length));
    }), fcParams(300));
  });

  it('two invocations that read the same units and claim with conditional writes do not hold one unit too many', () => {
    // Seen under load in the tenancy-scale run (5 units held by running invocations, cap 4): two
    // claimers both offered [the expired lease, a pending unit]; the one that lost the takeover
    // went on to the pending unit. A lease that ran out is a worker's place still.
    let units = [heldBy('w1'), heldBy('w2'), heldBy('w3'), heldBy('starved', T0 - 2 * LEASE), pending(), pending()];
    const [a, b] = [claimOrder(units, 'resume', 4, T0), claimOrder(units, 'worker', 4, T0)];
    const versions = units.map(() => 0);
    for (const [who, order] of [['resume', a], ['worker', b]] as const) {
      const index = order.find((i) => versions[i] === 0);
      if (index === undefined) continue;
      units = units.map((u, i) => (i === index ? claim(u, who, T0, LEASE) : u));
      versions[index] = (versions[index] ?? 0) + 1;
    }
    expect(units.filter((u) => u.state === UnitState.held).length).toBe(4);
  });

  it('claimers reading the units at any moments and claiming with conditional writes never hold more units than workers (property)', () => {
    // A claimer reads every unit (a snapshot of records and their versions), then tries what claimOrder
    // offers, in order, each write conditional on the version it read, and stops at its first success
    // (a worker holds one unit); the steps of several claimers interleave in any order.
    const state = fc.constantFrom<'pending' | 'live' | 'expired' | 'done'>('pending', 'live', 'expired', 'done');
    const steps = fc.array(fc.record({ claimer: fc.nat(5), read: fc.boolean() }), { maxLength: 30 });
    fc.assert(fc.property(fc.array(state, { maxLength: 10 }), fc.integer({ min: 2, max: 6 }), steps, (states, workers, plan) => {
      let units = states.map((s, i): UnitRecord => s === 'pending' ? pending() : s === 'done' ? done() : heldBy(`o${i}`, s === 'live' ? T0 : T0 - 2 * LEASE));
      const versions = units.map(() => 0);
      const heldBefore = units.filter((u) => u.state === UnitState.held).length;
      const seen = new Map<number, { order: number[]; versions: number[]; tried: number }>();
      const holding = new Set<number>();
      for (const { claimer, read } of plan) {
        if (holding.has(claimer)) continue;
        const view = seen.get(claimer);
        if (read || !view) {
          seen.set(claimer, { order: claimOrder(units, `claimer-${claimer}`, workers, T0), versions: [...versions], tried: 0 });
          continue;
        }
        const index = view.order[view.tried];
        if (index === undefined) continue;
        view.tried += 1;
        if (versions[index] !== view.versions[index]) continue; // conflict: someone wrote the unit since the read
        units = units.map((u, i) => (i === index ? claim(u, `claimer-${claimer}`, T0, LEASE) : u));
        versions[index] = (versions[index] ?? 0) + 1;
        holding.add(claimer);
      }
      expect(units.filter((u) => u.state === UnitState.held).length).toBeLessThanOrEqual(Math.max(workers, heldBefore));
    }), fcParams(1000));
  });
});
