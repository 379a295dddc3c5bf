import { describe, expect, it } from 'vitest';
import { HoldWatch } from '../../src/runs/holds';
import { claim, newUnit, type UnitRecord } from '../../src/runs/model';

const T0 = Date.parse('2026-11-30T09:00:00.000Z');
const LEASE = 3000;
const pending = (name: string): UnitRecord => newUnit({ bucketName: name }, T0);
const heldBy = (name: string, owner: string, at: number): UnitRecord => claim(pending(name), owner, at, LEASE);

describe('HoldWatch', () => {
  it('reports a foreign hold that has not changed since first seen, with its expiry', () => {
    const watch = new HoldWatch('me');
    const units = [heldBy('a', 'dead', T0), pending('b')];
    watch.see(units);
    expect(watch.unverified(units, T0 + 1000)).toEqual([{ index: 0, until: T0 + LEASE }]);
    watch.see(units);
    expect(watch.unverified(units, T0 + 2000)).toEqual([{ index: 0, until: T0 + LEASE }]);
  });

  it('drops a hold once it was seen renewed, released or taken by someone else, for the rest of the invocation', () => {
    for (const later of [heldBy('a', 'alive', T0 + 1000), pending('a'), heldBy('a', 'other', T0 + 1000)]) {
      const watch = new HoldWatch('me');
      watch.see([heldBy('a', 'alive', T0)]);
      watch.see([later]);
      expect(watch.unverified([later], T0 + 1500)).toEqual([]);
      // Even if it looks as first seen again: its owner was alive after this invocation first looked.
      expect(watch.unverified([heldBy('a', 'alive', T0)], T0 + 1500)).toEqual([]);
    }
  });

  it('ignores its own holds and expired holds (those are claimable, not waited for)', () => {
    const watch = new HoldWatch('me');
    const units = [heldBy('a', 'me', T0), heldBy('b', 'dead', T0)];
    watch.see(units);
    expect(watch.unverified(units, T0 + 1000)).toEqual([{ index: 1, until: T0 + LEASE }]);
    expect(watch.unverified(units, T0 + LEASE)).toEqual([]);
  });

  it('watches a unit first seen pending and later held: the claim was a change, its holder alive', () => {
    const watch = new HoldWatch('me');
    watch.see([pending('a')]);
    const now = [heldBy('a', 'x', T0 + 500)];
    watch.see(now);
    expect(watch.unverified(now, T0 + 600)).toEqual([]);
  });
});
