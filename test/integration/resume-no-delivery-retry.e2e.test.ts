/**
 * Whether Notifications retries a delivery that the function itself failed (answered 5xx) is not
 * documented (A29: "The Notifications service has no information about a function after it's
 * invoked"). With the emulator switched to not retrying such deliveries, a run whose successors
 * Functions refuses must still end by itself, through the resume topic alone: the failure record's
 * handler publishes the resume Functions refused, and a resume delivered by Notifications (a
 * synchronous invoke, no failure record behind it) that cannot hand over publishes its handover.
 * Only refused invokes (429) are retried, which Oracle documents ("does not acknowledge receipt").
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, keyVersionCounts, STATE_BUCKET, startStack, stateNames, stateRecord, type Stack } from '../support/stack';
import { runDiagnostics } from '../support/runs';
import type { Assumptions } from '../../emulator/src/index';

const TOPIC = `ocid1.onstopic.oc1.phx.aaaaaaaa${randomBytes(20).toString('hex')}`;
/**
 * 800 versions a second at most (20 ms per call, 16 at once). Turns of 8 s (the event's, and a resume Notifications
 * delivers: a synchronous invoke) and 10 s (detached): with 4 s, a delivered resume Fn ended at its timeout on a loaded
 * machine (CI) before it could publish its handover, and nothing was left to resume the run. 24,000 versions leave a
 * delivered resume more than its turn can do, so it is stranded when Functions refuses its successor.
 */
const VERSIONS = 24_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- published bodies are asserted by shape
type Body = Record<string, any>;

/**
 * A stack as Terraform wires it: the resume topic is the failure destination's, with the function subscribed;
 * `bucket` holds VERSIONS versions under the stack's key, and every call takes 20 ms.
 */
async function stackWithResumeTopic(bucket: string, assumptions?: Partial<Assumptions>): Promise<Stack> {
  const s = await startStack({
    ...(assumptions && { emulator: { assumptions } }),
    eventRules: true, timeoutSeconds: 8,
    env: (setup) => ({ REENCRYPT_RESUME_TOPIC_ID: TOPIC, REENCRYPT_NOTIFICATIONS_ENDPOINT: setup.emu.url }),
    runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 10, maxProcesses: 3 },
  });
  s.emu.functions.createTopic([s.functionId], TOPIC);
  s.emu.functions.get(s.functionId).failureDestination = { kind: 'NOTIFICATION', topicId: TOPIC };
  s.emu.functions.notificationRetry = { firstDelayMs: 300, maxRetryDurationMs: 120_000 };
  s.emu.createBucket({ compartmentId: s.compartmentA, name: bucket, kmsKeyId: s.keyId, versioning: 'Enabled' });
  s.emu.seedObjects(bucket, {
    count: VERSIONS / 2, extraVersions: 1, prefix: 'obj-', timeModified: new Date(Date.now() - 3_600_000).toISOString(),
    encryption: { kind: 'kms', keyId: s.keyId },
  });
  s.emu.setGlobalFaults({ latencyMs: 20 });
  return s;
}

