import { createHash, randomBytes } from 'node:crypto';
import type { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, failure, start } from './helpers';

let emu: Emulator;
let c: Clients;
let os: ObjectStorageClient;
let ns: string;
let vaultId: string;
let keyA: string;
let keyB: string;

function sseKey(): { algorithm: 'AES256'; key: string; keySha256: string } {
  const raw = randomBytes(32);
  return { algorithm: 'AES256', key: raw.toString('base64'), keySha256: createHash('sha256').update(raw).digest('base64') };
}
const sseHeaders = (k: ReturnType<typeof sseKey>) => ({ opcSseCustomerAlgorithm: k.algorithm, opcSseCustomerKey: k.key, opcSseCustomerKeySha256: k.keySha256 });

beforeAll(async () => {
  ({ emu, c, ns } = await start({ workRequests: { itemsPerSecond: 4000, tickMs: 25 } }));
  os = c.os;
  vaultId = emu.createVault({ compartmentId: COMPARTMENT }).id;
  keyA = emu.createKey({ vaultId, displayName: 'a' }).id;
  keyB = emu.createKey({ vaultId, displayName: 'b' }).id;
  emu.createBucket({ compartmentId: COMPARTMENT, name: 'enc', kmsKeyId: keyA, versioning: 'Enabled' });
});
afterAll(() => emu.stop());

const encOf = (name: string, versionId?: string) =>
  emu.readEncryption('enc', { prefix: name, includeVersions: true }).find((r) => r.name === name && (versionId === undefined ? r.isLatest : r.versionId === versionId))?.encryption;

