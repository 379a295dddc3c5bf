/**
 * What the durable-run end-to-end tests share: buckets seeded as a rotation
 * finds them, the reports the function stored, and a watch on held units.
 */
import type { Emulator } from '../../emulator/src/index';
import { eventually, STATE_BUCKET, stateNames, stateRecord } from './stack';

/** Versions written an hour ago, before any rotation a test performs. */
const WRITTEN_AT = Date.now() - 3_600_000;

/** A versioned bucket under `keyId` holding `versions` versions (two per object). */
export function seedVersionedBucket(emu: Emulator, name: string, keyId: string, compartmentId: string, versions: number): void {
  emu.createBucket({ compartmentId, name, kmsKeyId: keyId, versioning: 'Enabled' });
  emu.seedObjects(name, {
    count: versions / 2, extraVersions: 1, prefix: `${name}/obj-`, timeModified: new Date(WRITTEN_AT).toISOString(),
    encryption: { kind: 'kms', keyId },
  });
}

/** Every final report stored in the state bucket. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- report shape asserted in tests
export function storedReports(emu: Emulator): Record<string, any>[] {
  return stateNames(emu, 'runs/').filter((n) => n.endsWith('/report.json')).map((n) => stateRecord(emu, n));
}

/** One sample of the holds in which more units were held by running invocations than a cap allows. */
export interface HoldSample {
  readonly at: string;
  readonly held: readonly { unit: string; owner: string; leaseLeftMs: number; ownerCall: string }[];
}

/**
 * Samples the state bucket every `everyMs`: the most units held at once by an invocation that
 * is still running, over every run. A hold's owner is the Fn call id of the invocation that
 * took it. A unit whose holder has ended (killed, timed out on a loaded machine) stays `held`
 * until its lease runs out and another worker takes it over; such a hold is not work being
 * done, so it is counted apart (`peakWithEnded` counts every `held` record). With `cap`, the
 * samples above it are kept (`overCap`), each hold with its owner's call, for a failure message.
 */
export function watchHolds(emu: Emulator, everyMs = 25, cap = Infinity): { peak: () => number; peakWithEnded: () => number; overCap: () => readonly HoldSample[]; stop: () => void } {
  let peak = 0;
  let peakWithEnded = 0;
  const over: HoldSample[] = [];
  const timer = setInterval(() => {
    const calls = new Map(emu.functions.invocations.filter((i) => i.finishedAt === undefined).map((i) => [i.callId, i]));
    const held = stateNames(emu, 'runs/').filter((n) => n.includes('/units/')).map((n) => [n, stateRecord(emu, n)] as const).filter(([, u]) => u?.state === 'held');
    const live = held.filter(([, u]) => calls.has(u.hold?.owner));
    peak = Math.max(peak, live.length);
    peakWithEnded = Math.max(peakWithEnded, held.length);
    if (live.length > cap && over.length < 20) {
      const now = Date.now();
      over.push({
        at: new Date(now).toISOString(),
        held: live.map(([n, u]) => {
          const call = calls.get(u.hold.owner);
          return { unit: n.slice(n.indexOf('/units/') + 7), owner: String(u.hold.owner), leaseLeftMs: Date.parse(u.hold.until) - now, ownerCall: `${call?.invokeType}/${call?.via} ${call?.requestBody.slice(0, 60)} since ${call?.startedAt.toISOString()}` };
        }),
      });
    }
  }, everyMs);
  return { peak: () => peak, peakWithEnded: () => peakWithEnded, overCap: () => [...over], stop: () => clearInterval(timer) };
}

/** A hold taken over once it had expired: the unit's holder before and after, and when. */
export interface Takeover {
  readonly unit: string;
  readonly bucketName: string;
  /** A bucket's listing pass (ranges.ts): it hands out ranges and re-encrypts nothing itself. */
  readonly listing: boolean;
  readonly from: string;
  readonly expiredAt: string;
  readonly to: string;
  readonly at: string;
}

