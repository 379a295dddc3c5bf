/**
 * State-bucket leftovers of durable runs (src/runs/abandoned.ts, lifecycle.ts startRun/takeTurn):
 * an `unfinished/` marker whose start died before storing its run is removed by the resume that
 * finds no run, once no start can still be between its two writes; a run that exists always
 * keeps its marker, however a start and a removal interleave. And a failure record handled as
 * "nothing resumed" deletes the list of runs an earlier delivery of it resumed.
 * Ages are set in the stored markers (hours apart from the clock), never waited for.
 */
import { describe, expect, it, vi } from 'vitest';
import { EVERYTHING } from '../../src/decide/watermark';
import { InvalidInputError } from '../../src/errors';
import { resumeAbandoned } from '../../src/runs/abandoned';
import { forgetOrphanMarker, ORPHAN_MARKER_AGE_MS, type RunPlaces } from '../../src/runs/orphan-markers';
import { successionKey, type Succession } from '../../src/runs/chains';
import { isRunRecord, OPEN_PREFIX, runKey, startRun, takeTurn, type RunPlan } from '../../src/runs/lifecycle';
import type { RunRecord } from '../../src/runs/model';
import { StateStore } from '../../src/runs/store';
import { memoryBucket } from '../support/memory-bucket';
import { testRunContext } from '../support/run-context';

/** The state store over an in-memory bucket (test/support/memory-bucket.ts), with its objects and hooks. */
function bucket() {
  const b = memoryBucket();
  return { store: new StateStore(b.os, 'ns', 'state'), objects: b.objects, beforePut: b.beforePut, beforeDelete: b.beforeDelete };
}

const RUN = 'run-20261130T100000-aaaaaaaaaaaa';
const markerKey = `${OPEN_PREFIX}${RUN}`;
const places: RunPlaces<RunRecord> = { marker: markerKey, record: runKey(RUN), isRun: isRunRecord };
const NOW = Date.parse('2026-11-30T12:00:00.000Z');
const HOUR = 3_600_000;
const markerAt = (ms: number) => ({ runId: RUN, createdAt: new Date(ms).toISOString(), trigger: 'manual:bucket' });

function plan(): RunPlan {
  return {
    runId: RUN, trigger: { kind: 'manual', scope: 'bucket', bucketName: 'b' }, triggerName: 'manual:bucket', namespace: 'ns',
    dryRun: false, watermark: EVERYTHING, units: [{ bucketName: 'b' }], notes: [], incomplete: false,
  };
}


/** A stored run record (what startRun writes), enough for the marker's decisions. */
async function storeRun(store: StateStore): Promise<void> {
  const record: RunRecord = {
    v: 1, runId: RUN, createdAt: new Date(NOW).toISOString(), trigger: plan().trigger, triggerName: 'manual:bucket', namespace: 'ns',
    dryRun: false, before: null, watermarkSource: 'force', units: [{ bucketName: 'b' }], state: 'running', invocations: 0,
    maxInvocations: 100, noProgressLimit: 3, notes: [], incomplete: false, workers: 1,
  } as RunRecord;
  await store.create(runKey(RUN), record);
}

