import { createHash, randomBytes } from 'node:crypto';
import { UploadManager, type ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, failure, start } from './helpers';

let emu: Emulator;
let c: Clients;
let os: ObjectStorageClient;
let ns: string;
let keyId: string;
let otherKeyId: string;

beforeAll(async () => {
  ({ emu, c, ns } = await start());
  os = c.os;
  const vault = emu.createVault({ compartmentId: COMPARTMENT });
  keyId = emu.createKey({ vaultId: vault.id, displayName: 'bucket-key' }).id;
  otherKeyId = emu.createKey({ vaultId: vault.id, displayName: 'other' }).id;
  emu.createBucket({ compartmentId: COMPARTMENT, name: 'mp', kmsKeyId: keyId, versioning: 'Enabled', objectEventsEnabled: true });
});
afterAll(() => emu.stop());

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

async function createUpload(object: string, extra: Partial<Parameters<ObjectStorageClient['createMultipartUpload']>[0]> = {}): Promise<string> {
  const r = await os.createMultipartUpload({ namespaceName: ns, bucketName: 'mp', createMultipartUploadDetails: { object }, ...extra });
  return r.multipartUpload.uploadId;
}

async function uploadPart(object: string, uploadId: string, uploadPartNum: number, body: Buffer, extra: Record<string, string> = {}): Promise<string> {
  const r = await os.uploadPart({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId, uploadPartNum, uploadPartBody: body, contentLength: body.length, ...extra });
  return r.eTag;
}

