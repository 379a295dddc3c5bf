/**
 * The bucket strategy end to end: dist/func.js in containers the emulator
 * starts on demand, a state bucket, and ReencryptBucket work requests that
 * take longer than one invocation (the emulator re-wraps a fixed number of
 * versions per second). The test sends one manual request per case and then
 * only watches the state bucket and the emulator's ground truth.
 */
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import outputSchema from '../../schemas/cli-output.schema.json';
import type { Emulator } from '../../emulator/src/index';
import { eventually, keyVersionCounts, startStack, stateNames, stateRecord, type Stack } from '../support/stack';

const LONG_AGO = Date.now() - 3_600_000;
/** Versions the emulator re-wraps per second: a 30,000-version bucket takes about 15 s, three 5-second invocations at least. */
const ITEMS_PER_SECOND = 2_000;
const THRESHOLD = 10_000;

function seedBucket(emu: Emulator, name: string, keyId: string | undefined, compartmentId: string, versions: number): void {
  emu.createBucket({ compartmentId, name, ...(keyId && { kmsKeyId: keyId }), versioning: 'Enabled' });
  emu.seedObjects(name, {
    count: versions / 2, extraVersions: 1, prefix: `${name}/obj-`, timeModified: new Date(LONG_AGO).toISOString(),
    encryption: keyId ? { kind: 'kms', keyId } : { kind: 'oracle' },
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- report shape asserted in tests
type Json = Record<string, any>;

/** The published output schema's bucket entry and totals: a bucket-strategy report must fit them. */
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validateBucket = ajv.compile({ definitions: outputSchema.definitions, $ref: '#/definitions/bucket' });
const validateTotals = ajv.compile({ definitions: outputSchema.definitions, ...outputSchema.definitions.report.properties.totals });
/** A stored run report (runs/<runId>/report.json), as the CLI's `report` prints it. */
const validateRunReport = ajv.compile({ definitions: outputSchema.definitions, $ref: '#/definitions/runReport' });

/** A run's stored final report. */
function reportOf(emu: Emulator, runId: string): Json | undefined {
  return stateNames(emu, `runs/${runId}/`).includes(`runs/${runId}/report.json`) ? stateRecord(emu, `runs/${runId}/report.json`) : undefined;
}

function calls(emu: Emulator, operation: string): number {
  return emu.getCounters().routes[operation]?.calls ?? 0;
}

// Each top-level block has an emulator (or stack) of its own and runs beside the others
// (describe.concurrent); the tests inside a block share its state and run in order (it.sequential).
describe.concurrent('the bucket strategy', { timeout: 180_000 }, () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      timeoutSeconds: 5,
      emulator: { workRequests: { itemsPerSecond: ITEMS_PER_SECOND } },
      env: { REENCRYPT_STRATEGY: 'auto', REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS: String(THRESHOLD) },
      // As deployed: a detached invocation that dies (e.g. killed at its deadline before handing over) resumes its run.
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: 4, failureDestination: true },
    });
    seedBucket(s.emu, 'wr-big', s.keyId, s.compartmentA, 30_000);
    seedBucket(s.emu, 'wr-fail', s.keyId, s.compartmentA, 4_000);
    seedBucket(s.emu, 'wr-oracle', undefined, s.compartmentA, 20);
    // The auto cases live in their own compartment, so a key sweep there sees only them.
    seedBucket(s.emu, 'auto-big', s.keyId, s.compartmentB, 24_000);
    seedBucket(s.emu, 'auto-small', s.keyId, s.compartmentB, 400);
  }, 120_000);
  afterAll(async () => s?.stop());

  /** Sends a manual request (a synchronous invoke) and answers with the function's JSON answer. */
  async function request(body: object): Promise<Json> {
    const { answer } = await s.emu.functions.invoke(s.functionId, Buffer.from(JSON.stringify(body)), 'application/json', 'api');
    return JSON.parse(answer.body.toString('utf8')) as Json;
  }

  it.sequential('follows one ReencryptBucket work request to COMPLETED across several invocations; every version ends under the new key', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const before = { reencryptBucket: calls(s.emu, 'ReencryptBucket'), reencryptObject: calls(s.emu, 'ReencryptObject') };
    const answer = await request({ bucketName: 'wr-big', strategy: 'bucket', runId: 'wr-big-1' });
    expect(answer.runId).toBe('wr-big-1');
    const report = await eventually(() => reportOf(s.emu, 'wr-big-1'), 'the stored report');
    await s.emu.whenIdle();
    expect(keyVersionCounts(s.emu, 'wr-big')).toEqual({ [`kms:${newVersion}`]: 30_000 });
    expect(report.complete).toBe(true);
    // The work request outlived an invocation: the run was handed over, yet one work request was started.
    expect(report.invocations).toBeGreaterThan(1);
    expect(calls(s.emu, 'ReencryptBucket') - before.reencryptBucket).toBe(1);
    expect(calls(s.emu, 'ReencryptObject') - before.reencryptObject).toBe(0);
    const [bucket] = report.buckets;
    expect(bucket.strategy).toMatchObject({ used: 'bucket', reason: 'strategy bucket (request)' });
    expect(bucket.workRequest).toMatchObject({ status: 'COMPLETED', percentComplete: 100, calls: 1 });
    expect(bucket.workRequest.id).toMatch(/^ocid1\.objectstorageworkrequest\./);
    for (const t of ['timeAccepted', 'timeStarted', 'timeFinished']) expect(Date.parse(bucket.workRequest[t]), t).not.toBeNaN();
    expect(bucket.workRequest.caveat).toMatch(/SSE-C.*archived.*strategy objects/);
    // No invented counts: the versions are counted by the work request, not per version.
    expect(bucket).toMatchObject({ scanned: 0, reencrypted: 0, failed: 0, complete: true });
    expect(report.totals).toMatchObject({ reencrypted: 0, scanned: 0, bucketsReencryptedByWorkRequest: 1 });
    expect(validateBucket(bucket), JSON.stringify(validateBucket.errors)).toBe(true);
    expect(validateTotals(report.totals), JSON.stringify(validateTotals.errors)).toBe(true);
    expect(validateRunReport(report), JSON.stringify(validateRunReport.errors)).toBe(true);
  }, 300_000);

  it.sequential('reports a FAILED work request with its errors, and the run is not complete', async () => {
    s.emu.workRequests.injectFailure({ bucketName: 'wr-fail', atFraction: 0.5, code: 'InternalServerError', message: 'disk on fire (injected)' });
    await request({ bucketName: 'wr-fail', strategy: 'bucket', runId: 'wr-fail-1' });
    const report = await eventually(() => reportOf(s.emu, 'wr-fail-1'), 'the stored report');
    await s.emu.whenIdle();
    expect(report.complete).toBe(false);
    const [bucket] = report.buckets;
    expect(bucket.workRequest).toMatchObject({ status: 'FAILED', errors: [{ code: 'InternalServerError', message: 'disk on fire (injected)' }], errorsTruncated: false });
    expect(Date.parse(bucket.workRequest.errors[0].timestamp)).not.toBeNaN();
    expect(bucket.error).toMatchObject({ serviceCode: 'InternalServerError', message: 'disk on fire (injected)' });
    expect(bucket.complete).toBe(false);
    expect(report.stopped).toEqual([{ bucketName: 'wr-fail', reason: expect.stringMatching(/^work-request-failed: work request .* ended FAILED \(InternalServerError: disk on fire/) }]);
    expect(report.totals.bucketsReencryptedByWorkRequest).toBe(0);
    expect(calls(s.emu, 'ListWorkRequestErrors')).toBeGreaterThanOrEqual(1);
    expect(validateBucket(bucket), JSON.stringify(validateBucket.errors)).toBe(true);
    expect(validateRunReport(report), JSON.stringify(validateRunReport.errors)).toBe(true);
  }, 300_000);

  it.sequential('refuses strategy bucket for a bucket without a kmsKeyId, naming the field', async () => {
    const answer = await request({ bucketName: 'wr-oracle', strategy: 'bucket' });
    expect(answer.ok).toBe(false);
    expect(answer.error?.code ?? answer.code).toBe('InvalidInput');
    expect(JSON.stringify(answer)).toMatch(/"field":"strategy"/);
  }, 60_000);

  it.sequential('a dry run names the strategy each bucket would get and why, and writes nothing', async () => {
    const before = { reencryptBucket: calls(s.emu, 'ReencryptBucket'), reencryptObject: calls(s.emu, 'ReencryptObject') };
    const encryptionBefore = { big: keyVersionCounts(s.emu, 'auto-big'), small: keyVersionCounts(s.emu, 'auto-small') };
    // No strategy in the request: REENCRYPT_STRATEGY=auto applies.
    await request({ kmsKeyId: s.keyId, compartmentIds: [s.compartmentB], force: true, dryRun: true, runId: 'auto-dry' });
    const report = await eventually(() => reportOf(s.emu, 'auto-dry'), 'the stored report');
    await s.emu.whenIdle();
    const byName = Object.fromEntries(report.buckets.map((b: Json) => [b.bucketName, b]));
    expect(byName['auto-big'].strategy).toMatchObject({ used: 'objects', wouldUse: 'bucket' });
    expect(byName['auto-big'].strategy.reason).toMatch(/^dry run .*a real run: bucket, strategy auto \(REENCRYPT_STRATEGY\): a whole-bucket sweep of about 24000 objects/);
    expect(byName['auto-small'].strategy).toMatchObject({ used: 'objects', wouldUse: 'objects' });
    expect(byName['auto-small'].strategy.reason).toMatch(/about 400 objects, fewer than REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS \(10000\)/);
    expect(report.totals.planned).toBe(24_400);
    expect(calls(s.emu, 'ReencryptBucket')).toBe(before.reencryptBucket);
    expect(calls(s.emu, 'ReencryptObject')).toBe(before.reencryptObject);
    expect(keyVersionCounts(s.emu, 'auto-big')).toEqual(encryptionBefore.big);
    expect(keyVersionCounts(s.emu, 'auto-small')).toEqual(encryptionBefore.small);
  }, 300_000);

  it.sequential('auto picks bucket for the big bucket and objects for the small one, and never for a prefix', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    await request({ kmsKeyId: s.keyId, compartmentIds: [s.compartmentB], strategy: 'auto', force: true, runId: 'auto-1' });
    const report = await eventually(() => reportOf(s.emu, 'auto-1'), 'the stored report');
    await s.emu.whenIdle();
    expect(report.complete).toBe(true);
    const byName = Object.fromEntries(report.buckets.map((b: Json) => [b.bucketName, b]));
    expect(byName['auto-big'].strategy).toMatchObject({ used: 'bucket' });
    expect(byName['auto-big'].workRequest).toMatchObject({ status: 'COMPLETED' });
    expect(byName['auto-small'].strategy).toMatchObject({ used: 'objects' });
    expect(byName['auto-small'].workRequest).toBeUndefined();
    expect(byName['auto-small']).toMatchObject({ reencrypted: 400, scanned: 400 });
    expect(report.totals).toMatchObject({ reencrypted: 400, bucketsReencryptedByWorkRequest: 1 });
    expect(keyVersionCounts(s.emu, 'auto-big')).toEqual({ [`kms:${newVersion}`]: 24_000 });
    expect(keyVersionCounts(s.emu, 'auto-small')).toEqual({ [`kms:${newVersion}`]: 400 });

    // The same big bucket with a prefix: objects, whatever its size.
    const wrBefore = calls(s.emu, 'ReencryptBucket');
    await request({ bucketName: 'auto-big', prefix: 'auto-big/obj-1', strategy: 'auto', force: true, runId: 'auto-prefix' });
    const prefixed = await eventually(() => reportOf(s.emu, 'auto-prefix'), 'the stored report');
    await s.emu.whenIdle();
    expect(prefixed.buckets[0].strategy.used).toBe('objects');
    expect(prefixed.buckets[0].strategy.reason).toMatch(/prefix 'auto-big\/obj-1'/);
    expect(prefixed.buckets[0].reencrypted).toBeGreaterThan(0);
    expect(calls(s.emu, 'ReencryptBucket')).toBe(wrBefore);
  }, 300_000);
});

