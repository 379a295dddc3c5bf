/**
 * The bucket strategy's unit across invocations (src/runs/worker.ts +
 * bucket-unit.ts), with an in-memory state bucket and an Object Storage
 * that answers ReencryptBucket / GetWorkRequest as each case says.
 */
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import type { RunContext } from '../../src/engine/context';
import { createLogger } from '../../src/log';
import { OciCallError } from '../../src/oci/errors';
import type { BucketFacts, ObjectStorage, WorkRequestView } from '../../src/oci/object-storage';
import { routeUnit, type StrategyAsk } from '../../src/runs/bucket-unit';
import { newUnit, UnitState, type UnitRecord } from '../../src/runs/model';
import { StateStore } from '../../src/runs/store';
import { takeUnitTurn, type UnitTurn } from '../../src/runs/worker';
import { EVERYTHING } from '../../src/decide/watermark';

const FACTS: BucketFacts = { namespace: 'ns', name: 'big', compartmentId: 'ocid1.compartment.oc1..c', kmsKeyId: 'ocid1.key.oc1..k', versioned: true };
const KEY = 'runs/r/units/00000.json';

interface Script {
  reencryptBucket: () => Promise<{ workRequestId: string }>;
  getWorkRequest?: () => Promise<WorkRequestView>;
}

/** Object Storage for the unit's calls; anything else (a per-version sweep) is recorded as a call that must not happen. */
function world(script: Script) {
  const state = new Map<string, { text: string; etag: string }>();
  let n = 0;
  const calls: string[] = [];
  const writes = { failing: false };
  const os = {
    async putText(_ns: string, _b: string, name: string, text: string) {
      if (writes.failing) throw new OciCallError('PutObject', { status: 503, serviceCode: 'ServiceUnavailable', message: 'busy', outOfTime: false });
      const etag = `e${++n}`;
      state.set(name, { text, etag });
      return { etag };
    },
    async getText(_ns: string, _b: string, name: string) {
      const cur = state.get(name);
      if (!cur) throw new OciCallError('GetObject', { status: 404, serviceCode: 'ObjectNotFound', message: 'nf', outOfTime: false });
      return cur;
    },
    async getBucket() { calls.push('GetBucket'); return FACTS; },
    async getBucketWithCount() { calls.push('GetBucket'); return { ...FACTS, approximateCount: 1_000_000 }; },
    async reencryptBucket() { calls.push('ReencryptBucket'); return script.reencryptBucket(); },
    async getWorkRequest() {
      calls.push('GetWorkRequest');
      // As Oci.call wraps the SDK's refusal of a missing path parameter: an error without a status.
      if (!script.getWorkRequest) throw new OciCallError('GetWorkRequest', { message: 'Missing the required parameter', outOfTime: false });
      return script.getWorkRequest();
    },
    async listWorkRequestErrors() { calls.push('ListWorkRequestErrors'); return { errors: [], truncated: false }; },
  };
  const objectStorage = new Proxy(os, {
    get(target, prop) {
      if (prop in target) return target[prop as keyof typeof target];
      return async () => { calls.push(`unexpected:${String(prop)}`); throw new Error(`unexpected call ${String(prop)}`); };
    },
  }) as unknown as ObjectStorage;
  const store = new StateStore(objectStorage, 'ns', 'state');
  return { store, objectStorage, calls, writes };
}

function ctxOf(objectStorage: ObjectStorage): RunContext {
  const now = Date.now();
  return {
    config: { maxFailuresReported: 10, checkpointMs: 1000 }, objectStorage, limit: pLimit(4), notes: [],
    logger: createLogger('error', {}, () => undefined),
    // Time for one poll and no more: each turn polls once and hands the unit back.
    budget: { startedAt: now, deadline: now + 60_000, stopStartingAt: now + 10, hardStopAt: now + 50_000 },
  } as unknown as RunContext;
}

const ASK: StrategyAsk = { requested: 'bucket', source: 'request', explicitBefore: false, dryRun: false, minObjects: 1 };