describe('multipart uploads', () => {
  it('creates, uploads parts, lists them and commits into an object under the bucket key, emitting createobject', async () => {
    const object = 'big/data set.bin';
    const created = await os.createMultipartUpload({ namespaceName: ns, bucketName: 'mp', createMultipartUploadDetails: { object, contentType: 'application/x-test' } });
    expect(created.multipartUpload).toMatchObject({ namespace: ns, bucket: 'mp', object, uploadId: expect.any(String) });
    const { uploadId } = created.multipartUpload;
    const parts = [randomBytes(1000), randomBytes(700), randomBytes(300)];
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) etags.push(await uploadPart(object, uploadId, i + 1, part));

    const listed = await os.listMultipartUploadParts({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId, limit: 2 });
    expect(listed.items.map((p) => [p.partNumber, p.etag, p.size])).toEqual([[1, etags[0], 1000], [2, etags[1], 700]]);
    const rest = await os.listMultipartUploadParts({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId, page: listed.opcNextPage });
    expect(rest.items.map((p) => p.partNumber)).toEqual([3]);
    expect((await os.listMultipartUploads({ namespaceName: ns, bucketName: 'mp' })).items.map((u) => u.uploadId)).toContain(uploadId);

    // The bucket key rotates while the upload is open: the object is made at commit, under the current version.
    const rotated = emu.rotateKey(keyId);
    const events = emu.emittedEvents.length;
    const committed = await os.commitMultipartUpload({
      namespaceName: ns, bucketName: 'mp', objectName: object, uploadId,
      commitMultipartUploadDetails: { partsToCommit: etags.map((etag, i) => ({ partNum: i + 1, etag })) },
    });
    const expectedMd5 = `${createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(md5(p), 'base64')))).digest('base64')}-3`;
    expect(committed).toMatchObject({ opcMultipartMd5: expectedMd5, eTag: expect.any(String), versionId: expect.any(String) });

    const got = await os.getObject({ namespaceName: ns, bucketName: 'mp', objectName: object });
    expect(Buffer.from(await new Response(got.value as ReadableStream).arrayBuffer())).toEqual(Buffer.concat(parts));
    const head = await os.headObject({ namespaceName: ns, bucketName: 'mp', objectName: object });
    expect(head).toMatchObject({ contentLength: 2000, eTag: committed.eTag, versionId: committed.versionId, contentType: 'application/x-test', opcMultipartMd5: expectedMd5 });
    expect(emu.readEncryption('mp', { prefix: object })[0]?.encryption).toEqual({ kind: 'kms', keyId, keyVersionId: rotated.id });
    const emitted = emu.emittedEvents.slice(events);
    expect(emitted.map((e) => [e.eventType, e.data.resourceName])).toEqual([['com.oraclecloud.objectstorage.createobject', object]]);
    expect(emitted[0]?.data.additionalDetails).toMatchObject({ versionId: committed.versionId, eTag: committed.eTag });
    // The upload is gone once committed.
    expect(await failure(os.listMultipartUploadParts({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId })))
      .toEqual({ statusCode: 404, serviceCode: 'NoSuchUpload' });
  });

  it('commits only the parts listed, in part order, and keeps an explicit kmsKeyId', async () => {
    const object = 'chosen';
    const uploadId = await createUpload(object, { opcSseKmsKeyId: otherKeyId });
    const one = await uploadPart(object, uploadId, 1, Buffer.alloc(10, 1));
    await uploadPart(object, uploadId, 2, Buffer.alloc(20, 2));
    const three = await uploadPart(object, uploadId, 3, Buffer.alloc(30, 3));
    await os.commitMultipartUpload({
      namespaceName: ns, bucketName: 'mp', objectName: object, uploadId,
      commitMultipartUploadDetails: { partsToCommit: [{ partNum: 3, etag: three }, { partNum: 1, etag: one }], partsToExclude: [2] },
    });
    expect((await os.headObject({ namespaceName: ns, bucketName: 'mp', objectName: object })).contentLength).toBe(40);
    expect(emu.readEncryption('mp', { prefix: object })[0]?.encryption).toEqual({ kind: 'kms', keyId: otherKeyId, keyVersionId: emu.currentKeyVersion(otherKeyId) });
  });

  it('refuses a commit whose etag or part does not match what was uploaded, and leaves the upload open', async () => {
    const object = 'mismatch';
    const uploadId = await createUpload(object);
    const etag = await uploadPart(object, uploadId, 1, Buffer.from('abc'));
    const commit = (partsToCommit: { partNum: number; etag: string }[]) =>
      os.commitMultipartUpload({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId, commitMultipartUploadDetails: { partsToCommit } });
    expect(await failure(commit([{ partNum: 1, etag: 'not-the-etag' }]))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(commit([{ partNum: 2, etag }]))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(commit([]))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(emu.readEncryption('mp', { prefix: object })).toEqual([]);
    await commit([{ partNum: 1, etag }]);
    expect(emu.readEncryption('mp', { prefix: object })).toHaveLength(1);
  });

  it('aborts an upload: no object, no event, and the uploadId is unknown afterwards', async () => {
    const object = 'aborted';
    const uploadId = await createUpload(object);
    await uploadPart(object, uploadId, 1, Buffer.from('x'));
    const events = emu.emittedEvents.length;
    await os.abortMultipartUpload({ namespaceName: ns, bucketName: 'mp', objectName: object, uploadId });
    expect(emu.readEncryption('mp', { prefix: object })).toEqual([]);
    expect(emu.emittedEvents.length).toBe(events);
    expect(await failure(uploadPart(object, uploadId, 2, Buffer.from('y')))).toEqual({ statusCode: 404, serviceCode: 'NoSuchUpload' });
  });

  it('answers an unknown upload, or one of another object, with NoSuchUpload (A25), not an authorization error', async () => {
    const uploadId = await createUpload('mine');
    expect(await failure(uploadPart('someone-else', uploadId, 1, Buffer.from('x')))).toEqual({ statusCode: 404, serviceCode: 'NoSuchUpload' });
    expect(await failure(os.abortMultipartUpload({ namespaceName: ns, bucketName: 'mp', objectName: 'mine', uploadId: 'no-such-id' })))
      .toEqual({ statusCode: 404, serviceCode: 'NoSuchUpload' });
  });

  it('checks part numbers, Content-MD5 and object names', async () => {
    const uploadId = await createUpload('checks');
    expect(await failure(uploadPart('checks', uploadId, 0, Buffer.from('x')))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(uploadPart('checks', uploadId, 10_001, Buffer.from('x')))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(uploadPart('checks', uploadId, 1, Buffer.from('x'), { contentMD5: md5(Buffer.from('y')) }))).toEqual({ statusCode: 400, serviceCode: 'InvalidDigest' });
    expect(await failure(createUpload('bad\nname'))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });

  it('needs the upload\'s SSE-C key on every part and makes an SSE-C object', async () => {
    const raw = randomBytes(32);
    const key = { opcSseCustomerAlgorithm: 'AES256', opcSseCustomerKey: raw.toString('base64'), opcSseCustomerKeySha256: createHash('sha256').update(raw).digest('base64') };
    const uploadId = await createUpload('ssec', key);
    expect((await failure(uploadPart('ssec', uploadId, 1, Buffer.from('x')))).statusCode).toBe(400);
    const etag = await uploadPart('ssec', uploadId, 1, Buffer.from('x'), key);
    await os.commitMultipartUpload({ namespaceName: ns, bucketName: 'mp', objectName: 'ssec', uploadId, commitMultipartUploadDetails: { partsToCommit: [{ partNum: 1, etag }] } });
    expect(emu.readEncryption('mp', { prefix: 'ssec' })[0]?.encryption).toEqual({ kind: 'sse-c', keySha256: key.opcSseCustomerKeySha256 });
  });

  it('serves the SDK\'s own UploadManager, which switches to a multipart upload above its part size', async () => {
    const body = randomBytes(5 * 1024 + 17);
    const manager = new UploadManager(os, { partSize: 1024, maxConcurrentUploads: 3 });
    const before = emu.getCounters().routes.UploadPart?.calls ?? 0;
    await manager.upload({ content: { blob: new Blob([body]) }, requestDetails: { namespaceName: ns, bucketName: 'mp', objectName: 'managed/upload.bin' } });
    expect((emu.getCounters().routes.UploadPart?.calls ?? 0) - before).toBe(6);
    expect((await os.headObject({ namespaceName: ns, bucketName: 'mp', objectName: 'managed/upload.bin' })).contentLength).toBe(body.length);
  });
});

describe('version-id in a bucket where versioning was never enabled (A24 flipped)', () => {
  it('is left out of PutObject and HeadObject, and still listed by ListObjectVersions', async () => {
    const other = await start({ assumptions: { versionIdInUnversionedBuckets: false } });
    try {
      other.emu.createBucket({ compartmentId: COMPARTMENT, name: 'plain' });
      const put = await other.c.os.putObject({ namespaceName: other.ns, bucketName: 'plain', objectName: 'o', putObjectBody: 'x', contentLength: 1 });
      const head = await other.c.os.headObject({ namespaceName: other.ns, bucketName: 'plain', objectName: 'o' });
      expect(put.versionId).toBeFalsy();
      expect(head.versionId).toBeFalsy();
      const listed = await other.c.os.listObjectVersions({ namespaceName: other.ns, bucketName: 'plain' });
      expect(listed.objectVersionCollection.items[0]?.versionId).toBeTruthy();
    } finally {
      await other.emu.stop();
    }
  });
});
