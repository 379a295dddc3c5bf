/**
 * The chains of a run (src/runs/chains.ts) as a model: invocations start, take turns, hand
 * over (Functions accepts or refuses the successor), answer, or are killed at any point, before
 * or after handing over; successors record their predecessor (or the write is refused); failure
 * records are delivered at any time, before, while or after the successor runs, with or without
 * the failed call's id. The decision on each record is the real `failureVerdict`.
 *
 * What must hold after every step, whatever the schedule:
 *  - the run always reaches its end by itself: while work remains, some invocation is alive or
 *    will start, or a record still to be delivered resumes the run;
 *  - at most `workers` live chains, plus one per record that resumed the run for a call whose
 *    successor had not (yet) recorded the succession (a record naming no call, a successor slower
 *    than the record, a successor killed before its first write, a succession the state bucket
 *    refused): and none of those when records carry the call id, each successor records its
 *    predecessor as it starts and starts before its predecessor's record is delivered (in
 *    practice: a record comes only once its call has been killed at its timeout).
 * And the old decision (every record resumes) breaks the bound, which is the defect fixed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureVerdict, type FailureVerdict, type Succession } from '../../src/runs/chains';
import { fcParams } from '../support/fast-check';

type Phase = 'queued' | 'running' | 'handed' | 'ended';
interface Call {
  readonly id: string;
  phase: Phase;
  readonly predecessor: string | undefined;
}
interface FailureRecord {
  readonly failed: string;
  readonly withId: boolean;
}
type Decide = (failedCallId: string | undefined, succession: Succession | undefined) => FailureVerdict;

const STEP_KINDS = ['start', 'start-dies', 'end-turn', 'answer', 'kill', 'deliver'] as const;
interface Step {
  readonly kind: (typeof STEP_KINDS)[number];
  readonly pick: number;
  /** start: the succession write is refused; end-turn: the successor is refused (429); kill/start-dies: the record names no call. */
  readonly mishap: boolean;
}
interface World {
  readonly workers: number;
  readonly turns: number;
  /**
   * Records carry the id, every succession is recorded as its successor starts, and a record is
   * delivered only once its call's successor started.
   */
  readonly tidy: boolean;
  readonly steps: readonly Step[];
}

const world = (tidy: boolean): fc.Arbitrary<World> => fc.record({
  workers: fc.integer({ min: 1, max: 4 }),
  turns: fc.integer({ min: 1, max: 30 }),
  tidy: fc.constant(tidy),
  steps: fc.array(fc.record({
    kind: fc.constantFrom(...STEP_KINDS),
    pick: fc.nat(),
    // Mishaps are rarer than not, as they are.
    mishap: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  }), { maxLength: 300, size: 'max' }),
});

