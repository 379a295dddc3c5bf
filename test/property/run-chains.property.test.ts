/**
 * The chains of a run (src/runs/chains.ts) as a model: invocations start, take turns, hand
 * over (Functions accepts or refuses the successor, and may start it late), answer, or are
 * killed at any point, before or after handing over; a successor and a failure record's resume
 * each claim their predecessor's chain as they start (the first claim wins, the other ends; or
 * the state bucket refuses the claim); failure records are delivered at any time, before, while
 * or after the successor runs, with or without the failed call's id. The decision on each record
 * is the real `failureVerdict`.
 *
 * What must hold after every step, whatever the schedule:
 *  - the run always reaches its end by itself: while work remains, some invocation is alive or
 *    will start, or a record still to be delivered resumes the run;
 *  - at most `workers` live chains, plus one per claim the state bucket refused, per record naming
 *    no call whose call had a successor, and per claimant killed before its claim; so none at all
 *    when records carry the call id, claims land and successors live to claim, in whatever order
 *    successors start and records come.
 * And the old protocol (every record resumes, nothing claims) breaks the bound: the defect fixed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureVerdict, type ContinuedBy, type FailureVerdict, type Succession } from '../../src/runs/chains';
import { fcParams } from '../support/fast-check';

type Phase = 'queued' | 'running' | 'handed' | 'ended';
interface Call {
  readonly id: string;
  phase: Phase;
  /** The call whose chain this one may continue: as its successor (a handover) or as its failure record's resume. */
  readonly predecessor: string | undefined;
  readonly by: ContinuedBy;
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
  /** start: the claim's write is refused; end-turn: the successor is refused (429); kill/start-dies: the record names no call. */
  readonly mishap: boolean;
}
interface World {
  readonly workers: number;
  readonly turns: number;
  /**
   * Records carry the id, the state bucket takes every claim, and no successor is killed before its
   * claim (records and successors still come in any order).
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
/** `claims`: false plays the old protocol, where no resume claims its predecessor's chain. */
function play(w: World, decide: Decide, claims = true): string | undefined {
  const calls: Call[] = [];
  const records: FailureRecord[] = [];
  const successions = new Map<string, Succession>();
  let work = w.turns;
  let allowedExtra = 0;
  let next = 0;
  const spawn = (predecessor: string | undefined, by: ContinuedBy): void => {
    calls.push({ id: `call-${next++}`, phase: 'queued', predecessor, by });
  };
  const fail = (c: Call, withId: boolean): void => {
    c.phase = 'ended';
    records.push({ failed: c.id, withId: w.tidy || withId });
  };
  const among = <T>(xs: readonly T[], pick: number): T | undefined => xs[pick % Math.max(1, xs.length)];
  for (let i = 0; i < w.workers; i++) spawn(undefined, 'handover');
  for (const step of w.steps) {
    const inPhase = (p: Phase): Call[] => calls.filter((c) => c.phase === p);
    if (step.kind === 'start' || step.kind === 'start-dies') {
      const c = among(inPhase('queued'), step.pick);
      if (!c) continue;
      // A claimant killed before its claim: its record resumes the run, and so did (or does) the record or
      // handover it came from: two claims on two calls of one chain, one chain too many, allowed. Tidy
      // schedules leave that double fault out.
      if (step.kind === 'start-dies' && !(w.tidy && c.predecessor !== undefined)) {
        if (claims && c.predecessor !== undefined) allowedExtra += 1;
        fail(c, !step.mishap);
      } else {
        c.phase = 'running';
        // The first act (run.ts, continueChain): claim the predecessor's chain; a later claim ends its call.
        if (claims && c.predecessor !== undefined) {
          const refused = step.mishap && !w.tidy;
          if (refused) allowedExtra += 1; // goes on unrecorded: possibly one chain too many
          else if (successions.has(c.predecessor)) c.phase = 'ended';
          else successions.set(c.predecessor, { v: 1, runId: 'r', predecessor: c.predecessor, successor: c.id, by: c.by, at: '' });
        }
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
        spawn(c.id, 'handover');
        c.phase = 'handed';
      }
    } else if (step.kind === 'answer') {
      const c = among(inPhase('handed'), step.pick);
      if (c) c.phase = 'ended';
    } else if (step.kind === 'kill') {
      const c = among([...inPhase('running'), ...inPhase('handed')], step.pick);
      if (c) fail(c, !step.mishap);
    } else {
      const r = among(records, step.pick);
      if (!r) continue;
      records.splice(records.indexOf(r), 1);
      const id = r.withId ? r.failed : undefined;
      const verdict = decide(id, id === undefined ? undefined : successions.get(id));
      if (verdict.resume && work > 0) {
        // A record naming no call cannot claim the chain: one chain too many if the call had a successor.
        if (id === undefined && calls.some((c) => c.predecessor === r.failed)) allowedExtra += 1;
        spawn(id, 'failure-record');
      }
    }
    // Live chains: calls at work, and calls still queued counted once per chain they may continue (of two
    // queued claimants of the same predecessor one goes on; one whose predecessor's chain is claimed will end).
    const queued = calls.filter((c) => c.phase === 'queued');
    const claimable = new Set(queued.flatMap((c) => (c.predecessor !== undefined && claims && !successions.has(c.predecessor) ? [c.predecessor] : [])));
    const unnamed = queued.filter((c) => c.predecessor === undefined || !claims).length;
    const alive = calls.filter((c) => c.phase === 'running').length + claimable.size + unnamed;
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

  it('no extra chain at all when records name their call and claims land, whatever the order of successors and records', () => {
    fc.assert(fc.property(world(true), (w) => {
      expect(play(w, failureVerdict)).toBeUndefined();
    }), fcParams(400));
  });

  it('the old protocol (every record resumes the run, nothing claims a chain) breaks the bound: the defect this fixes', () => {
    const everyRecordResumes: Decide = () => ({ resume: true, why: 'not-handed-over' });
    const found = fc.check(fc.property(world(true), (w) => play(w, everyRecordResumes, false) === undefined), fcParams(400));
    expect(found.failed).toBe(true);
    expect(play(found.counterexample?.[0] as World, everyRecordResumes, false)).toMatch(/live chains|extra chains/);
  });

  it('a decision that drops records a broken chain needs leaves a run with nothing alive: the liveness check has teeth', () => {
    const neverResumes: Decide = (id) => ({ resume: false, runId: 'r', successor: id ?? '' });
    const found = fc.check(fc.property(world(false), (w) => play(w, neverResumes) === undefined), fcParams(400));
    expect(found.failed).toBe(true);
    expect(play(found.counterexample?.[0] as World, neverResumes)).toMatch(/no invocation is alive/);
  });

  it('a record with no call id, or for a call that did not hand over, resumes; one whose successor recorded it does not', () => {
    const s: Succession = { v: 1, runId: 'r', predecessor: 'A', successor: 'B', by: 'handover', at: '' };
    expect(failureVerdict(undefined, undefined)).toEqual({ resume: true, why: 'no-call-id' });
    expect(failureVerdict('A', undefined)).toEqual({ resume: true, why: 'not-handed-over' });
    expect(failureVerdict('C', s)).toEqual({ resume: true, why: 'not-handed-over' });
    // Only a handover's claim shows the call's run: a failure record's own resumes claim in every run.
    expect(failureVerdict('A', { ...s, by: 'failure-record' })).toEqual({ resume: true, why: 'not-handed-over' });
    expect(failureVerdict('A', s)).toEqual({ resume: false, runId: 'r', successor: 'B' });
  });
});