/**
 * Every hold taken over after it expired, seen at each write to a unit record of the state bucket
 * (the emulator's store is wrapped for as long as this watches: nothing sampled, nothing missed).
 * A holder that ends without saving where its unit stands (killed at its timeout, or its
 * end-of-turn save refused past its hard stop, both seen on a CPU-starved machine), or that is
 * starved past its lease, leaves its hold to expire; the next holder resumes from the unit's last
 * saved position and does again what was done since. Re-encryption is idempotent, so that is
 * allowed (see `expectRedoExplained`), but only where a takeover happened. Seen as: a unit held by
 * A, then by B, with no write between them that released it, B's claim no earlier than A's hold
 * ran out. (It sampled every 50 ms before: a takeover whose holder finished the unit's last few
 * versions within one sample went unseen, and the redo it explained failed the test.)
 */
export function watchTakeovers(emu: Emulator): { takeovers: () => readonly Takeover[]; stop: () => void } {
  const store = emu.state.buckets.get(STATE_BUCKET)?.store;
  if (!store) throw new Error(`no state bucket ${STATE_BUCKET} to watch (a stack without runs?)`);
  const last = new Map<string, { owner: string; until: string } | undefined>();
  const found: Takeover[] = [];
  const observe = (name: string): void => {
    if (!name.startsWith('runs/') || !name.includes('/units/')) return;
    const u = stateRecord(emu, name);
    const hold = u?.state === 'held' && u.hold ? { owner: String(u.hold.owner), until: String(u.hold.until) } : undefined;
    const before = last.get(name);
    if (hold && before && hold.owner !== before.owner && Date.parse(String(u.updatedAt)) >= Date.parse(before.until)) {
      found.push({ unit: name, bucketName: String(u.bucketName), listing: u.listing === true, from: before.owner, expiredAt: before.until, to: hold.owner, at: String(u.updatedAt) });
    }
    last.set(name, hold);
  };
  for (const name of stateNames(emu, 'runs/')) observe(name);
  const { addVersion, replaceAll } = store;
  // Own properties over the prototype's methods; deleting them restores the prototype's.
  store.addVersion = (name, version) => {
    addVersion.call(store, name, version);
    observe(name);
  };
  store.replaceAll = (name, version) => {
    replaceAll.call(store, name, version);
    observe(name);
  };
  return {
    takeovers: () => [...found],
    stop: () => {
      store.addVersion = addVersion;
      store.replaceAll = replaceAll;
    },
  };
}

/**
 * Every version of `bucket` was re-encrypted, and none more often than once plus the takeovers
 * of its units that re-encrypt (`watchTakeovers`; a listing pass's takeover redoes no
 * re-encryption): each takeover redoes a version at most once. Without such a takeover this is
 * exactly once per version, as a run that was not duplicated does it.
 */
export function expectRedoExplained(emu: Emulator, bucket: string, versions: number, takeovers: readonly Takeover[], diagnostics: () => string = () => '', pauses = 0): void {
  const histogram = emu.reencryptCallHistogram(bucket);
  const counted = Object.values(histogram).reduce((a, b) => a + b, 0);
  const mine = takeovers.filter((t) => t.bucketName === bucket && !t.listing);
  const most = Math.max(...Object.keys(histogram).map(Number));
  const why = () => `${bucket}: versions by ReencryptObject calls ${JSON.stringify(histogram)}; takeovers ${JSON.stringify(mine)}; pauses ${pauses}\n${diagnostics()}`;
  // `pauses`: containers stopped on purpose (test/support/starve.ts). A paused holder's calls in flight are
  // answered by the emulator while it cannot read them; woken past its hard stop it abandons them as not
  // done, and the next holder redoes them without taking over an expired hold. One pause leaves at most one
  // such call per version (a holder has at most one call in flight per version).
  if (counted !== versions || histogram['0'] !== undefined || most > 1 + mine.length + pauses) throw new Error(`redo not explained by a takeover or a pause, or a version not re-encrypted: ${why()}`);
}

/**
 * What a stuck run looks like, for a test's failure message: every run and unit record in the
 * state bucket (state, hold, position, counts) and the function's invocations (how each was
 * called, for what, how it ended), oldest first, the last `lastInvocations` of them.
 */
