import type { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, failure, start } from './helpers';

let emu: Emulator;
let c: Clients;
let os: ObjectStorageClient;
let ns: string;
let keyId: string;

beforeAll(async () => {
  ({ emu, c, ns } = await start());
  os = c.os;
  const vault = emu.createVault({ compartmentId: COMPARTMENT });
  keyId = emu.createKey({ vaultId: vault.id }).id;
});
afterAll(() => emu.stop());

describe('buckets', () => {
  it('creates, gets and updates a bucket with kmsKeyId, versioning and objectEventsEnabled', async () => {
    const created = await os.createBucket({
      namespaceName: ns,
      createBucketDetails: { name: 'b-crud', compartmentId: COMPARTMENT, kmsKeyId: keyId, versioning: 'Enabled' as never, objectEventsEnabled: true },
    });
    expect(created.bucket).toMatchObject({ name: 'b-crud', namespace: ns, compartmentId: COMPARTMENT, kmsKeyId: keyId, versioning: 'Enabled', objectEventsEnabled: true });
    expect(created.eTag).toBe(created.bucket.etag);
    const got = await os.getBucket({ namespaceName: ns, bucketName: 'b-crud' });
    expect(got.bucket.id).toMatch(/^ocid1\.bucket\./);
    expect(Number.isNaN(Date.parse(String(got.bucket.timeCreated)))).toBe(false);
    const updated = await os.updateBucket({ namespaceName: ns, bucketName: 'b-crud', updateBucketDetails: { kmsKeyId: '' } });
    expect(updated.bucket.kmsKeyId).toBeUndefined();
    expect(updated.eTag).not.toBe(got.eTag);
    expect(await failure(os.updateBucket({ namespaceName: ns, bucketName: 'b-crud', ifMatch: got.eTag, updateBucketDetails: {} }))).toEqual({ statusCode: 412, serviceCode: 'IfMatchFailed' });
  });

  it('answers 409 BucketAlreadyExists and 404 BucketNotFound / NamespaceNotFound', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'b-dup' });
    expect(await failure(os.createBucket({ namespaceName: ns, createBucketDetails: { name: 'b-dup', compartmentId: COMPARTMENT } }))).toEqual({ statusCode: 409, serviceCode: 'BucketAlreadyExists' });
    expect(await failure(os.getBucket({ namespaceName: ns, bucketName: 'nope' }))).toEqual({ statusCode: 404, serviceCode: 'BucketNotFound' });
    expect(await failure(os.getBucket({ namespaceName: 'otherns', bucketName: 'b-dup' }))).toEqual({ statusCode: 404, serviceCode: 'NamespaceNotFound' });
  });

  it('rejects a bucket key that does not exist', async () => {
    const f = await failure(os.createBucket({ namespaceName: ns, createBucketDetails: { name: 'b-badkey', compartmentId: COMPARTMENT, kmsKeyId: 'ocid1.key.oc1..missing' } }));
    expect(f.statusCode).toBe(400);
  });

  it('pages ListBuckets and leaves kmsKeyId out of summaries', async () => {
    const comp = 'ocid1.compartment.oc1..listbuckets';
    for (let i = 0; i < 7; i++) emu.createBucket({ compartmentId: comp, name: `lb-${i}`, kmsKeyId: keyId });
    const names: string[] = [];
    let page: string | undefined;
    do {
      const r = await os.listBuckets({ namespaceName: ns, compartmentId: comp, limit: 3, page });
      for (const b of r.items) {
        expect(b).not.toHaveProperty('kmsKeyId');
        names.push(b.name);
      }
      page = r.opcNextPage;
    } while (page);
    expect(names).toEqual(['lb-0', 'lb-1', 'lb-2', 'lb-3', 'lb-4', 'lb-5', 'lb-6']);
  });
});

