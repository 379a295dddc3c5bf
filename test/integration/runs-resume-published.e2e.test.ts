/**
 * The invocation that starts a run (an event, a manual request) is not detached: when Functions
 * refuses its successor for longer than it has time to ask again, no failure record is sent for
 * it. It publishes {"resume": runId} to the resume topic (the failure destination's, which the
 * function is subscribed to) instead; Notifications delivers it, retrying while Functions is still
 * full, and the run ends by itself. If publishing fails too, the answer says so and how to resume.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, STATE_BUCKET, startStack, stateRecord, type Stack } from '../support/stack';
import { eventuallyInRun, runDiagnostics, seedVersionedBucket, storedReports } from '../support/runs';

const TOPIC = `ocid1.onstopic.oc1.phx.aaaaaaaa${randomBytes(20).toString('hex')}`;
const VERSIONS = 2000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted by shape
type Answer = Record<string, any>;

describe('a run whose first invocation cannot hand it over', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      // Two attempts per call, a slow sweep: the starting invocation is still at work when its time is up.
      env: (setup) => ({
        REENCRYPT_MAX_ATTEMPTS: '2', REENCRYPT_SAFETY_MARGIN_SECONDS: '6', REENCRYPT_CONCURRENCY: '2',
        REENCRYPT_RESUME_TOPIC_ID: TOPIC, REENCRYPT_NOTIFICATIONS_ENDPOINT: setup.emu.url,
      }),
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 8, maxProcesses: 3 },
    });
    // As Terraform wires it: the resume topic is the failure destination's, with the function subscribed.
    s.emu.functions.createTopic([s.functionId], TOPIC);
    s.emu.functions.get(s.functionId).failureDestination = { kind: 'NOTIFICATION', topicId: TOPIC };
    s.emu.functions.notificationRetry = { firstDelayMs: 300, maxRetryDurationMs: 120_000 };
    seedVersionedBucket(s.emu, 'published', s.keyId, s.compartmentA, VERSIONS);
    seedVersionedBucket(s.emu, 'unpublished', s.keyId, s.compartmentA, VERSIONS);
    seedVersionedBucket(s.emu, 'unreadable', s.keyId, s.compartmentA, VERSIONS);
    s.emu.rotateKey(s.keyId);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('publishes the resume; Notifications rides out the refusals and the run ends by itself, every invocation counted', async () => {
    const { functions } = s.emu;
    s.emu.setGlobalFaults({ latencyMs: 20 });
    functions.concurrencyQuota = 0;
    let first: Answer = {};
    const diagnostics = (): string => `first answer: ${JSON.stringify(first)}\n${runDiagnostics(s.emu, s.functionId)}`;
    try {
      // Sent straight to the function, as a synchronous invoke would be: Functions refuses every successor.
      first = (await s.fn.call(JSON.stringify({ bucketName: 'published', force: true, runId: 'published' }), { deadlineMs: 12_000 })).json as Answer;
      expect(first, diagnostics()).toMatchObject({ ok: true, runId: 'published', action: 'run-step', handedOver: false, resumePublished: true });
      expect(first.notes.join(' ')).toContain(`{"resume": "published"} was published to the resume topic ${TOPIC}`);
      expect(functions.published.filter((p) => p.via === 'PublishMessage').map((p) => [p.topicId, JSON.parse(p.message)])).toEqual([[TOPIC, { resume: 'published' }]]);
      // Past the starting invocation's time, Functions still refuses: the delivery is retried, not lost.
      await eventuallyInRun(s.emu, s.functionId, () => (functions.deliveryAttempts >= 2 ? true : undefined), 'a retried delivery', 60_000);
      expect(storedReports(s.emu).some((r) => r.runId === 'published'), diagnostics()).toBe(false);
    } finally {
      functions.concurrencyQuota = undefined;
      s.emu.setGlobalFaults(undefined);
    }
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === 'published'), 'the run finished by itself', 120_000);
    await s.emu.whenIdle();
    expect(report, diagnostics()).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, failed: 0 } });
    expect(keyVersionCounts(s.emu, 'published')).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: VERSIONS });
    expect(functions.undelivered).toEqual([]);
    // The message reached the function as its body, through a (synchronous) delivery it answered.
    const delivered = functions.invocations.filter((i) => i.via === 'notifications' && i.requestBody === JSON.stringify({ resume: 'published' }));
    expect(delivered.some((i) => i.status === 200), diagnostics()).toBe(true);
    // Every invocation that took a turn is counted: the first one, and each of the run's invocations that
    // Functions accepted, except those that found the run ended (they answer with its report).
    const turns = functions.invocations.filter((i) => i.requestBody.includes('"published"') && !(JSON.parse(i.responseBody ?? '{}') as Answer).duplicateOf);
    expect(stateRecord(s.emu, 'runs/published/run.json').invocations, diagnostics()).toBe(1 + turns.length);
    expect(report.invocations).toBeLessThanOrEqual(1 + turns.length);
  }, 240_000);

  it('says so, and how to resume, when publishing fails too', async () => {
    const { functions } = s.emu;
    s.emu.setGlobalFaults({ latencyMs: 20 });
    s.emu.setRouteFaults('PublishMessage', { p503: 1 });
    functions.concurrencyQuota = 0;
    const before = functions.published.length;
    try {
      const r = (await s.fn.call(JSON.stringify({ bucketName: 'unpublished', force: true, runId: 'unpublished' }), { deadlineMs: 8000 })).json as Answer;
      expect(r, JSON.stringify(r)).toMatchObject({ ok: true, runId: 'unpublished', action: 'run-step', handedOver: false, resumePublished: false });
      const note = (r.notes as string[]).join(' ');
      expect(note).toMatch(/not continued automatically \(self-invocation failed: .*; publishing \{"resume": "unpublished"\} to the resume topic .* failed too: PublishMessage failed: 503 .*\): resume with \{"resume": "unpublished"\}/);
      expect(s.emu.getCounters().routes['PublishMessage']?.faults['503']).toBeGreaterThan(0);
      expect(functions.published.length).toBe(before);
    } finally {
      functions.concurrencyQuota = undefined;
      s.emu.setRouteFaults('PublishMessage', undefined);
      s.emu.setGlobalFaults(undefined);
    }
  }, 120_000);

  it('publishes the resume of a run it cannot read after its turn, and the run ends by itself', async () => {
    const { functions } = s.emu;
    await s.emu.whenIdle();
    s.emu.setGlobalFaults({ latencyMs: 20 });
    functions.concurrencyQuota = 0;
    let first: Answer = {};
    const diagnostics = (): string => `first answer: ${JSON.stringify(first)}
${runDiagnostics(s.emu, s.functionId)}`;
    try {
      const answer = s.fn.call(JSON.stringify({ bucketName: 'unreadable', force: true, runId: 'unreadable' }), { deadlineMs: 10_000 });
      // Once the turn holds its unit, the state bucket stops answering reads (writes still land).
      await eventually(() => (stateRecord(s.emu, 'runs/unreadable/units/00000.json')?.state === 'held' ? true : undefined), 'the first turn at work', 60_000);
      s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, { p503: 1 });
      first = (await answer).json as Answer;
      expect(first, diagnostics()).toMatchObject({ ok: false, error: { code: 'StateStoreUnavailable' } });
      expect(JSON.stringify(first.error), diagnostics()).toContain('{\\"resume\\": \\"unreadable\\"} was published to the resume topic');
      expect(functions.published.filter((p) => p.via === 'PublishMessage').at(-1)?.message).toBe(JSON.stringify({ resume: 'unreadable' }));
    } finally {
      s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, undefined);
      functions.concurrencyQuota = undefined;
      s.emu.setGlobalFaults(undefined);
    }
    const report = await eventuallyInRun(s.emu, s.functionId, () => storedReports(s.emu).find((r) => r.runId === 'unreadable'), 'the run finished by itself', 120_000);
    expect(report, diagnostics()).toMatchObject({ complete: true, totals: { reencrypted: VERSIONS, failed: 0 } });
  }, 180_000);
});
