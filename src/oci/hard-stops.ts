/**
 * One timer per hard stop instant for the requests in flight, instead of one
 * per request. An invocation's calls share their hard stop (engine/deadline.ts),
 * so 64 requests in flight wait on one timer. A timer per request cost ~10 µs
 * of CPU per re-encrypted version in a fresh Node 22 process (bench/README.md,
 * seventh pass): each delay, `hardStopAt - now`, is new every millisecond, and
 * Node's timers keep a list and a priority-queue entry per distinct delay.
 */

/** What a hard stop ends: a request on the wire. */
export interface Stoppable {
  /** The hard stop passed with the request still in flight. */
  hardStop(): void;
}

/** The longest delay setTimeout holds (2^31 - 1 ms, 24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds to a hard stop, for its timer (a hard stop weeks away, the CLI's --max-duration, must not fire now). */
export function untilHardStop(hardStopAt: number): number {
  return Math.min(MAX_TIMER_MS, Math.max(0, hardStopAt - Date.now()));
}

interface Group {
  readonly timer: NodeJS.Timeout;
  readonly members: Set<Stoppable>;
}

export class HardStops {
  private readonly groups = new Map<number, Group>();

  /** `member.hardStop()` is called at `hardStopAt` unless it is removed first. */
  add(hardStopAt: number, member: Stoppable): void {
    let group = this.groups.get(hardStopAt);
    if (group === undefined) {
      group = { timer: setTimeout(() => this.fire(hardStopAt), untilHardStop(hardStopAt)), members: new Set() };
      this.groups.set(hardStopAt, group);
    }
    group.members.add(member);
  }

  /** The member is done; the last one out clears the timer (nothing is left to keep the process alive). */
  remove(hardStopAt: number, member: Stoppable): void {
    const group = this.groups.get(hardStopAt);
    if (group === undefined || !group.members.delete(member) || group.members.size > 0) return;
    clearTimeout(group.timer);
    this.groups.delete(hardStopAt);
  }

  /** Hard stops with a timer pending (for tests). */
  get pending(): number {
    return this.groups.size;
  }

  private fire(hardStopAt: number): void {
    const group = this.groups.get(hardStopAt);
    if (group === undefined) return;
    this.groups.delete(hardStopAt);
    for (const member of group.members) member.hardStop();
  }
}