describe.concurrent('a work request that shows no movement for several invocations', { timeout: 180_000 }, () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      timeoutSeconds: 5,
      // ACCEPTED, 0%, for 14 s: nearly three 5-second invocations see it not move at all.
      emulator: { workRequests: { itemsPerSecond: ITEMS_PER_SECOND, acceptDelayMs: 14_000 } },
      env: { REENCRYPT_NO_PROGRESS_LIMIT: '1' },
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: 3, failureDestination: true },
    });
    seedBucket(s.emu, 'wr-slow', s.keyId, s.compartmentA, 2_000);
  }, 120_000);
  afterAll(async () => s?.stop());

  it.sequential('is not stopped by REENCRYPT_NO_PROGRESS_LIMIT=1 while its last move is recent, and completes', async () => {
    const newVersion = s.emu.rotateKey(s.keyId).id;
    const { answer } = await s.emu.functions.invoke(s.functionId, Buffer.from(JSON.stringify({ bucketName: 'wr-slow', strategy: 'bucket', runId: 'wr-slow-1' })), 'application/json', 'api');
    expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ runId: 'wr-slow-1' });
    const report = await eventually(() => reportOf(s.emu, 'wr-slow-1'), 'the stored report');
    await s.emu.whenIdle();
    expect(report.stopped).toEqual([]);
    expect(report.complete).toBe(true);
    expect(report.invocations).toBeGreaterThan(2);
    expect(report.buckets[0].workRequest).toMatchObject({ status: 'COMPLETED', calls: 1 });
    expect(keyVersionCounts(s.emu, 'wr-slow')).toEqual({ [`kms:${newVersion}`]: 2_000 });
  }, 300_000);
});
