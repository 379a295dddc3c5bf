/**
 * CPU starvation on demand, for the durable-run tests: what a loaded machine does to a
 * function's containers (load average ~25 on 2 cores), made deterministic. A container
 * serving a `{"resume": ...}` call is stopped (SIGSTOP) for a while and continued
 * (SIGCONT): it runs no code, misses its checkpoints, its lease runs out, and if the
 * pause reaches its Fn timeout the emulator ends the call and kills the container, as Fn
 * does, before the invocation could hand over. Which calls are paused, when and for how
 * long is drawn from a seeded PRNG per call, so a seed gives the same plan of pauses.
 *
 * The emulator is not changed: this only observes which container takes which call (by
 * wrapping the function pool's acquire/release of this one stack) and signals processes.
 */
import type { Emulator } from '../../emulator/src/index';
import type { FunctionContainer } from '../../emulator/src/function-pool';
import { mulberry32 } from '../../emulator/src/util';
import { STATE_BUCKET } from './stack';

export interface StarveOptions {
  readonly seed: number;
  /** Share of resume calls paused past their timeout (Fn kills them before they hand over). */
  readonly pKill: number;
  /** Share of resume calls paused past their lease but (usually) not their timeout: taken over while alive. */
  readonly pStall: number;
  /** Stop pausing after this many calls have been paused (so a run always gets to finish). */
  readonly maxPauses?: number;
  /**
   * Pause nothing until this holds (checked as each call takes its container). A test that also needs
   * a number of handovers to happen (stopAfterHandover) waits for them here: paused from the first
   * call, a run can end with no invocation ever handing over.
   */
  readonly startWhen?: () => boolean;
}

export interface Pause {
  readonly callId: string | undefined;
  readonly kind: 'kill' | 'stall';
  readonly afterMs: number;
  readonly forMs: number;
}

export interface Starver {
  /** Pauses planned so far (each began, unless the call ended first). */
  pauses(): readonly Pause[];
  /** Continues every paused container and stops pausing new calls. */
  stop(): void;
}

/**
 * Pauses some of the `{"resume"}` calls of `functionId` (a stack with `runs`, whose emulator runs the
 * containers). `timeoutSeconds`: the function's detached timeout (a kill pause lasts past it);
 * `leaseMs`: a hold's lease (a stall pause lasts past it).
 */
export function starveResumes(emu: Emulator, functionId: string, timing: { timeoutSeconds: number; leaseMs: number }, options: StarveOptions): Starver {
  const pool = emu.functions.functions.get(functionId)?.pool;
  if (!pool) throw new Error(`function ${functionId} has no container pool (a stack without runs?)`);
  const next = mulberry32(options.seed);
  const planned: Pause[] = [];
  const timers = new Map<FunctionContainer, NodeJS.Timeout[]>();
  const stopped = new Set<FunctionContainer>();
  const taken = new Set<string>();
  let active = true;
  const signal = (c: FunctionContainer, sig: NodeJS.Signals): void => {
    try {
      c.process.kill(sig);
    } catch {
      // Already gone (killed at its timeout): nothing to continue.
    }
  };
  const clear = (c: FunctionContainer): void => {
    for (const t of timers.get(c) ?? []) clearTimeout(t);
    timers.delete(c);
    if (stopped.delete(c)) signal(c, 'SIGCONT');
  };
  const acquire = pool.acquire.bind(pool);
  const release = pool.release.bind(pool);
  pool.acquire = async (body: string): Promise<FunctionContainer> => {
    const c = await acquire(body);
    // Three draws per call whatever is decided, so a seed gives the same plan per call number.
    const [kindDraw, atDraw, lengthDraw] = [next(), next(), next()];
    if (!active || !body.startsWith('{"resume"') || (options.startWhen && !options.startWhen()) || (options.maxPauses !== undefined && planned.length >= options.maxPauses)) return c;
    const kind = kindDraw < options.pKill ? 'kill' : kindDraw < options.pKill + options.pStall ? 'stall' : undefined;
    if (!kind) return c;
    const timeoutMs = timing.timeoutSeconds * 1000;
    // Somewhere in the turn: after it claimed (a second in), before its safety margin.
    const afterMs = Math.round(500 + atDraw * (timeoutMs * 0.6));
    const forMs = kind === 'kill'
      ? Math.round(timeoutMs + 1000 + lengthDraw * 1000)
      : Math.round(timing.leaseMs + 200 + lengthDraw * 800);
    const running = emu.functions.invocations.filter((i) => i.finishedAt === undefined && i.requestBody === body && !taken.has(i.callId));
    const callId = running[0]?.callId;
    if (callId) taken.add(callId);
    planned.push({ callId, kind, afterMs, forMs });
    timers.set(c, [
      setTimeout(() => {
        if (!active) return;
        stopped.add(c);
        signal(c, 'SIGSTOP');
      }, afterMs),
      setTimeout(() => clear(c), afterMs + forMs),
    ]);
    return c;
  };
  pool.release = (c: FunctionContainer, healthy?: boolean): void => {
    clear(c);
    release(c, healthy);
  };
  return {
    pauses: () => [...planned],
    stop() {
      active = false;
      for (const c of [...timers.keys()]) clear(c);
      pool.acquire = acquire;
      pool.release = release;
    },
  };
}