export function describeRuns(emu: Emulator, lastInvocations = 60): string {
  const now = Date.now();
  const lines = [`state at ${new Date(now).toISOString()}:`];
  for (const name of stateNames(emu, 'runs/')) {
    const r = stateRecord(emu, name);
    if (name.endsWith('/run.json')) lines.push(`  ${name}: state=${r?.state} workers=${r?.workers} invocations=${r?.invocations} units=${r?.units?.length}`);
    else if (name.includes('/units/')) {
      const hold = r?.hold ? ` hold=${r.hold.owner} until ${r.hold.until} (${Date.parse(r.hold.until) - now} ms from now)` : '';
      lines.push(`  ${name}: ${r?.bucketName} ${r?.state}${hold} position=${JSON.stringify(r?.position)} reencrypted=${r?.counts?.reencrypted} invocations=${r?.invocations}${r?.listing ? ' listing' : ''}`);
    } else lines.push(`  ${name}`);
  }
  for (const name of stateNames(emu, 'unfinished/')) lines.push(`  ${name}`);
  const calls = emu.functions.invocations.slice(-lastInvocations);
  lines.push(`function invocations (last ${calls.length} of ${emu.functions.invocations.length}; throttled ${emu.functions.throttled}, published ${emu.functions.published.length}):`);
  for (const i of calls) {
    const ended = i.finishedAt ? `${i.finishedAt.getTime() - i.startedAt.getTime()} ms, ${i.status ?? i.error}` : 'running';
    lines.push(`  ${i.startedAt.toISOString()} ${i.callId} ${i.invokeType}/${i.via} ${i.requestBody.slice(0, 80)} -> ${ended} ${(i.responseBody ?? '').slice(0, 160)}`);
  }
  return lines.join('\n');
}

/** The tail of a long text: diagnostics stay readable in a CI log. */
function tail(lines: readonly string[], n: number): string[] {
  return lines.length > n ? [`... ${lines.length - n} earlier lines`, ...lines.slice(-n)] : [...lines];
}

/**
 * Everything needed to explain a run that did not end: each run's record, each unit's state,
 * hold and position, the function's invocations (body, status, start, finish), failure
 * records published, and the last lines of every live container's output.
 */
export function runDiagnostics(emu: Emulator, functionId: string): string {
  const out: string[] = [describeRuns(emu, 200), `failure records published: ${emu.functions.published.length}, delivery attempts: ${emu.functions.deliveryAttempts}`];
  const fns = emu.functions;
  const pool = fns.functions.get(functionId)?.pool;
  for (const [n, c] of (pool?.live ?? []).entries()) {
    out.push(`container ${n} (pid ${c.process.pid}, busy with ${c.busyWith?.slice(0, 120) ?? 'nothing'}):`, ...tail(c.output, 40).map((l) => `  ${l.slice(0, 400)}`));
  }
  return out.join('\n');
}

/**
 * Polls like `eventually`, but a run that does not get there fails with its diagnostics
 * (runDiagnostics) instead of a bare timeout. The limit is a hang guard, not a timing assertion:
 * keep it well below the test's own timeout so the diagnostics get printed.
 */