describe('objects', () => {
  beforeAll(() => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'objs', kmsKeyId: keyId });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'vers', kmsKeyId: keyId, versioning: 'Enabled' });
  });

  it('puts an object, keeps its metadata and answers HeadObject', async () => {
    const put = await os.putObject({
      namespaceName: ns, bucketName: 'objs', objectName: 'dir/a b.txt', putObjectBody: 'hello world', contentLength: 11,
      contentType: 'text/plain', opcMeta: { owner: 'me' },
    });
    expect(put.eTag).toBeTruthy();
    expect(put.opcContentMd5).toBe('XrY7u+Ae7tCTyyK7j1rNww==');
    const head = await os.headObject({ namespaceName: ns, bucketName: 'objs', objectName: 'dir/a b.txt' });
    expect(head).toMatchObject({ eTag: put.eTag, contentLength: 11, contentMd5: 'XrY7u+Ae7tCTyyK7j1rNww==', contentType: 'text/plain', storageTier: 'Standard' });
    expect(head.opcMeta).toEqual({ 'opc-meta-owner': 'me' });
    // The SDK reformats last-modified into its own string; check it is present.
    expect(head.lastModified).toBeTruthy();
    const [row] = emu.readEncryption('objs', { prefix: 'dir/' });
    expect(row?.encryption).toEqual({ kind: 'kms', keyId, keyVersionId: emu.currentKeyVersion(keyId) });
  });

  it('records opc-sse-kms-key-id on PutObject', async () => {
    const other = emu.createKey({ vaultId: emu.createVault({ compartmentId: COMPARTMENT }).id });
    await os.putObject({ namespaceName: ns, bucketName: 'objs', objectName: 'other-key', putObjectBody: 'x', contentLength: 1, opcSseKmsKeyId: other.id });
    expect(emu.readEncryption('objs', { prefix: 'other-key' })[0]?.encryption).toEqual({ kind: 'kms', keyId: other.id, keyVersionId: other.currentKeyVersion });
  });

  it.each([
    ['a line feed', 'logs/a\nb.txt'],
    ['a carriage return', 'logs/a\rb.txt'],
    ['a NUL', 'logs/a\u0000b.txt'],
    ['1025 bytes of UTF-8 in 513 characters', `${'é'.repeat(512)}a`],
  ])('refuses an object name with %s (Oracle\'s naming rules)', async (_what, objectName) => {
    expect(await failure(os.putObject({ namespaceName: ns, bucketName: 'objs', objectName, putObjectBody: 'x', contentLength: 1 })))
      .toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(emu.readEncryption('objs', { prefix: objectName })).toEqual([]);
  });

  it('accepts any other character, a tab included, up to exactly 1024 bytes', async () => {
    for (const objectName of ['logs/a\tb.txt', `${'é'.repeat(511)}ab`, 'ctl\u0001\u001f\u007f']) {
      await os.putObject({ namespaceName: ns, bucketName: 'objs', objectName, putObjectBody: 'x', contentLength: 1 });
      expect((await os.headObject({ namespaceName: ns, bucketName: 'objs', objectName })).contentLength).toBe(1);
    }
  });

  it('refuses to seed a name OCI would refuse', () => {
    expect(() => emu.seedObjects('objs', [{ name: 'bad\nname' }])).toThrow(/line feed/);
    expect(() => emu.seedObjects('objs', { count: 2, prefix: 'bad\r' })).toThrow(/carriage return/);
  });

  it('gives an object in an unversioned bucket one versionId, the same in PutObject, HeadObject and ListObjectVersions (A24)', async () => {
    const put = await os.putObject({ namespaceName: ns, bucketName: 'objs', objectName: 'one-id', putObjectBody: 'x', contentLength: 1 });
    expect(put.versionId).toBeTruthy();
    const head = await os.headObject({ namespaceName: ns, bucketName: 'objs', objectName: 'one-id' });
    const listed = await os.listObjectVersions({ namespaceName: ns, bucketName: 'objs', prefix: 'one-id' });
    expect(head.versionId).toBe(put.versionId);
    expect(listed.objectVersionCollection.items.map((i) => i.versionId)).toEqual([put.versionId]);
    expect((await os.headObject({ namespaceName: ns, bucketName: 'objs', objectName: 'one-id', versionId: put.versionId })).eTag).toBe(put.eTag);
  });

  it('answers a route it does not model in words that do not read as a permissions problem', async () => {
    const res = await fetch(`${emu.url}/n/${ns}/b/objs/actions/copyObject`, { method: 'POST' });
    expect(res.status).toBe(404);
    const body = await res.json() as { code: string; message: string };
    expect(body.code).toBe('NotAuthorizedOrNotFound');
    expect(body.message).toMatch(/does not model POST .*not a permissions problem.*README/);
  });

  it('answers 404 ObjectNotFound for a missing object', async () => {
    expect((await failure(os.headObject({ namespaceName: ns, bucketName: 'objs', objectName: 'missing' }))).statusCode).toBe(404);
    expect(await failure(os.deleteObject({ namespaceName: ns, bucketName: 'objs', objectName: 'missing' }))).toEqual({ statusCode: 404, serviceCode: 'ObjectNotFound' });
  });

  it('deletes an object in an unversioned bucket', async () => {
    await os.putObject({ namespaceName: ns, bucketName: 'objs', objectName: 'gone', putObjectBody: 'x', contentLength: 1 });
    await os.deleteObject({ namespaceName: ns, bucketName: 'objs', objectName: 'gone' });
    expect((await failure(os.headObject({ namespaceName: ns, bucketName: 'objs', objectName: 'gone' }))).statusCode).toBe(404);
  });

  it('keeps versions and writes a delete marker in a versioned bucket', async () => {
    const v1 = await os.putObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc', putObjectBody: 'one', contentLength: 3 });
    const v2 = await os.putObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc', putObjectBody: 'two!', contentLength: 4 });
    expect(v1.versionId).toBeTruthy();
    expect(v2.versionId).not.toBe(v1.versionId);
    const del = await os.deleteObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc' });
    // The SDK drops boolean response headers (is-delete-marker); the listing below shows the marker.
    expect(del.versionId).toBeTruthy();
    expect((await failure(os.headObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc' }))).statusCode).toBe(404);
    const old = await os.headObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc', versionId: v1.versionId });
    expect(old.contentLength).toBe(3);
    const list = await os.listObjectVersions({ namespaceName: ns, bucketName: 'vers', prefix: 'doc' });
    expect(list.objectVersionCollection.items.map((i) => [i.versionId, i.isDeleteMarker])).toEqual([
      [del.versionId, true],
      [v2.versionId, false],
      [v1.versionId, false],
    ]);
    expect(String(list.objectVersionCollection.items[0]?.timeModified)).toMatch(/^\d{4}-\d\d-\d\dT/);
    const listed = await os.listObjects({ namespaceName: ns, bucketName: 'vers', prefix: 'doc' });
    expect(listed.listObjects.objects).toEqual([]);
    await os.deleteObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc', versionId: del.versionId });
    const back = await os.headObject({ namespaceName: ns, bucketName: 'vers', objectName: 'doc' });
    expect(back.versionId).toBe(v2.versionId);
  });

  it('lists only the fields asked for, as one comma-separated string', async () => {
    const bare = await os.listObjects({ namespaceName: ns, bucketName: 'objs', prefix: 'dir/' });
    expect(bare.listObjects.objects).toEqual([{ name: 'dir/a b.txt' }]);
    const rich = await os.listObjects({ namespaceName: ns, bucketName: 'objs', prefix: 'dir/', fields: 'name,size,etag,md5,timeCreated,timeModified,storageTier' });
    expect(rich.listObjects.objects[0]).toMatchObject({ name: 'dir/a b.txt', size: 11, storageTier: 'Standard' });
    expect(String(rich.listObjects.objects[0]?.timeModified)).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
    expect(await failure(os.listObjects({ namespaceName: ns, bucketName: 'objs', fields: 'name,kmsKeyId' }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(os.listObjects({ namespaceName: ns, bucketName: 'objs', limit: 1001 }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });

  it('reads fields as a case-insensitive list (ListObjectsRequest.fields: "comma-separated, case-insensitive")', async () => {
    const r = await os.listObjects({ namespaceName: ns, bucketName: 'objs', prefix: 'dir/', fields: 'NAME, Size,TIMECREATED,storagetier' });
    expect(Object.keys(r.listObjects.objects[0] ?? {}).sort()).toEqual(['name', 'size', 'storageTier', 'timeCreated']);
    const v = await os.listObjectVersions({ namespaceName: ns, bucketName: 'objs', prefix: 'dir/', fields: 'Size,ETag' });
    expect(v.objectVersionCollection.items[0]).toMatchObject({ name: 'dir/a b.txt', size: 11 });
    expect(v.objectVersionCollection.items[0]).toHaveProperty('etag');
  });

  it('puts every response through opc-request-id, errors included', async () => {
    const r = await os.getNamespace({});
    expect(r.value).toBe(ns);
    const res = await fetch(`${emu.url}/n/${ns}/b/nope`);
    expect(res.headers.get('opc-request-id')).toMatch(/^[0-9A-F]{32}$/);
  });

  it('returns GetObject data of the stored size', async () => {
    const r = await os.getObject({ namespaceName: ns, bucketName: 'objs', objectName: 'dir/a b.txt' });
    expect(r.contentLength).toBe(11);
  });
});

describe('bucket fields', () => {
  it('answers approximateCount and approximateSize when asked (the SDK repeats the fields parameter)', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'counted' });
    emu.seedObjects('counted', { count: 5, size: 10 });
    const r = await os.getBucket({ namespaceName: ns, bucketName: 'counted', fields: ['approximateCount', 'approximateSize'] as never });
    expect(r.bucket).toMatchObject({ approximateCount: 5, approximateSize: 50 });
    const plain = await os.getBucket({ namespaceName: ns, bucketName: 'counted' });
    expect(plain.bucket).not.toHaveProperty('approximateCount');
  });
});
