/**
 * What one invocation sees of the holds other invocations have on a run's
 * units, to tell a holder that is alive from one that may have died.
 *
 * A live holder renews its hold every checkpoint interval, well before it
 * expires (a hold lasts several intervals). So a hold that changed while this
 * invocation watched it (renewed, released, or taken by someone else) had a
 * live writer; if that writer dies later, its failed detached invocation's
 * record reaches the failure destination, and the invocation that record
 * starts watches the hold afresh. A hold that has not changed since this
 * invocation first saw it may be a dead holder's that nobody else will come
 * back for: the invocation waits for it to expire and takes the unit over,
 * or, when its own time is up first, leaves a successor to do so. Waiting for
 * a hold that then changes ends the watch, so a live holder at work costs at
 * most one extra look, never a loop of invocations.
 */
import { UnitState, type UnitRecord } from './model';

export class HoldWatch {
  /** Per unit index: the hold as first seen ('' when not held). */
  private readonly firstSeen = new Map<number, string>();
  private readonly changed = new Set<number>();

  /** `self`: this invocation's own holder name, whose holds are not watched. */
  constructor(private readonly self: string) {}

  /** Records what the units look like now; call after every read of them. */
  see(units: readonly UnitRecord[]): void {
    for (const [index, unit] of units.entries()) {
      const seen = holdOf(unit);
      const first = this.firstSeen.get(index);
      if (first === undefined) this.firstSeen.set(index, seen);
      else if (first !== seen) this.changed.add(index);
    }
  }

  /**
   * Units held by another invocation, not yet expired, whose hold has not changed since this
   * invocation first saw it, with the time each hold runs out.
   */
  unverified(units: readonly UnitRecord[], now: number): { readonly index: number; readonly until: number }[] {
    return units.flatMap((unit, index) => {
      if (unit.state !== UnitState.held || !unit.hold || unit.hold.owner === this.self || this.changed.has(index)) return [];
      const until = Date.parse(unit.hold.until);
      return Number.isFinite(until) && until > now ? [{ index, until }] : [];
    });
  }
}

function holdOf(unit: UnitRecord): string {
  return unit.state === UnitState.held && unit.hold ? `${unit.hold.owner}\n${unit.hold.until}` : '';
}
