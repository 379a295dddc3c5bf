import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../../emulator/test/helpers';
import { EventTypes } from '../../src/input/event-types';
import { filledSkeleton } from '../support/cli-skeleton';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

describe('each trigger end to end (dist/func.js under the FDK, real SDK, emulator)', () => {
  let s: Stack;
  let otherKey: string;
  beforeAll(async () => {
    s = await startStack({
      eventRules: true,
      // The manual request below names this key: it must be allowlisted (issue 14).
      env: (setup) => {
        otherKey = setup.emu.createKey({ vaultId: setup.vaultId, compartmentId: setup.compartmentA, displayName: 'other' }).id;
        return { REENCRYPT_ALLOWED_KMS_KEY_IDS: otherKey };
      },
    });
  });
  afterAll(async () => s?.stop());

  it('a rotation re-encrypts the buckets that use the key, across two compartments, and leaves the third alone', async () => {
    const v1 = s.emu.currentKeyVersion(s.keyId);
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'rot-a', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.createBucket({ compartmentId: s.compartmentB, name: 'rot-b', kmsKeyId: s.keyId });
    s.emu.createBucket({ compartmentId: s.compartmentB, name: 'rot-other', kmsKeyId: otherKey });
    for (const bucket of ['rot-a', 'rot-b']) {
      s.emu.seedObjects(bucket, { count: 40, prefix: 'data/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: s.keyId }, extraVersions: bucket === 'rot-a' ? 1 : 0 });
    }
    s.emu.seedObjects('rot-other', { count: 10, prefix: 'x/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: otherKey } });
    const otherBefore = keyVersionCounts(s.emu, 'rot-other');

    const v2 = s.emu.rotateKey(s.keyId);
    await s.emu.whenIdle();

    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.createKeyVersionEnd);
    expect(delivery?.status).toBe(200);
    const invocation = s.emu.invocations.find((i) => i.callId === delivery?.callId);
    const report = JSON.parse(invocation?.responseBody ?? '{}');
    expect(report).toMatchObject({ ok: true, action: 'swept', complete: true, watermark: { source: 'key-version' } });
    expect(report.rotation).toMatchObject({ keyId: s.keyId, currentKeyVersionId: v2.id, mayHaveFailed: false });
    expect(report.notes.join(' ')).not.toMatch(/may have failed/);
    expect(report.buckets.map((b: { bucketName: string }) => b.bucketName).sort()).toEqual(['rot-a', 'rot-b']);
    expect(report.totals).toMatchObject({ reencrypted: 120, failed: 0 });
    expect(keyVersionCounts(s.emu, 'rot-a')).toEqual({ [`kms:${v2.id}`]: 80 });
    expect(keyVersionCounts(s.emu, 'rot-b')).toEqual({ [`kms:${v2.id}`]: 40 });
    expect(keyVersionCounts(s.emu, 'rot-other')).toEqual(otherBefore);
    expect(v1).not.toBe(v2.id);
  });

  it('an autokeyrotate.end without a new key version says the rotation may have failed and still sweeps to the current version', async () => {
    const stuckKey = s.emu.createKey({ vaultId: s.vaultId, compartmentId: s.compartmentA, displayName: 'stuck' });
    const current = s.emu.currentKeyVersion(stuckKey.id);
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'stuck', kmsKeyId: stuckKey.id });
    // Written under another key before the key's current version existed: the sweep must still move them.
    s.emu.seedObjects('stuck', { count: 12, prefix: 'old/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: otherKey } });
    // Written under the current version after it was created: already compliant.
    s.emu.seedObjects('stuck', { count: 3, prefix: 'new/', encryption: { kind: 'kms', keyId: stuckKey.id } });
    // The clock must move past the version's creation for the event to be later than it (skew is 0 here).
    await new Promise((resolve) => setTimeout(resolve, 20));
    s.emu.failAutomaticRotation(stuckKey.id);
    await s.emu.whenIdle();

    expect(s.emu.currentKeyVersion(stuckKey.id)).toBe(current);
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.autoKeyRotateEnd && d.event.data.resourceId === stuckKey.id);
    expect(delivery?.status).toBe(200);
    const report = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}');
    expect(report).toMatchObject({
      ok: true, action: 'swept', complete: true, watermark: { source: 'key-version' },
      rotation: { keyId: stuckKey.id, currentKeyVersionId: current, mayHaveFailed: true },
      totals: { reencrypted: 12, failed: 0 },
    });
    expect(report.notes.join(' ')).toMatch(/rotation may have failed/);
    expect(keyVersionCounts(s.emu, 'stuck')).toEqual({ [`kms:${current}`]: 15 });
  });

  it('the compliance hook moves an upload made under a foreign key to the bucket key', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'uploads', kmsKeyId: s.keyId, versioning: 'Enabled', objectEventsEnabled: true });
    const { os } = clientsFor(s.emu, s.compartmentA);
    const put = await os.putObject({
      namespaceName: s.namespace, bucketName: 'uploads', objectName: 'in/a b&c#d.csv', putObjectBody: 'hello', contentLength: 5,
      opcSseKmsKeyId: otherKey,
    });
    await s.emu.whenIdle();
    const row = s.emu.readEncryption('uploads', { includeVersions: true }).find((r) => r.versionId === put.versionId);
    expect(row?.encryption).toMatchObject({ kind: 'kms', keyId: s.keyId, keyVersionId: s.emu.currentKeyVersion(s.keyId) });
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.createObject && d.event.data.resourceName === 'in/a b&c#d.csv');
    expect(delivery?.status).toBe(200);
    const report = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}');
    expect(report).toMatchObject({ action: 'reencrypted-object', totals: { reencrypted: 1 } });
  });

  it('the compliance hook also moves an object made by a multipart upload (the CLI\'s way for large files) under a foreign key', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'large', kmsKeyId: s.keyId, versioning: 'Enabled', objectEventsEnabled: true });
    const { os } = clientsFor(s.emu, s.compartmentA);
    const object = 'exports/big table.parquet';
    const { multipartUpload } = await os.createMultipartUpload({
      namespaceName: s.namespace, bucketName: 'large', createMultipartUploadDetails: { object }, opcSseKmsKeyId: otherKey,
    });
    const partsToCommit = [];
    for (const partNum of [1, 2]) {
      const body = Buffer.alloc(1024, partNum);
      const part = await os.uploadPart({
        namespaceName: s.namespace, bucketName: 'large', objectName: object, uploadId: multipartUpload.uploadId, uploadPartNum: partNum,
        uploadPartBody: body, contentLength: body.length,
      });
      partsToCommit.push({ partNum, etag: part.eTag });
    }
    const committed = await os.commitMultipartUpload({
      namespaceName: s.namespace, bucketName: 'large', objectName: object, uploadId: multipartUpload.uploadId, commitMultipartUploadDetails: { partsToCommit },
    });
    await s.emu.whenIdle();
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.createObject && d.event.data.resourceName === object);
    expect(delivery?.status).toBe(200);
    const report = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}');
    expect(report).toMatchObject({ action: 'reencrypted-object', totals: { reencrypted: 1, failed: 0 } });
    const row = s.emu.readEncryption('large', { includeVersions: true }).find((r) => r.versionId === committed.versionId);
    expect(row?.encryption).toMatchObject({ kind: 'kms', keyId: s.keyId, keyVersionId: s.emu.currentKeyVersion(s.keyId) });
  });

  it('the compliance hook leaves a bucket with an Oracle-managed key alone and says so', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'plain', objectEventsEnabled: true });
    const { os } = clientsFor(s.emu, s.compartmentA);
    await os.putObject({ namespaceName: s.namespace, bucketName: 'plain', objectName: 'p.txt', putObjectBody: 'x', contentLength: 1 });
    await s.emu.whenIdle();
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.createObject && d.event.data.resourceName === 'p.txt');
    const report = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}');
    expect(report.totals.skipped['oracle-managed-key']).toBe(1);
    expect(s.emu.readEncryption('plain')[0]?.encryption.kind).toBe('oracle');
  });

  it('a bucket key change sweeps the bucket with the event time as the watermark', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentB, name: 'rekeyed', kmsKeyId: otherKey });
    s.emu.seedObjects('rekeyed', { count: 25, prefix: 'r/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: otherKey } });
    s.emu.updateBucket('rekeyed', { kmsKeyId: s.keyId });
    await s.emu.whenIdle();
    expect(keyVersionCounts(s.emu, 'rekeyed')).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: 25 });
    const delivery = s.emu.deliveries.find((d) => d.eventType === EventTypes.updateBucket && d.event.data.resourceName === 'rekeyed');
    const report = JSON.parse(s.emu.invocations.find((i) => i.callId === delivery?.callId)?.responseBody ?? '{}');
    expect(report).toMatchObject({ action: 'swept', watermark: { source: 'event-time' }, totals: { reencrypted: 25 } });
  });

  it('a manual invoke through the Functions API re-encrypts one object version with an explicit, allowlisted key', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'manual', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('manual', [{ name: 'one/two three', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: s.keyId } }]);
    const [row] = s.emu.readEncryption('manual', { includeVersions: true });
    const { fn } = clientsFor(s.emu, s.compartmentA);
    const response = await fn.invokeFunction({
      functionId: s.functionId,
      invokeFunctionBody: JSON.stringify({ bucketName: 'manual', objectName: 'one/two three', versionId: row?.versionId, kmsKeyId: otherKey }),
    });
    const text = await new Response(response.value as ReadableStream).text();
    expect(JSON.parse(text)).toMatchObject({ ok: true, action: 'reencrypted-object', totals: { reencrypted: 1 } });
    expect(s.emu.readEncryption('manual', { includeVersions: true })[0]?.encryption).toMatchObject({ keyId: otherKey });
  });

  it('the OCI CLI\'s --from-json skeleton, filled in as it is, re-encrypts one object version under the bucket key', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'cli', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('cli', [{ name: 'q1/l\'été summary.csv', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: otherKey } }]);
    const [row] = s.emu.readEncryption('cli', { includeVersions: true });
    const r = await s.fn.call(JSON.stringify(filledSkeleton({
      bucketName: 'cli', encryptionKeyFile: null, kmsKeyId: '', name: 'q1/l\'été summary.csv', namespace: s.namespace, namespaceName: s.namespace,
      objectName: 'q1/l\'été summary.csv', sourceEncryptionKeyFile: null, versionId: row?.versionId,
    })));
    expect(r.json).toMatchObject({ ok: true, action: 'reencrypted-object', namespace: s.namespace, totals: { reencrypted: 1, failed: 0 } });
    expect(s.emu.readEncryption('cli', { includeVersions: true })[0]?.encryption).toMatchObject({
      kind: 'kms', keyId: s.keyId, keyVersionId: s.emu.currentKeyVersion(s.keyId),
    });
  });
});

