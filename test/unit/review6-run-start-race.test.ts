/**
 * Two requests that name the same run id at the same moment (src/runs/lifecycle.ts startRun):
 * both read that no run exists, one creates it, the other's create finds it there. The same
 * request again joins; another request (another bucket) is refused naming runId, as when it
 * comes later: joined, it would be answered with the other request's run and its own bucket
 * never swept.
 */
import { describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../src/decide/watermark';
import { InvalidInputError } from '../../src/errors';
import { runKey, startRun, type RunPlan } from '../../src/runs/lifecycle';
import { RunState, type RunRecord } from '../../src/runs/model';
import type { StateStore } from '../../src/runs/store';
import { testRunContext } from '../support/run-context';

function planFor(bucketName: string): RunPlan {
  return {
    runId: 'same-id', trigger: { kind: 'manual', scope: 'bucket', bucketName }, triggerName: 'manual:bucket', namespace: 'ns',
    dryRun: false, watermark: EVERYTHING, units: [{ bucketName }], notes: [], incomplete: false,
  };
}

function recordOf(plan: RunPlan): RunRecord {
  return {
    v: 1, runId: plan.runId, createdAt: new Date().toISOString(), trigger: plan.trigger, triggerName: plan.triggerName,
    namespace: plan.namespace, dryRun: plan.dryRun, before: null, watermarkSource: 'force', units: plan.units,
    state: RunState.running, invocations: 0, maxInvocations: 100, noProgressLimit: 3, notes: [], incomplete: false, workers: 1,
  };
}

/** A state bucket where `other`'s run is created between this request's read and its own create. */
function racedStore(other: RunRecord): { store: StateStore; calls: string[] } {
  const calls: string[] = [];
  let runReads = 0;
  const store = {
    bucket: 'state',
    async get(name: string) {
      calls.push(`get ${name}`);
      if (name !== runKey(other.runId)) return undefined;
      runReads += 1;
      // The first read comes before the other request's create; every later one sees its run.
      return runReads === 1 ? undefined : { value: other, etag: 'e1' };
    },
    async create(name: string) {
      calls.push(`create ${name}`);
      return name === runKey(other.runId) ? 'exists' : { value: {}, etag: 'e0' };
    },
    async replace(name: string) {
      calls.push(`replace ${name}`);
      // Joined, the turn counts itself in the run (and fails on what this fake does not hold).
      throw new Error(`joined: replace ${name}`);
    },
    async list() { return []; },
    async delete() {},
  } as unknown as StateStore;
  return { store, calls };
}


describe('two requests naming one run id at the same moment', () => {
  it('the one whose create finds the other\'s run is refused naming runId', async () => {
    const { store, calls } = racedStore(recordOf(planFor('bucket-a')));
    let thrown: unknown;
    try {
      await startRun(planFor('bucket-b'), { store, owner: 'call-b' }, testRunContext());
    } catch (err) {
      thrown = err;
    }
    expect(thrown, calls.join('\n')).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).details.map((d) => d.field)).toContain('runId');
    // Refused before its turn: it never counted itself in the other's run.
    expect(calls.filter((c) => c.startsWith('replace'))).toEqual([]);
  });

  it('the same request raced with itself joins the run (its turn starts)', async () => {
    const { store, calls } = racedStore(recordOf(planFor('bucket-a')));
    await expect(startRun(planFor('bucket-a'), { store, owner: 'call-a2' }, testRunContext())).rejects.toThrow(/joined: replace/);
    expect(calls).toContain(`replace ${runKey('same-id')}`);
  });
});

describe('a request naming the run of the same bucket with another watermark', () => {
  /** A state bucket where `existing`'s run is already there. */
  function storeWith(existing: RunRecord): StateStore {
    return {
      bucket: 'state',
      async get(name: string) { return name === runKey(existing.runId) ? { value: existing, etag: 'e1' } : undefined; },
      async create() { return 'exists'; },
      async replace(name: string) { throw new Error(`joined: replace ${name}`); },
      async list() { return []; },
      async delete() {},
    } as unknown as StateStore;
  }
  const asked = (watermark: RunPlan['watermark']): RunPlan => ({ ...planFor('bucket-a'), watermark });
  const before = (iso: string): RunPlan['watermark'] => ({ watermark: { type: 'before', at: new Date(iso) }, source: 'request' });

  it('force after a run of versions before a time is refused naming runId (joined, the versions since were never swept)', async () => {
    const run = { ...recordOf(planFor('bucket-a')), before: '2026-01-01T00:00:00.000Z', watermarkSource: 'request' };
    const err = await startRun(asked(EVERYTHING), { store: storeWith(run), owner: 'c2' }, testRunContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).details.map((d) => d.field)).toContain('runId');
  });

  it('another before is refused too; the same before joins', async () => {
    const run = { ...recordOf(planFor('bucket-a')), before: '2026-01-01T00:00:00.000Z', watermarkSource: 'request' };
    const other = await startRun(asked(before('2026-06-01T00:00:00Z')), { store: storeWith(run), owner: 'c2' }, testRunContext()).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(InvalidInputError);
    await expect(startRun(asked(before('2026-01-01T00:00:00Z')), { store: storeWith(run), owner: 'c3' }, testRunContext())).rejects.toThrow(/joined: replace/);
  });

  it('a watermark resolved anew (the key\'s current version) joins whatever it resolves to: a redelivery after a rotation is the same request', async () => {
    const run = { ...recordOf(planFor('bucket-a')), before: '2026-01-01T00:00:00.000Z', watermarkSource: 'key-version' };
    const later: RunPlan['watermark'] = { watermark: { type: 'before', at: new Date('2026-06-01T00:00:00Z') }, source: 'key-version' };
    await expect(startRun(asked(later), { store: storeWith(run), owner: 'c4' }, testRunContext())).rejects.toThrow(/joined: replace/);
    // Everything (a bucket without a key of its own is swept whole) after the key's version: resolved anew too.
    await expect(startRun(asked(EVERYTHING), { store: storeWith(run), owner: 'c5' }, testRunContext())).rejects.toThrow(/joined: replace/);
  });

  it('a before after a run of everything is refused too', async () => {
    const run = { ...recordOf(planFor('bucket-a')), before: null, watermarkSource: 'force' };
    const err = await startRun(asked(before('2026-06-01T00:00:00Z')), { store: storeWith(run), owner: 'c6' }, testRunContext()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
  });
});