export interface HandoverStopper {
  /** Call ids of the invocations stopped once their successor was accepted. */
  stopped(): readonly string[];
  /** Continues any container still stopped and stops watching. */
  stop(): void;
}

/**
 * The one case a fanned-out run's chains must survive and not multiply on: an invocation killed
 * AFTER Functions accepted its successor. For the first `times` handovers of `runId` made by a
 * `{"resume"}` invocation, the predecessor's container is stopped (SIGSTOP) the moment the
 * emulator admits the successor, and stays stopped until Fn kills it at its timeout: the
 * successor runs, and the predecessor's failure record reaches the failure destination. The
 * predecessor is the `{"resume"}` call of the run the successor's body names (`handedOverBy`),
 * or, for a body that names none, the only one of the run running; with more than one
 * candidate nothing is stopped (use it on runs of one chain, or on bodies that name it).
 * `holdSuccessors`: each stopped call's successor is held back until that call's failure record
 * has been delivered and its resume has claimed the call's chain, as when Functions queues an
 * accepted detached call under load.
 */
export function stopAfterHandover(emu: Emulator, functionId: string, runId: string, times: number, options: { holdSuccessors?: boolean } = {}): HandoverStopper {
  const fns = emu.functions;
  const pool = fns.functions.get(functionId)?.pool;
  if (!pool) throw new Error(`function ${functionId} has no container pool (a stack without runs?)`);
  const containerOf = new Map<string, FunctionContainer>();
  const stopped: string[] = [];
  const frozen = new Set<FunctionContainer>();
  let active = true;
  const resumeOf = (body: string): { resume?: unknown; handedOverBy?: unknown } | undefined => {
    try {
      const v: unknown = JSON.parse(body);
      return typeof v === 'object' && v !== null && 'resume' in v ? (v as { resume?: unknown; handedOverBy?: unknown }) : undefined;
    } catch {
      return undefined;
    }
  };
  const acquire = pool.acquire.bind(pool);
  pool.acquire = async (body: string): Promise<FunctionContainer> => {
    // holdSuccessors: a stopped call's successor starts only once that call's failure record has been delivered
    // (Functions may queue a detached call it accepted), so the record's resume comes first.
    const by = resumeOf(body)?.handedOverBy;
    if (options.holdSuccessors && typeof by === 'string' && stopped.includes(by)) {
      // ... and once the record's resume has claimed that call's chain (src/runs/chains.ts).
      const claimed = (): boolean => emu.state.buckets.get(STATE_BUCKET)?.store.latest(`runs/${runId}/handed/${by}`) !== undefined;
      while (active && !(fns.invocations.some((i) => i.via === 'notifications' && i.finishedAt !== undefined && i.requestBody.includes(by)) && claimed())) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const c = await acquire(body);
    const call = fns.invocations.find((i) => i.finishedAt === undefined && i.requestBody === body && !containerOf.has(i.callId));
    if (call) containerOf.set(call.callId, c);
    return c;
  };
  const invokeDetached = fns.invokeDetached.bind(fns);
  fns.invokeDetached = (fid, body, contentType, via, caller) => {
    const asked = via === 'api' ? resumeOf(body.toString('utf8')) : undefined;
    let predecessor: string | undefined;
    if (asked?.resume === runId && stopped.length < times) {
      const running = fns.invocations.filter((i) => i.finishedAt === undefined && resumeOf(i.requestBody)?.resume === runId && containerOf.has(i.callId));
      const named = typeof asked.handedOverBy === 'string' ? running.filter((i) => i.callId === asked.handedOverBy) : running;
      if (named.length === 1) predecessor = named[0]?.callId;
    }
    // Stopped in the same tick as the successor is admitted (before it, so that a held-back successor's
    // container request already sees it stopped); undone if Functions refuses the successor.
    const c = predecessor === undefined ? undefined : containerOf.get(predecessor);
    if (predecessor !== undefined && c) {
      stopped.push(predecessor);
      frozen.add(c);
      c.process.kill('SIGSTOP');
    }
    try {
      return invokeDetached(fid, body, contentType, via, caller);
    } catch (err) {
      if (predecessor !== undefined && c) {
        stopped.splice(stopped.indexOf(predecessor), 1);
        frozen.delete(c);
        c.process.kill('SIGCONT');
      }
      throw err;
    }
  };
  return {
    stopped: () => [...stopped],
    stop() {
      active = false;
      pool.acquire = acquire;
      fns.invokeDetached = invokeDetached;
      for (const c of frozen) {
        try {
          c.process.kill('SIGCONT');
        } catch {
          // Killed at its timeout already.
        }
      }
    },
  };
}