describe('when OCI refuses a call the whole request depends on', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { REENCRYPT_MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => s?.stop());

  it('answers OciCallFailed naming the operation, OCI status and request id, and stays up', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'down', kmsKeyId: s.keyId });
    s.emu.setRouteFaults('GetBucket', { p500: 1 });
    const r = await s.fn.call(JSON.stringify({ bucketName: 'down', dryRun: true }));
    s.emu.setRouteFaults('GetBucket', undefined);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'OciCallFailed', oci: { operation: 'GetBucket', status: 500, opcRequestId: expect.any(String) } } });
    const again = await s.fn.call(JSON.stringify({ bucketName: 'down', dryRun: true }));
    expect(again.json).toMatchObject({ ok: true, complete: true });
  });

  it('a key sweep uses the namespace the request names', async () => {
    const r = await s.fn.call(JSON.stringify({ kmsKeyId: s.keyId, namespaceName: 'someotherns', force: true, dryRun: true }));
    expect(r.json).toMatchObject({ ok: true, namespace: 'someotherns', complete: false, buckets: [] });
    expect(r.json.notes.join(' ')).toMatch(/ListBuckets/);
    const right = await s.fn.call(JSON.stringify({ kmsKeyId: s.keyId, namespaceName: s.namespace, force: true, dryRun: true }));
    expect(right.json).toMatchObject({ ok: true, namespace: s.namespace, complete: true });
    expect(right.json.buckets.map((b: { bucketName: string }) => b.bucketName)).toContain('down');
  });

  it('reports a bucket that does not exist as skipped not-found', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'no-such-bucket' }));
    expect(r.json).toMatchObject({ ok: true, buckets: [{ bucketName: 'no-such-bucket', skippedBecause: 'not-found', complete: true }] });
  });
});