async function turn(w: ReturnType<typeof world>, unit: UnitRecord, failWrites = false): Promise<UnitRecord> {
  const created = await w.store.create(KEY, unit);
  const held = created === 'exists' ? (await w.store.get(KEY, (v): v is UnitRecord => true))! : created;
  w.writes.failing = failWrites;
  const t: UnitTurn = {
    store: w.store, key: KEY, namespace: 'ns', dryRun: false, watermark: EVERYTHING.watermark, leaseMs: 30_000, noProgressLimit: 3, alone: true, strategy: ASK,
  };
  const r = await takeUnitTurn(held, t, ctxOf(w.objectStorage));
  return r.unit ?? (await w.store.get(KEY, (v): v is UnitRecord => true))!.value;
}

describe('a bucket-strategy unit across invocations', () => {
  it('whose ReencryptBucket failed with a 5xx calls ReencryptBucket again next turn, never falling back to a per-version sweep', async () => {
    let attempt = 0;
    const w = world({
      async reencryptBucket() {
        attempt += 1;
        if (attempt === 1) throw new OciCallError('ReencryptBucket', { status: 503, serviceCode: 'ServiceUnavailable', message: 'busy', outOfTime: false });
        return { workRequestId: 'ocid1.objectstorageworkrequest.oc1..wr' };
      },
      async getWorkRequest() { return { id: 'ocid1.objectstorageworkrequest.oc1..wr', status: 'COMPLETED', percentComplete: 100 }; },
    });
    const first = await turn(w, newUnit({ bucketName: 'big' }, Date.now()));
    expect(first).toMatchObject({ state: UnitState.pending, noProgress: 1, strategy: { used: 'bucket' } });
    const second = await turn(w, first);
    expect(w.calls.filter((c) => c.startsWith('unexpected'))).toEqual([]);
    expect(w.calls.filter((c) => c === 'ReencryptBucket')).toHaveLength(2);
    expect(second).toMatchObject({ state: UnitState.done, strategy: { used: 'bucket' }, workRequest: { status: 'COMPLETED' } });
  });

  it('never calls ReencryptBucket before its intent is saved: with the state bucket failing, the call waits for a later turn', async () => {
    const w = world({
      async reencryptBucket() { return { workRequestId: 'ocid1.objectstorageworkrequest.oc1..wr' }; },
      async getWorkRequest() { return { id: 'ocid1.objectstorageworkrequest.oc1..wr', status: 'COMPLETED', percentComplete: 100 }; },
    });
    const unit = newUnit({ bucketName: 'big' }, Date.now());
    await turn(w, unit, true);
    expect(w.calls.filter((c) => c === 'ReencryptBucket')).toHaveLength(0);
    w.writes.failing = false;
    const stored = (await w.store.get(KEY, (v): v is UnitRecord => true))!.value;
    expect(await turn(w, stored)).toMatchObject({ state: UnitState.done, workRequest: { calls: 1 } });
    expect(w.calls.filter((c) => c === 'ReencryptBucket')).toHaveLength(1);
  });

  it('whose ReencryptBucket answered without a work request id stops, and never calls ReencryptBucket again', async () => {
    const w = world({ async reencryptBucket() { return { workRequestId: undefined as unknown as string }; } });
    let unit = newUnit({ bucketName: 'big' }, Date.now());
    for (let i = 0; i < 3 && unit.state !== UnitState.stopped; i += 1) unit = await turn(w, unit);
    expect(w.calls.filter((c) => c === 'ReencryptBucket')).toHaveLength(1);
    expect(unit.state).toBe(UnitState.stopped);
    expect(unit.reason).toMatch(/^work-request-failed: .*work request id/);
  });
});

describe('routeUnit for a unit decided bucket', () => {
  it('goes on with ReencryptBucket, unless the bucket is gone (the objects path reports it not-found)', () => {
    const decided: UnitRecord = { ...newUnit({ bucketName: 'big' }, 0), strategy: { used: 'bucket', reason: 'strategy bucket (request)' } };
    expect(routeUnit(decided, FACTS, ASK).kind).toBe('bucket');
    expect(routeUnit(decided, { failure: {} }, ASK).kind).toBe('bucket');
    expect(routeUnit(decided, 'not-found', ASK).kind).toBe('objects');
  });
});