describe('Notifications not retrying a delivery the function failed (A29 switched)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stackWithResumeTopic('no-retry', { notificationsRetryFunctionFailures: false });
  }, 60_000);
  afterAll(async () => s?.stop());

  it('the record handler and the delivered resumes publish what Functions refused, and the run finishes by itself', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const { functions } = s.emu;
    const diagnostics = (): string => runDiagnostics(s.emu, s.functionId);
    const publishedBodies = (): Body[] => functions.published.filter((p) => p.via === 'PublishMessage').map((p) => JSON.parse(p.message) as Body);
    // The event's invocation hands the run to a detached one; from then on, Functions takes one invocation at a time.
    await eventually(() => functions.invocations.find((i) => i.invokeType === 'detached' && i.requestBody.includes('"resume"') && i.finishedAt === undefined), 'a detached continuation at work', 60_000);
    functions.concurrencyQuota = 1;
    try {
      // Its successor is refused: it fails, and its record's handler cannot resume the run directly either.
      const failed = await eventually(() => functions.invocations.find((i) => i.invokeType === 'detached' && i.status === 502), 'the continuation that could not hand over fails', 60_000);
      // The handler publishes the refused resume, claiming the failed call's chain, and answers normally.
      const replacement = await eventually(() => publishedBodies().find((b) => b['replaces'] === failed.callId), 'the record handler published the resume', 60_000);
      const handler = await eventually(() => functions.invocations.find((i) => i.via === 'notifications' && i.requestBody.includes(failed.callId) && i.finishedAt !== undefined), 'the record handler answered', 60_000);
      expect(handler.status, diagnostics()).toBe(200);
      expect(JSON.parse(handler.responseBody ?? '{}'), diagnostics()).toMatchObject({ action: 'resume-abandoned', resumed: [], resumePublished: [replacement['resume']] });
      // A resume Notifications delivered (synchronously) cannot hand over either: it publishes its handover.
      const delivered = await eventually(
        () => publishedBodies().find((b) => typeof b['handedOverBy'] === 'string' && functions.invocations.some((i) => i.via === 'notifications' && i.callId === b['handedOverBy'])),
        'a delivered resume published its handover', 120_000,
      );
      expect(delivered['resume'], diagnostics()).toBe(replacement['resume']);
    } finally {
      functions.concurrencyQuota = undefined;
    }
    const reportName = await eventually(() => stateNames(s.emu, 'runs/').find((n) => n.endsWith('/report.json')), 'the stored report', 120_000);
    await s.emu.whenIdle();
    s.emu.setGlobalFaults(undefined);
    const report = stateRecord(s.emu, reportName);
    expect(report.complete, diagnostics()).toBe(true);
    expect(report.totals.reencrypted).toBe(VERSIONS);
    expect(keyVersionCounts(s.emu, 'no-retry')).toEqual({ [`kms:${newVersion}`]: VERSIONS });
    expect(functions.undelivered).toEqual([]);
    // Failed deliveries were not retried: each delivery that ran is one message (a failure record or a published resume).
    const ran = functions.invocations.filter((i) => i.via === 'notifications');
    expect(new Set(ran.map((i) => i.requestBody)).size, diagnostics()).toBe(ran.length);
    expect(ran.some((i) => i.status !== 200), diagnostics()).toBe(true);
  }, 300_000);
  it('a delivered resume that can neither read the state bucket nor hand the run on publishes its handover, and fails', async () => {
    await s.emu.whenIdle();
    const { functions } = s.emu;
    const before = functions.published.length;
    s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, { p503: 1 });
    functions.concurrencyQuota = 0;
    try {
      // Sent straight to the function, as Notifications delivers a published resume (a synchronous invoke).
      const r = await s.fn.call(JSON.stringify({ resume: 'run-stranded' }), { deadlineMs: 3000 });
      expect(functions.throttled).toBeGreaterThan(0);
      expect(r.status, r.text).not.toBe(200);
      expect(r.text).toContain('RunNotContinued');
      expect(String((JSON.parse(r.text) as Body)['detail'])).toContain(`{"resume": "run-stranded"} was published to the resume topic ${TOPIC}`);
      const published = functions.published.slice(before).filter((p) => p.via === 'PublishMessage').map((p) => JSON.parse(p.message) as Body);
      expect(published.map((b) => b['resume'])).toEqual(['run-stranded']);
    } finally {
      functions.concurrencyQuota = undefined;
      s.emu.setRouteFaults(`GetObject@${STATE_BUCKET}`, undefined);
    }
  }, 120_000);
});

describe('a failure record whose refused resumes cannot be published either', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await stackWithResumeTopic('unpublished');
  }, 60_000);
  afterAll(async () => s?.stop());

  it('fails the delivery (RunNotContinued) naming the publish failure, and the retried delivery resumes the run', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const { functions } = s.emu;
    const diagnostics = (): string => runDiagnostics(s.emu, s.functionId);
    await eventually(() => functions.invocations.find((i) => i.invokeType === 'detached' && i.requestBody.includes('"resume"') && i.finishedAt === undefined), 'a detached continuation at work', 60_000);
    s.emu.setRouteFaults('PublishMessage', { p503: 1 });
    functions.concurrencyQuota = 1;
    try {
      const failed = await eventually(() => functions.invocations.find((i) => i.invokeType === 'detached' && i.status === 502), 'the continuation that could not hand over fails', 60_000);
      const handler = await eventually(() => functions.invocations.find((i) => i.via === 'notifications' && i.requestBody.includes(failed.callId) && i.finishedAt !== undefined), 'the record handler answered', 60_000);
      // The FDK fails the call (502), its detail the RunNotContinued error naming the publish failure: Notifications may retry it (A29).
      expect(handler.status, diagnostics()).toBe(502);
      const detail = String((JSON.parse(handler.responseBody ?? '{}') as Body)['detail']);
      expect(detail, diagnostics()).toContain('RunNotContinued');
      expect(detail, diagnostics()).toContain(`publishing its resume to ${TOPIC} failed too`);
    } finally {
      functions.concurrencyQuota = undefined;
      s.emu.setRouteFaults('PublishMessage', undefined);
    }
    const reportName = await eventually(() => stateNames(s.emu, 'runs/').find((n) => n.endsWith('/report.json')), 'the stored report', 120_000);
    await s.emu.whenIdle();
    s.emu.setGlobalFaults(undefined);
    expect(stateRecord(s.emu, reportName).complete, diagnostics()).toBe(true);
    expect(keyVersionCounts(s.emu, 'unpublished')).toEqual({ [`kms:${newVersion}`]: VERSIONS });
    expect(functions.published.filter((p) => p.via === 'PublishMessage')).toEqual([]);
  }, 300_000);
});