describe('a marker whose run was never stored', () => {
  it('is removed once older than any start that could still be between its two writes', async () => {
    const { store, objects } = bucket();
    await store.create(markerKey, markerAt(NOW - ORPHAN_MARKER_AGE_MS - 1));
    expect(await forgetOrphanMarker(places, store, NOW)).toBe('removed');
    expect(objects.has(markerKey)).toBe(false);
  });

  it('is left alone while a start may still be writing its run (younger than the bound)', async () => {
    const { store, objects } = bucket();
    await store.create(markerKey, markerAt(NOW - ORPHAN_MARKER_AGE_MS + 1));
    expect(await forgetOrphanMarker(places, store, NOW)).toBe('young');
    expect(objects.has(markerKey)).toBe(true);
  });

  it('is never removed when its run exists, however old', async () => {
    const { store, objects } = bucket();
    await store.create(markerKey, markerAt(NOW - 10 * ORPHAN_MARKER_AGE_MS));
    await storeRun(store);
    expect(await forgetOrphanMarker(places, store, NOW)).toBe('run-exists');
    expect(objects.has(markerKey)).toBe(true);
  });

  it('is put back when a start stores the run between the removal\'s read and its delete', async () => {
    const { store, objects, beforeDelete } = bucket();
    await store.create(markerKey, markerAt(NOW - ORPHAN_MARKER_AGE_MS - HOUR));
    // A redelivered start found the old marker there ('exists') and stores its run just now.
    beforeDelete.set(markerKey, () => storeRun(store));
    expect(await forgetOrphanMarker(places, store, NOW)).toBe('run-exists');
    expect(objects.has(markerKey)).toBe(true);
  });

  it('a start that found an old marker lists its run again if the marker was removed before it stored the run', async () => {
    const { store, objects, beforePut } = bucket();
    await store.create(markerKey, markerAt(Date.now() - ORPHAN_MARKER_AGE_MS - HOUR));
    // The removal runs whole between the start's marker write (which finds the old one) and its run's write.
    let removal: string | undefined;
    beforePut.set(runKey(RUN), async () => { removal = await forgetOrphanMarker(places, store, Date.now()); });
    // The start goes on to its turn: stop it there (this bucket holds no objects to sweep).
    beforePut.set(`runs/${RUN}/units/00000.json`, () => { throw new Error('stopped at the turn'); });
    await expect(startRun(plan(), { store, owner: 'call-b' }, testRunContext())).rejects.toThrow();
    expect(removal).toBe('removed');
    expect(objects.has(runKey(RUN))).toBe(true);
    expect(objects.has(markerKey)).toBe(true);
  });

  it('a start whose own run write ends later than any invocation lives (a CLI start retrying) lists its run again too', async () => {
    const { store, objects, beforePut } = bucket();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(NOW);
      let removal: string | undefined;
      // Its marker is its own (fresh); its run's write retries for hours, and a removal finds the marker old meanwhile.
      beforePut.set(runKey(RUN), async () => {
        vi.setSystemTime(NOW + 3 * HOUR);
        removal = await forgetOrphanMarker(places, store, Date.now());
      });
      beforePut.set(`runs/${RUN}/units/00000.json`, () => { throw new Error('stopped at the turn'); });
      await expect(startRun(plan(), { store, owner: 'call-cli' }, testRunContext())).rejects.toThrow();
      expect(removal).toBe('removed');
      expect(objects.has(markerKey)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('the resume that finds no run removes an old marker (answered InvalidInput still), and leaves a fresh one', async () => {
    const old = bucket();
    await old.store.create(markerKey, markerAt(Date.now() - ORPHAN_MARKER_AGE_MS - HOUR));
    await expect(takeTurn(RUN, { store: old.store, owner: 'call-r' }, testRunContext())).rejects.toBeInstanceOf(InvalidInputError);
    expect(old.objects.has(markerKey)).toBe(false);
    expect(await old.store.list(OPEN_PREFIX)).toEqual([]);

    const fresh = bucket();
    // A start between its two writes, a minute ago.
    await fresh.store.create(markerKey, markerAt(Date.now() - 60_000));
    await expect(takeTurn(RUN, { store: fresh.store, owner: 'call-r' }, testRunContext())).rejects.toBeInstanceOf(InvalidInputError);
    expect(fresh.objects.has(markerKey)).toBe(true);
  });
});

describe('a failure record handled as "nothing resumed"', () => {
  it('deletes the list of runs an earlier delivery of it resumed', async () => {
    const { store, objects } = bucket();
    const failed = '01JDFAILEDCALL0000000000AA';
    const recordKey = 'f'.repeat(40);
    await store.create(markerKey, markerAt(NOW));
    await storeRun(store);
    // The first delivery resumed one run and was refused the others: it kept what it resumed, and failed.
    await store.create(`abandoned/${recordKey}`, { resumed: ['another-run'] });
    // Since then the failed call's successor claimed its chain: the record resumes nothing now.
    const claim: Succession = { v: 1, runId: RUN, predecessor: failed, successor: '01JDSUCCESSOR0000000000AAA', by: 'handover', at: new Date(NOW).toISOString() };
    await store.create(successionKey(RUN, failed), claim);
    const answer = await resumeAbandoned(recordKey, { store, owner: 'call-h' }, testRunContext(), failed) as { resumed: string[] };
    expect(answer.resumed).toEqual([]);
    expect(objects.has(`abandoned/${recordKey}`)).toBe(false);
  });
});