describe('Vault, Key Management and Secrets', () => {
  it('answers GetVault with endpoints pointing back at the emulator', async () => {
    const v = await c.vault.getVault({ vaultId });
    expect(v.vault).toMatchObject({ id: vaultId, managementEndpoint: emu.url, cryptoEndpoint: emu.url, lifecycleState: 'ACTIVE', compartmentId: COMPARTMENT });
  });

  it('answers GetKey, GetKeyVersion, ListKeyVersions and CreateKeyVersion', async () => {
    const key = emu.createKey({ vaultId });
    c.kms.endpoint = (await c.vault.getVault({ vaultId })).vault.managementEndpoint;
    const got = await c.kms.getKey({ keyId: key.id });
    expect(got.key).toMatchObject({ id: key.id, vaultId, currentKeyVersion: key.currentKeyVersion, lifecycleState: 'ENABLED' });
    const created = await c.kms.createKeyVersion({ keyId: key.id });
    expect(created.keyVersion).toMatchObject({ keyId: key.id, vaultId });
    expect((await c.kms.getKey({ keyId: key.id })).key.currentKeyVersion).toBe(created.keyVersion.id);
    const versions = await c.kms.listKeyVersions({ keyId: key.id });
    expect(versions.items.map((v) => v.id)).toEqual([created.keyVersion.id, key.currentKeyVersion]);
    const first = await c.kms.getKeyVersion({ keyId: key.id, keyVersionId: key.currentKeyVersion });
    expect(Date.parse(String(first.keyVersion.timeCreated))).toBeLessThanOrEqual(Date.parse(String(created.keyVersion.timeCreated)));
    expect(await failure(c.kms.getKey({ keyId: 'ocid1.key.oc1..nope' }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
  });

  it('honours opc-retry-token on CreateKeyVersion: a retry creates nothing and answers the first version', async () => {
    const key = emu.createKey({ vaultId, displayName: 'retried' });
    c.kms.endpoint = emu.url;
    emu.resetCounters();
    const events = emu.emittedEvents.length;
    const first = await c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'rotate-once-1' });
    const again = await c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'rotate-once-1' });
    expect(again.keyVersion.id).toBe(first.keyVersion.id);
    expect((await c.kms.listKeyVersions({ keyId: key.id })).items).toHaveLength(2);
    expect(emu.currentKeyVersion(key.id)).toBe(first.keyVersion.id);
    expect(emu.emittedEvents.length - events).toBe(2); // one begin/end pair, not two
    expect(emu.getCounters().routes.CreateKeyVersion).toMatchObject({ calls: 2, writes: 1 });
    // Another token, or none, is another rotation.
    const other = await c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'rotate-once-2' });
    const untokened = await c.kms.createKeyVersion({ keyId: key.id });
    expect(new Set([first.keyVersion.id, other.keyVersion.id, untokened.keyVersion.id]).size).toBe(3);
    // The same token on another key is not a retry of the first request (A23).
    expect(await failure(c.kms.createKeyVersion({ keyId: keyB, opcRetryToken: 'rotate-once-1' }))).toEqual({ statusCode: 409, serviceCode: 'Conflict' });
  });

  it('lets a failed CreateKeyVersion be retried with the same token', async () => {
    const key = emu.createKey({ vaultId, displayName: 'flaky' });
    c.kms.endpoint = emu.url;
    emu.setRouteFaults('CreateKeyVersion', { p500: 1 });
    expect((await failure(c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'after-500' }))).statusCode).toBe(500);
    emu.setRouteFaults('CreateKeyVersion', undefined);
    const ok = await c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'after-500' });
    expect(ok.keyVersion.id).toBe(emu.currentKeyVersion(key.id));
    expect((await c.kms.listKeyVersions({ keyId: key.id })).items).toHaveLength(2);
  });

  it('makes a retry after an ambiguous failure safe: the first attempt took effect, the retry with its token adds nothing', async () => {
    const key = emu.createKey({ vaultId, displayName: 'ambiguous' });
    c.kms.endpoint = emu.url;
    emu.setRouteFaults('CreateKeyVersion', { pLate500: 1 });
    expect((await failure(c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'late' }))).statusCode).toBe(500);
    emu.setRouteFaults('CreateKeyVersion', undefined);
    const created = emu.currentKeyVersion(key.id);
    expect(created).not.toBe(key.currentKeyVersion);
    const retried = await c.kms.createKeyVersion({ keyId: key.id, opcRetryToken: 'late' });
    expect(retried.keyVersion.id).toBe(created);
    expect((await c.kms.listKeyVersions({ keyId: key.id })).items).toHaveLength(2);
  });

  it('answers GetSecretBundle with the base64 content', async () => {
    const content = randomBytes(32).toString('base64');
    const secretId = emu.createSecret({ compartmentId: COMPARTMENT, base64Content: content });
    const b = await c.secrets.getSecretBundle({ secretId });
    expect(b.secretBundle.secretBundleContent).toEqual({ contentType: 'BASE64', content });
    expect(b.secretBundle.stages).toContain('CURRENT');
    // Never named: OCI leaves versionName null.
    expect(b.secretBundle.versionName).toBeNull();
    const named = emu.createSecret({ compartmentId: COMPARTMENT, base64Content: content, versionName: 'initial' });
    expect((await c.secrets.getSecretBundle({ secretId: named, secretVersionName: 'initial' })).secretBundle).toMatchObject({ versionNumber: 1, versionName: 'initial' });
  });

  it('selects the secret version by stage, versionNumber or secretVersionName (GetSecretBundle documents all three)', async () => {
    const v1 = randomBytes(32).toString('base64');
    const v2 = randomBytes(32).toString('base64');
    const secretId = emu.createSecret({ compartmentId: COMPARTMENT, base64Content: v1 });
    // No rotation API in the emulator: add a second, named version to the model directly.
    emu.state.secrets.get(secretId)?.versions.push({ versionNumber: 2, content: v2, timeCreated: Date.now(), versionName: 'second' });
    const content = async (req: Omit<Parameters<typeof c.secrets.getSecretBundle>[0], 'secretId'>): Promise<unknown> =>
      (await c.secrets.getSecretBundle({ secretId, ...req })).secretBundle.secretBundleContent;
    expect(await content({})).toEqual({ contentType: 'BASE64', content: v2 });
    expect(await content({ stage: 'CURRENT' as never })).toEqual({ contentType: 'BASE64', content: v2 });
    expect(await content({ stage: 'PREVIOUS' as never })).toEqual({ contentType: 'BASE64', content: v1 });
    expect(await content({ versionNumber: 1 })).toEqual({ contentType: 'BASE64', content: v1 });
    expect(await content({ secretVersionName: 'second' })).toEqual({ contentType: 'BASE64', content: v2 });
    // Version 1 was never named: no name selects it, and its bundle says versionName null.
    expect(await failure(c.secrets.getSecretBundle({ secretId, secretVersionName: 'v1' }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    const prev = await c.secrets.getSecretBundle({ secretId, stage: 'PREVIOUS' as never });
    expect(prev.secretBundle).toMatchObject({ versionNumber: 1, stages: ['PREVIOUS'], versionName: null });
    expect((await c.secrets.getSecretBundle({ secretId })).secretBundle).toMatchObject({ versionNumber: 2, versionName: 'second' });
    expect(await failure(c.secrets.getSecretBundle({ secretId, stage: 'PENDING' as never }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    expect(await failure(c.secrets.getSecretBundle({ secretId, versionNumber: 1, stage: 'CURRENT' as never }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    expect(await failure(c.secrets.getSecretBundle({ secretId, stage: 'BOGUS' as never }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });
});

describe('SSE-C', () => {
  const k = sseKey();

  beforeAll(async () => {
    await os.putObject({ namespaceName: ns, bucketName: 'enc', objectName: 'ssec', putObjectBody: 'secret', contentLength: 6, ...sseHeaders(k) });
  });

  it('records the SHA-256 of the customer key on PutObject', () => {
    expect(encOf('ssec')).toEqual({ kind: 'sse-c', keySha256: k.keySha256 });
  });

  it('needs the customer key on HeadObject, and the right one', async () => {
    expect((await failure(os.headObject({ namespaceName: ns, bucketName: 'enc', objectName: 'ssec' }))).statusCode).toBe(400);
    expect((await failure(os.headObject({ namespaceName: ns, bucketName: 'enc', objectName: 'ssec', ...sseHeaders(sseKey()) }))).statusCode).toBe(400);
    const ok = await os.headObject({ namespaceName: ns, bucketName: 'enc', objectName: 'ssec', ...sseHeaders(k) });
    expect(ok.contentLength).toBe(6);
  });

  it('rejects a key whose SHA-256 does not match, and SSE-C together with a KMS key', async () => {
    const bad = { ...sseHeaders(k), opcSseCustomerKeySha256: sseKey().keySha256 };
    expect(await failure(os.putObject({ namespaceName: ns, bucketName: 'enc', objectName: 'x', putObjectBody: 'x', contentLength: 1, ...bad }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect(await failure(os.putObject({ namespaceName: ns, bucketName: 'enc', objectName: 'x', putObjectBody: 'x', contentLength: 1, ...sseHeaders(k), opcSseKmsKeyId: keyA }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });
});

describe('ReencryptObject', () => {
  const put = (name: string, extra: Record<string, string> = {}) =>
    os.putObject({ namespaceName: ns, bucketName: 'enc', objectName: name, putObjectBody: 'data', contentLength: 4, ...extra });
  const reencrypt = (name: string, details: object = {}, versionId?: string) =>
    os.reencryptObject({ namespaceName: ns, bucketName: 'enc', objectName: name, versionId, reencryptObjectDetails: details });

  it("moves an object to the bucket key's current version with an empty body", async () => {
    await put('r1');
    const before = encOf('r1');
    const rotated = emu.rotateKey(keyA);
    await reencrypt('r1');
    expect(before).toMatchObject({ kind: 'kms', keyId: keyA });
    expect(encOf('r1')).toEqual({ kind: 'kms', keyId: keyA, keyVersionId: rotated.id });
  });

  it('keeps ETag and timeModified (see assumptions) and counts one write', async () => {
    await put('r-etag');
    const head = await os.headObject({ namespaceName: ns, bucketName: 'enc', objectName: 'r-etag' });
    emu.resetCounters();
    await reencrypt('r-etag', { kmsKeyId: keyB });
    const after = await os.headObject({ namespaceName: ns, bucketName: 'enc', objectName: 'r-etag' });
    expect(after.eTag).toBe(head.eTag);
    expect(after.lastModified).toBe(head.lastModified);
    expect(emu.getCounters().writes).toBe(1);
  });

  it('moves to a named key at its current version, or to an SSE-C key', async () => {
    await put('r2');
    await reencrypt('r2', { kmsKeyId: keyB });
    expect(encOf('r2')).toEqual({ kind: 'kms', keyId: keyB, keyVersionId: emu.currentKeyVersion(keyB) });
    const k = sseKey();
    await reencrypt('r2', { sseCustomerKey: k });
    expect(encOf('r2')).toEqual({ kind: 'sse-c', keySha256: k.keySha256 });
  });

  it('rejects kmsKeyId together with sseCustomerKey, and an unknown key', async () => {
    await put('r3');
    expect(await failure(reencrypt('r3', { kmsKeyId: keyB, sseCustomerKey: sseKey() }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect((await failure(reencrypt('r3', { kmsKeyId: 'ocid1.key.oc1..missing' }))).statusCode).toBe(400);
    expect(await failure(reencrypt('missing'))).toEqual({ statusCode: 404, serviceCode: 'ObjectNotFound' });
  });

  it('needs the matching sourceSseCustomerKey for an SSE-C object', async () => {
    const k = sseKey();
    await put('r4', sseHeaders(k));
    expect(await failure(reencrypt('r4', {}))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
    expect((await failure(reencrypt('r4', { sourceSseCustomerKey: sseKey() }))).statusCode).toBe(400);
    await reencrypt('r4', { sourceSseCustomerKey: k });
    expect(encOf('r4')).toMatchObject({ kind: 'kms', keyId: keyA });
  });

  it('refuses an archived object with 409 NotRestored (see assumptions)', async () => {
    emu.seedObjects('enc', [{ name: 'archived', storageTier: 'Archive', archivalState: 'Archived' }, { name: 'restored', storageTier: 'Archive', archivalState: 'Restored' }]);
    expect(await failure(reencrypt('archived'))).toEqual({ statusCode: 409, serviceCode: 'NotRestored' });
    await reencrypt('restored', { kmsKeyId: keyB });
    expect(encOf('restored')).toMatchObject({ keyId: keyB });
  });

  it('re-encrypts one named version and leaves the others alone', async () => {
    const v1 = await put('r5');
    const v2 = await put('r5');
    await reencrypt('r5', { kmsKeyId: keyB }, v1.versionId);
    expect(encOf('r5', v1.versionId)).toMatchObject({ keyId: keyB });
    expect(encOf('r5', v2.versionId)).toMatchObject({ keyId: keyA });
    expect((await failure(reencrypt('r5', {}, 'no-such-version'))).statusCode).toBe(404);
  });
});

describe('ReencryptBucket', () => {
  it('fails at once for a bucket without a kmsKeyId', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'oracle-managed' });
    expect(await failure(os.reencryptBucket({ namespaceName: ns, bucketName: 'oracle-managed' }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });

  it('progresses over time and re-wraps versions that existed at the call with the newest key version', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'bulk', kmsKeyId: keyB, versioning: 'Enabled' });
    const old = emu.currentKeyVersion(keyB);
    emu.seedObjects('bulk', { count: 2000, prefix: 'o/', extraVersions: 1 });
    emu.seedObjects('bulk', [{ name: 'archived', storageTier: 'Archive' }]);
    const newest = emu.rotateKey(keyB).id;
    const started = await os.reencryptBucket({ namespaceName: ns, bucketName: 'bulk' });
    expect(started.opcWorkRequestId).toMatch(/^ocid1\./);
    const seen = new Set<string>();
    const percents: number[] = [];
    for (;;) {
      const wr = await os.getWorkRequest({ workRequestId: started.opcWorkRequestId });
      seen.add(String(wr.workRequest.status));
      percents.push(wr.workRequest.percentComplete ?? -1);
      expect(wr.workRequest.operationType).toBe('REENCRYPT');
      if (wr.workRequest.status === 'COMPLETED' || wr.workRequest.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen.has('IN_PROGRESS')).toBe(true);
    expect(seen.has('COMPLETED')).toBe(true);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    const summary = emu.encryptionSummary('bulk', { includeVersions: true });
    expect(summary).toContainEqual({ kind: 'kms', keyId: keyB, keyVersionId: newest, count: 4000 });
    expect(summary).toContainEqual({ kind: 'kms', keyId: keyB, keyVersionId: old, count: 1 });
    expect(await failure(os.getWorkRequest({ workRequestId: 'ocid1.objectstorageworkrequest.oc1..nope' }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    // A work request that completed has no errors.
    expect((await os.listWorkRequestErrors({ workRequestId: started.opcWorkRequestId })).items).toEqual([]);
  });

  it('a work request longer for a larger bucket', async () => {
    for (const [name, count] of [['small-wr', 200], ['large-wr', 4000]] as const) {
      emu.createBucket({ compartmentId: COMPARTMENT, name, kmsKeyId: keyB });
      emu.seedObjects(name, { count, prefix: 'o/' });
    }
    const small = await os.reencryptBucket({ namespaceName: ns, bucketName: 'small-wr' });
    const large = await os.reencryptBucket({ namespaceName: ns, bucketName: 'large-wr' });
    await emu.workRequests.whenIdle();
    const took = async (id: string) => {
      const wr = (await os.getWorkRequest({ workRequestId: id })).workRequest;
      return new Date(wr.timeFinished ?? 0).getTime() - new Date(wr.timeStarted ?? 0).getTime();
    };
    // 4000 versions at 4000 per second against 200: whole ticks apart, however loaded the machine.
    expect(await took(large.opcWorkRequestId)).toBeGreaterThan(await took(small.opcWorkRequestId));
  });

  it('an injected failure ends the work request FAILED part-way, with its error listed', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'doomed', kmsKeyId: keyB, versioning: 'Enabled' });
    emu.seedObjects('doomed', { count: 1000, prefix: 'o/' });
    const newest = emu.rotateKey(keyB).id;
    emu.workRequests.injectFailure({ bucketName: 'doomed', atFraction: 0.5, code: 'InternalServerError', message: 'disk on fire' });
    const started = await os.reencryptBucket({ namespaceName: ns, bucketName: 'doomed' });
    await emu.workRequests.whenIdle();
    const wr = (await os.getWorkRequest({ workRequestId: started.opcWorkRequestId })).workRequest;
    expect(wr.status).toBe('FAILED');
    expect(wr.percentComplete).toBe(50);
    expect(wr.timeFinished).toBeDefined();
    const errors = await os.listWorkRequestErrors({ workRequestId: started.opcWorkRequestId });
    expect(errors.items.map((e) => ({ code: e.code, message: e.message }))).toEqual([{ code: 'InternalServerError', message: 'disk on fire' }]);
    expect(Number.isNaN(new Date(String(errors.items[0]?.timestamp)).getTime())).toBe(false);
    const rewrapped = emu.encryptionSummary('doomed', { includeVersions: true }).find((e) => e.kind === 'kms' && e.keyVersionId === newest);
    expect(rewrapped?.count).toBe(500);
    // The failure was consumed: the next work request on the bucket completes.
    const again = await os.reencryptBucket({ namespaceName: ns, bucketName: 'doomed' });
    await emu.workRequests.whenIdle();
    expect((await os.getWorkRequest({ workRequestId: again.opcWorkRequestId })).workRequest.status).toBe('COMPLETED');
    expect(await failure(os.listWorkRequestErrors({ workRequestId: 'ocid1.objectstorageworkrequest.oc1..nope' }))).toEqual({ statusCode: 404, serviceCode: 'NotAuthorizedOrNotFound' });
    expect(await failure(os.listWorkRequestErrors({ workRequestId: started.opcWorkRequestId, limit: 0 }))).toEqual({ statusCode: 400, serviceCode: 'InvalidParameter' });
  });
});