/** Plays a schedule; returns the first invariant broken, if any. */
function play(w: World, decide: Decide): string | undefined {
  const calls: Call[] = [];
  const records: FailureRecord[] = [];
  const successions = new Map<string, Succession>();
  let work = w.turns;
  let allowedExtra = 0;
  let next = 0;
  const spawn = (predecessor?: string): void => {
    calls.push({ id: `call-${next++}`, phase: 'queued', predecessor });
  };
  const fail = (c: Call, withId: boolean): void => {
    c.phase = 'ended';
    records.push({ failed: c.id, withId: w.tidy || withId });
  };
  const successorOf = (id: string): Call | undefined => calls.find((c) => c.predecessor === id);
  const among = <T>(xs: readonly T[], pick: number): T | undefined => xs[pick % Math.max(1, xs.length)];
  for (let i = 0; i < w.workers; i++) spawn();
  for (const step of w.steps) {
    const inPhase = (p: Phase): Call[] => calls.filter((c) => c.phase === p);
    if (step.kind === 'start' || step.kind === 'start-dies') {
      const c = among(inPhase('queued'), step.pick);
      if (!c) continue;
      // Tidy: a successor that starts records its predecessor before anything can kill it.
      if (step.kind === 'start-dies' && !w.tidy) fail(c, !step.mishap);
      else {
        c.phase = 'running';
        // The successor's first act (run.ts): record who handed the run over; the state bucket may refuse it.
        if (c.predecessor && !(step.mishap && !w.tidy)) successions.set(c.predecessor, { v: 1, runId: 'r', predecessor: c.predecessor, successor: c.id, at: '' });
        // A run that has ended ends the turns that start after it.
        if (work === 0) c.phase = 'ended';
      }
    } else if (step.kind === 'end-turn') {
      const c = among(inPhase('running'), step.pick);
      if (!c) continue;
      if (work > 0) work -= 1;
      if (work === 0) c.phase = 'ended';
      else if (step.mishap && !w.tidy) fail(c, true); // successor refused: RunNotContinued, a failed call
      else {
        spawn(c.id);
        c.phase = 'handed';
      }
    } else if (step.kind === 'answer') {
      const c = among(inPhase('handed'), step.pick);
      if (c) c.phase = 'ended';
    } else if (step.kind === 'kill') {
      const c = among([...inPhase('running'), ...inPhase('handed')], step.pick);
      if (c) fail(c, !step.mishap);
    } else {
      // Tidy: a record is delivered only once its call's successor (if any) has started.
      const deliverable = records.filter((r) => !w.tidy || successorOf(r.failed)?.phase !== 'queued');
      const r = among(deliverable, step.pick);
      if (!r) continue;
      records.splice(records.indexOf(r), 1);
      const id = r.withId ? r.failed : undefined;
      const verdict = decide(id, id === undefined ? undefined : successions.get(id));
      if (verdict.resume && work > 0) {
        // A resume for a call whose chain had not broken adds a chain: allowed only when the succession was not to be seen.
        const successor = successorOf(r.failed);
        if (successor && !(id !== undefined && successions.has(id))) allowedExtra += 1;
        spawn();
      }
    }
    const alive = calls.filter((c) => c.phase === 'queued' || c.phase === 'running').length;
    if (alive > w.workers + allowedExtra) return `${alive} live chains, more than ${w.workers} workers + ${allowedExtra} allowed extra`;
    if (w.tidy && allowedExtra > 0) return `${allowedExtra} extra chains although every record named its call and every succession was recorded first`;
    if (work > 0 && alive === 0) {
      // Nothing alive will write a succession any more: each pending record's verdict is final.
      const resumes = records.some((r) => decide(r.withId ? r.failed : undefined, r.withId ? successions.get(r.failed) : undefined).resume);
      if (!resumes) return `work remains (${work} turns) and no invocation is alive, none queued, no record resumes the run`;
    }
  }
  return undefined;
}

describe('chains of a run (failureVerdict in a model of handovers, kills and failure records)', () => {
  it('never zero live chains while work remains, never more than workers plus the allowed extra ones', () => {
    fc.assert(fc.property(world(false), (w) => {
      expect(play(w, failureVerdict)).toBeUndefined();
    }), fcParams(400));
  });

  it('no extra chain at all when records name their call, writes land and successors start before the records come', () => {
    fc.assert(fc.property(world(true), (w) => {
      expect(play(w, failureVerdict)).toBeUndefined();
    }), fcParams(400));
  });

  it('the old decision (every record resumes the run) breaks the bound: the defect this fixes', () => {
    const everyRecordResumes: Decide = () => ({ resume: true, why: 'not-handed-over' });
    const found = fc.check(fc.property(world(true), (w) => play(w, everyRecordResumes) === undefined), fcParams(400));
    expect(found.failed).toBe(true);
    expect(play(found.counterexample?.[0] as World, everyRecordResumes)).toMatch(/live chains|extra chains/);
  });

  it('a decision that drops records a broken chain needs leaves a run with nothing alive: the liveness check has teeth', () => {
    const neverResumes: Decide = (id) => ({ resume: false, runId: 'r', successor: id ?? '' });
    const found = fc.check(fc.property(world(false), (w) => play(w, neverResumes) === undefined), fcParams(400));
    expect(found.failed).toBe(true);
    expect(play(found.counterexample?.[0] as World, neverResumes)).toMatch(/no invocation is alive/);
  });

  it('a record with no call id, or for a call that did not hand over, resumes; one whose successor recorded it does not', () => {
    const s: Succession = { v: 1, runId: 'r', predecessor: 'A', successor: 'B', at: '' };
    expect(failureVerdict(undefined, undefined)).toEqual({ resume: true, why: 'no-call-id' });
    expect(failureVerdict('A', undefined)).toEqual({ resume: true, why: 'not-handed-over' });
    expect(failureVerdict('C', s)).toEqual({ resume: true, why: 'not-handed-over' });
    expect(failureVerdict('A', s)).toEqual({ resume: false, runId: 'r', successor: 'B' });
  });
});