export async function eventuallyInRun<T>(emu: Emulator, functionId: string, probe: () => T | undefined, what: string, limitMs: number): Promise<T> {
  try {
    return await eventually(probe, what, limitMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- run diagnostics ---\n${runDiagnostics(emu, functionId)}`);
  }
}

/**
 * Where every invocation of a fanned-out run came from, from the emulator's records of the calls
 * and the function's answers. A `{"resume"}` invocation is started by the planner (one per worker
 * its answer counts as started), by an invocation handing over (its answer says `handedOver`), or
 * by a failure destination's delivery resuming the run (its answer lists the run under
 * `resumed`). An invocation that did not answer normally (killed at its timeout, or failed) may
 * have started one successor before it ended; so may a delivery that did not answer. Nothing else
 * starts one: the counts must fit between what the answers prove and that, however many
 * invocations the machine's load killed.
 */
export interface InvocationAccount {
  /** `{"resume": runId}` invocations (handovers' bodies also name who handed over). */
  readonly resumes: number;
  /** Workers the planner's answer counts as started. */
  readonly workersStarted: number;
  readonly plannerAnswered: boolean;
  /** Resume invocations whose answer says they handed over. */
  readonly handedOver: number;
  /** Deliveries of failure records (Notifications to the function) whose answer resumed the run. */
  readonly resumedByDeliveries: number;
  /** Deliveries that did not answer normally (each may have resumed the run before it ended). */
  readonly deliveriesUnanswered: number;
  /** Resume invocations killed at their timeout. */
  readonly killed: number;
  /** Resume invocations that answered an error or failed (the FDK's 502 included). */
  readonly failed: number;
  /** Failure records published (a detached invocation killed or failed). */
  readonly published: number;
  readonly deliveries: number;
}

/** A `{"resume": runId}` body, with or without the `handedOverBy` a handover adds (src/runs/chains.ts). */
export function isResumeOf(body: string, runId: string): boolean {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && (v as { resume?: unknown }).resume === runId;
  } catch {
    return false;
  }
}

export function accountInvocations(emu: Emulator, runId: string): InvocationAccount {
  const calls = emu.functions.invocations;
  const answer = (body: string | undefined): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(body ?? '');
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const answeredOk = (i: (typeof calls)[number]): boolean => i.status !== undefined && i.status < 300 && answer(i.responseBody)?.ok === true;
  const resumes = calls.filter((i) => isResumeOf(i.requestBody, runId));
  const planner = calls.find((i) => i.via !== 'notifications' && answer(i.responseBody)?.action === 'run-started' && answer(i.responseBody)?.runId === runId);
  const deliveries = calls.filter((i) => i.via === 'notifications');
  const started = (answer(planner?.responseBody)?.workers as { started?: number } | undefined)?.started ?? 0;
  return {
    resumes: resumes.length,
    workersStarted: started,
    plannerAnswered: planner !== undefined,
    handedOver: resumes.filter((i) => answeredOk(i) && answer(i.responseBody)?.handedOver === true).length,
    resumedByDeliveries: deliveries.filter((i) => answeredOk(i) && (answer(i.responseBody)?.resumed as unknown[] | undefined)?.includes(runId)).length,
    deliveriesUnanswered: deliveries.filter((i) => !answeredOk(i)).length,
    killed: resumes.filter((i) => i.error !== undefined).length,
    failed: resumes.filter((i) => i.error === undefined && !answeredOk(i)).length,
    published: emu.functions.published.length,
    deliveries: deliveries.length,
  };
}

/** Every resume invocation is accounted for (see `accountInvocations`); returns the account to log. */
export function expectInvocationsAccounted(emu: Emulator, runId: string, diagnostics: () => string = () => ''): InvocationAccount {
  const a = accountInvocations(emu, runId);
  const proven = a.workersStarted + a.handedOver + a.resumedByDeliveries;
  // A planner that did not answer (killed at its timeout) may have started up to the run's workers.
  const plannerUnknown = a.plannerAnswered ? 0 : Number(stateRecord(emu, `runs/${runId}/run.json`)?.workers ?? 0);
  const possible = proven + plannerUnknown + a.deliveriesUnanswered + a.killed + a.failed;
  const detachedFailed = emu.functions.invocations.filter((i) => i.invokeType === 'detached' && i.finishedAt !== undefined && (i.error !== undefined || (i.status ?? 0) >= 300)).length;
  const why = (what: string): string => `${what}: ${JSON.stringify(a)}\n${diagnostics()}`;
  if (a.resumes < proven || a.resumes > possible) throw new Error(why(`resume invocations not accounted for (between ${proven} and ${possible} expected, ${a.resumes} seen)`));
  // One failure record per detached invocation that did not end well, and each is delivered (and retried only when a delivery failed).
  if (a.published !== detachedFailed) throw new Error(why(`${a.published} failure records for ${detachedFailed} failed detached invocations`));
  if (emu.functions.deliveryAttempts < a.published) throw new Error(why('a failure record not delivered'));
  // Chains (src/runs/chains.ts): a failure record resumes the run again only for a call whose chain broke.
  const chains = chainsOf(emu, runId);
  const unexplained = chains.extra.filter((e) => e.explained === undefined);
  if (unexplained.length > 0) throw new Error(why(`failure records of calls that had handed the run over resumed it again: ${JSON.stringify(unexplained)}`));
  const workers = Math.max(1, Number(stateRecord(emu, `runs/${runId}/run.json`)?.workers ?? 1));
  if (chains.peak > workers + chains.extra.length) throw new Error(why(`${chains.peak} live chains at ${chains.peakAt}, more than ${workers} workers + ${chains.extra.length} explained extra chains`));
  return a;
}

function bodyOf(body: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A chain beyond the run's workers: which call's chain was continued twice, or why a record's resume did not claim one. */
export interface ExtraChain {
  /** The call whose chain was continued once too often ('' for a record naming no call). */
  readonly of: string;
  /** The invocation that made it one too many. */
  readonly by: string;
  /**
   * Which allowed case it is (src/runs/chains.ts): a record naming no call, a record of another
   * run's call (a record resumes every unfinished run), or a claimant killed before its claim
   * (its own record then resumes it). Undefined: two invocations continued one chain, a defect.
   */
  readonly explained: 'no-call-id' | 'a-call-of-another-run' | 'claimant-killed-before-its-claim' | undefined;
}

export interface ChainAccount {
  /** The most live chains at once: resume invocations at work whose chain no later invocation had taken on. */
  readonly peak: number;
  readonly peakAt: string;
  readonly extra: readonly ExtraChain[];
}

const predecessorOf = (body: string): string | undefined => {
  const b = bodyOf(body);
  const p = b?.['handedOverBy'] ?? b?.['replaces'];
  return typeof p === 'string' ? p : undefined;
};

/**
 * The run's chains of invocations, from the emulator's records of the calls: a handover's body
 * names its predecessor (`handedOverBy`), a failure record's resume the failed call (`replaces`);
 * of the invocations naming the same call, one continues its chain and any other ends at once
 * (`chain-continued-elsewhere`, not a chain). A chain is live from its invocation's start until an
 * invocation continuing it starts, or it ends. What may add a chain beyond the run's workers
 * (`extra`): each must be one of the cases chains.ts allows, or it is a defect.
 */
export function chainsOf(emu: Emulator, runId: string): ChainAccount {
  const calls = emu.functions.invocations;
  const resumes = calls.filter((i) => isResumeOf(i.requestBody, runId) && bodyOf(i.responseBody ?? '')?.['action'] !== 'chain-continued-elsewhere');
  const inRun = new Set(resumes.map((i) => i.callId));
  const endedBadly = (i: (typeof calls)[number]): boolean => i.finishedAt !== undefined && (i.error !== undefined || (i.status ?? 0) >= 300);
  const continuations = new Map<string, (typeof calls)[number][]>();
  for (const i of resumes) {
    const p = predecessorOf(i.requestBody);
    if (p !== undefined) continuations.set(p, [...(continuations.get(p) ?? []), i]);
  }
  const edges: { at: number; d: number }[] = [];
  for (const i of resumes) {
    const next = Math.min(...(continuations.get(i.callId) ?? []).map((c) => c.startedAt.getTime()), Infinity);
    const end = Math.min(next, i.finishedAt?.getTime() ?? Infinity);
    edges.push({ at: i.startedAt.getTime(), d: 1 });
    if (end !== Infinity) edges.push({ at: end, d: -1 });
  }
  // Ends before starts at the same instant: a chain passes to the invocation that continues it.
  edges.sort((x, y) => x.at - y.at || x.d - y.d);
  let live = 0;
  let peak = 0;
  let peakAt = 0;
  for (const e of edges) {
    live += e.d;
    if (live > peak) [peak, peakAt] = [live, e.at];
  }
  const extra: ExtraChain[] = [];
  // A record's resume of this run that claimed no chain of it.
  for (const i of resumes) {
    const b = bodyOf(i.requestBody);
    const fromRecord = b?.['handedOverBy'] === undefined && calls.some((d) => d.via === 'notifications' && d.startedAt <= i.startedAt && (d.finishedAt ?? new Date()) >= i.startedAt);
    if (!fromRecord) continue;
    const replaces = b?.['replaces'];
    if (typeof replaces !== 'string') extra.push({ of: '', by: i.callId, explained: 'no-call-id' });
    else if (!inRun.has(replaces)) extra.push({ of: replaces, by: i.callId, explained: 'a-call-of-another-run' });
  }
  // One chain continued by two invocations: the one that claimed it (recorded under runs/<run>/handed/<call>)
  // goes on. Another one is allowed only if it ended badly before its claim: its own record then resumes the
  // run and continues it a second time. One that went on without the claim is a defect.
  for (const [p, cs] of continuations) {
    const winner = (stateRecord(emu, `runs/${runId}/handed/${p}`) as { successor?: string } | undefined)?.successor ?? cs[0]?.callId;
    for (const o of cs.filter((c) => c.callId !== winner)) {
      extra.push({ of: p, by: o.callId, explained: endedBadly(o) ? 'claimant-killed-before-its-claim' : undefined });
    }
  }
  return { peak, peakAt: new Date(peakAt).toISOString(), extra };
}
