/**
 * Runs that need several invocations (issue 8, items 2 and 3), through
 * dist/func.js under the FDK: a short Fn-Deadline and a slow ReencryptObject
 * make every sweep stop mid-page; the continuation is sent back until the run
 * completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedObject } from '../../emulator/src/index';
import { EventTypes } from '../../src/input/event-types';
import { addTotals, emptyTotals, groundTruth, type RunTotals } from '../support/run-totals';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

const DEADLINE_MS = 2000;
/** A run that has not finished after this many invocations is stuck, not slow. */
const MAX_INVOCATIONS = 60;
const HOUR_AGO = Date.now() - 3_600_000;

interface Report { ok: boolean; continuation: string | null; complete: boolean; totals: Parameters<typeof addTotals>[1]; error?: unknown }

/** Sends the continuation back until the run completes; returns the summed totals and how many invocations it took. */
async function finishRun(s: Stack, first: Report): Promise<{ totals: RunTotals; invocations: number; reports: Report[] }> {
  const totals = emptyTotals();
  const reports = [first];
  let report = first;
  addTotals(totals, report.totals);
  while (report.continuation) {
    if (reports.length >= MAX_INVOCATIONS) throw new Error(`run not finished after ${MAX_INVOCATIONS} invocations`);
    const r = await s.fn.call(JSON.stringify({ continuation: report.continuation }), { deadlineMs: DEADLINE_MS });
    report = r.json as Report;
    reports.push(report);
    expect(report, JSON.stringify(report.error)).toMatchObject({ ok: true });
    addTotals(totals, report.totals);
  }
  expect(report.complete).toBe(true);
  return { totals, invocations: reports.length, reports };
}

describe('runs that need more than one invocation', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ eventRules: true, timeoutSeconds: DEADLINE_MS / 1000, env: { REENCRYPT_CONCURRENCY: '2' } });
    // At least 40 ms per re-encryption, two at a time: no sweep below fits in one invocation.
    s.emu.setRouteFaults('ReencryptObject', { latencyMs: 40 });
  });
  afterAll(async () => s?.stop());

  it('a CreateKeyVersion rotation continues: its continuation is accepted and the run re-encrypts every version', async () => {
    const key = s.emu.createKey({ vaultId: s.vaultId, compartmentId: s.compartmentA, displayName: 'manual-rotation' }).id;
    s.emu.createBucket({ compartmentId: s.compartmentB, name: 'rotated-by-hand', kmsKeyId: key, versioning: 'Enabled' });
    s.emu.seedObjects('rotated-by-hand', { count: 80, prefix: 'r/', timeModified: new Date(HOUR_AGO), encryption: { kind: 'kms', keyId: key }, extraVersions: 1 });

    const v2 = s.emu.rotateKey(key); // CreateKeyVersion: the createkeyversion.end event reaches the function
    await s.emu.whenIdle();
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.createKeyVersionEnd && JSON.stringify(d.event).includes(key));
    const first = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}') as Report;
    expect(first).toMatchObject({ ok: true, complete: false });
    expect(first.continuation).toEqual(expect.any(String));

    const run = await finishRun(s, first);
    expect(run.invocations).toBeGreaterThan(1);
    expect(run.totals).toMatchObject({ reencrypted: 160, failed: 0, scanned: 160 });
    expect(keyVersionCounts(s.emu, 'rotated-by-hand')).toEqual({ [`kms:${v2.id}`]: 160 });
  });

  it('the reports of an interrupted run add up to the bucket: delete markers, archived and compliant versions counted once', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'layered', kmsKeyId: s.keyId, versioning: 'Enabled' });
    const watermark = new Date(HOUR_AGO + 60_000);
    const objects: SeedObject[] = Array.from({ length: 120 }, (_, i) => ({
      name: `obj/${String(i).padStart(3, '0')}${i % 5 === 0 ? ' with space' : ''}`,
      // A quarter written after the watermark (compliant), the rest before it.
      timeModified: i % 4 === 0 ? watermark.getTime() + 1000 + i : HOUR_AGO + i,
      encryption: { kind: 'kms', keyId: s.keyId },
      ...(i % 7 === 0 && { storageTier: 'Archive' as const, archivalState: 'Archived' as const }),
      ...(i % 3 === 0 && { previousVersions: [{ timeModified: HOUR_AGO - 5000, encryption: { kind: 'kms' as const, keyId: s.keyId } }] }),
      ...(i % 6 === 0 && { deleteMarker: { timeModified: HOUR_AGO + 10_000 } }),
    }));
    s.emu.seedObjects('layered', objects);
    const truth = groundTruth(s.emu, 'layered', watermark);
    expect(truth.skipped['delete-marker']).toBeGreaterThan(0);
    expect(truth.skipped.archived).toBeGreaterThan(0);

    const r = await s.fn.call(JSON.stringify({ bucketName: 'layered', before: watermark.toISOString() }), { deadlineMs: DEADLINE_MS });
    const run = await finishRun(s, r.json as Report);
    expect(run.invocations).toBeGreaterThan(1);
    expect(run.totals).toEqual(truth);
  });
});
