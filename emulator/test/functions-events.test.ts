import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, OciEvent } from '../src/index';
import { COMPARTMENT, type Clients, failure, start } from './helpers';

let emu: Emulator;
let c: Clients;
let ns: string;
let child: ChildProcess;
let dir: string;
let functionId: string;

/** Start the fixture function under the real FDK on a fresh unix socket. */
async function startFunction(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'fn-'));
  const sock = join(dir, 'lsnr.sock');
  child = spawn(process.execPath, [join(__dirname, 'fixtures', 'echo-fn.js')], {
    env: { ...process.env, FN_FORMAT: 'http-stream', FN_LISTENER: `unix:${sock}` },
    stdio: 'ignore',
    cwd: join(__dirname, '..', '..'),
  });
  // A hang guard (50 s: a loaded machine can take seconds to start node and the FDK).
  for (let i = 0; i < 2000 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
  if (!existsSync(sock)) throw new Error('the FDK did not create its socket');
  return sock;
}

const body = (o: unknown): string => JSON.stringify(o);
const invoke = async (payload: unknown, detached = false): Promise<string> => {
  const r = await c.fn.invokeFunction({ functionId, invokeFunctionBody: body(payload), fnInvokeType: detached ? ('detached' as never) : undefined });
  const stream = r.value as unknown as ReadableStream<Uint8Array> | string | null;
  if (stream === null || typeof stream === 'string') return stream ?? '';
  return new Response(stream).text();
};

beforeAll(async () => {
  ({ emu, c, ns } = await start());
  const sock = await startFunction();
  functionId = emu.registerFunction({ socketPath: sock, timeoutSeconds: 30 });
});
afterAll(async () => {
  await emu.stop();
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('Functions invoke', () => {
  it('forwards a sync invoke to the FDK as POST /call with Fn-Call-Id and Fn-Deadline', async () => {
    const text = await invoke({ hello: 'world' });
    const answer = JSON.parse(text) as { received: unknown; callId: string; deadline: string; contentType: string };
    expect(answer.received).toEqual({ hello: 'world' });
    const record = emu.invocations.find((i) => i.callId === answer.callId);
    expect(record).toMatchObject({ functionId, invokeType: 'sync', status: 200, via: 'api' });
    const deadline = Date.parse(answer.deadline);
    expect(deadline - record!.startedAt.getTime()).toBeGreaterThan(29_000);
    expect(deadline - record!.startedAt.getTime()).toBeLessThanOrEqual(30_000);
  });

  it('answers 202 for a detached invoke and runs it in the background', async () => {
    const before = emu.invocations.length;
    await invoke({ sleepMs: 50, tag: 'detached' }, true);
    await emu.whenIdle();
    const record = emu.invocations[before];
    expect(record).toMatchObject({ invokeType: 'detached', status: 200 });
    expect(JSON.parse(record!.responseBody as string).received).toMatchObject({ tag: 'detached' });
  });

  it('answers 502 when the handler throws, and 404 for an unknown function', async () => {
    expect((await failure(invoke({ fail: true }))).statusCode).toBe(502);
    expect(emu.invocations.at(-1)?.status).toBe(502);
    expect((await failure(c.fn.invokeFunction({ functionId: 'ocid1.fnfunc.oc1..nope', invokeFunctionBody: '{}' }))).statusCode).toBe(404);
  });
});

describe('Functions limits', () => {
  it('refuses a function configuration OCI would refuse (sync timeout over 300 s, detached outside 5..3600 s)', () => {
    expect(() => emu.registerFunction({ socketPath: '/nonexistent', timeoutSeconds: 301 })).toThrow(/300/);
    expect(() => emu.registerFunction({ socketPath: '/nonexistent', timeoutSeconds: 30, detachedTimeoutSeconds: 3601 })).toThrow(/3600/);
    expect(() => emu.registerFunction({ socketPath: '/nonexistent', timeoutSeconds: 30, detachedTimeoutSeconds: 4 })).toThrow(/3600/);
    const id = emu.registerFunction({ socketPath: '/nonexistent', timeoutSeconds: 300, detachedTimeoutSeconds: 3600 });
    expect(id).toMatch(/^ocid1\.fnfunc\./);
  });
});

describe('Events', () => {
  it('delivers createobject events from buckets with objectEventsEnabled only', async () => {
    const rule = emu.addEventRule({ eventTypes: ['com.oraclecloud.objectstorage.createobject'], functionId, condition: { data: { additionalDetails: { bucketName: ['events-on'] } } } });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'events-on', objectEventsEnabled: true, versioning: 'Enabled' });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'events-off' });
    const put = await c.os.putObject({ namespaceName: ns, bucketName: 'events-on', objectName: 'dir/new file.txt', putObjectBody: 'x', contentLength: 1 });
    await c.os.putObject({ namespaceName: ns, bucketName: 'events-off', objectName: 'quiet', putObjectBody: 'x', contentLength: 1 });
    await emu.whenIdle();
    const mine = emu.deliveries.filter((d) => d.ruleId === rule.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.status).toBe(200);
    const event = mine[0]?.event as OciEvent;
    expect(event).toMatchObject({
      eventType: 'com.oraclecloud.objectstorage.createobject',
      cloudEventsVersion: '0.1',
      eventTypeVersion: '2.0',
      contentType: 'application/json',
      extensions: { compartmentId: COMPARTMENT },
      data: {
        compartmentId: COMPARTMENT,
        resourceName: 'dir/new file.txt',
        resourceId: `/n/${ns}/b/events-on/o/dir/new file.txt`,
        additionalDetails: { namespace: ns, bucketName: 'events-on', eTag: put.eTag, versionId: put.versionId, archivalState: 'Available' },
      },
    });
    expect(event.eventID).toMatch(/^[0-9a-f-]{36}$/);
    // Exactly the envelope attributes of "Contents of an Event Message" (CloudEvents 0.1), nothing else.
    expect(Object.keys(event).sort()).toEqual(['cloudEventsVersion', 'contentType', 'data', 'eventID', 'eventTime', 'eventType', 'eventTypeVersion', 'extensions', 'source']);
    expect(Number.isNaN(Date.parse(event.eventTime))).toBe(false);
    // The function received exactly that envelope.
    const call = emu.invocations.find((i) => i.callId === mine[0]?.callId);
    expect(JSON.parse(call!.responseBody as string).received).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('delivers createkeyversion begin and end on a rotation', async () => {
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id, displayName: 'rotating' });
    const rule = emu.addEventRule({ eventTypes: ['com.oraclecloud.keymanagementservice.createkeyversion.*'], compartmentId: COMPARTMENT, functionId });
    c.kms.endpoint = vault.managementEndpoint;
    const created = await c.kms.createKeyVersion({ keyId: key.id });
    await emu.whenIdle();
    const mine = emu.deliveries.filter((d) => d.ruleId === rule.id);
    expect(mine.map((d) => d.eventType)).toEqual([
      'com.oraclecloud.keymanagementservice.createkeyversion.begin',
      'com.oraclecloud.keymanagementservice.createkeyversion.end',
    ]);
    expect(mine[1]?.event.data).toMatchObject({ resourceId: key.id, resourceName: 'rotating', additionalDetails: { vaultId: vault.id, keyVersionId: created.keyVersion.id } });
    expect(mine.every((d) => d.status === 200)).toBe(true);
  });

  it('delivers autokeyrotate begin and end on an automatic rotation', async () => {
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id });
    const rule = emu.addEventRule({ eventTypes: ['com.oraclecloud.keymanagementservice.autokeyrotate.end'], functionId });
    const v = emu.rotateKey(key.id, { automatic: true });
    await emu.whenIdle();
    const mine = emu.deliveries.filter((d) => d.ruleId === rule.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.event).toMatchObject({ source: 'KeyManagementService', data: { resourceId: key.id, additionalDetails: { vaultId: vault.id, keyVersionId: v.id } } });
    c.kms.endpoint = vault.managementEndpoint;
    expect((await c.kms.getKeyVersion({ keyId: key.id, keyVersionId: v.id })).keyVersion.isAutoRotated).toBe(true);
  });

  it('stamps both rotation events with the new version\'s creation time (a rotation here takes no time)', async () => {
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id });
    const v = emu.rotateKey(key.id, { automatic: true });
    const mine = emu.emittedEvents.filter((e) => e.data.resourceId === key.id);
    expect(mine.map((e) => e.eventTime)).toEqual([v.timeCreated.toISOString(), v.timeCreated.toISOString()]);
  });

  it('emits autokeyrotate begin and end for a failed automatic rotation, without creating a key version (A22)', async () => {
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id, displayName: 'stuck' });
    const before = emu.currentKeyVersion(key.id);
    const rule = emu.addEventRule({ eventTypes: ['com.oraclecloud.keymanagementservice.autokeyrotate.*'], functionId });
    emu.failAutomaticRotation(key.id);
    await emu.whenIdle();
    const mine = emu.deliveries.filter((d) => d.ruleId === rule.id);
    expect(mine.map((d) => d.eventType)).toEqual([
      'com.oraclecloud.keymanagementservice.autokeyrotate.begin',
      'com.oraclecloud.keymanagementservice.autokeyrotate.end',
    ]);
    expect(mine[1]?.event.data).toMatchObject({ resourceId: key.id, resourceName: 'stuck', additionalDetails: { vaultId: vault.id, keyId: key.id } });
    expect(mine[1]?.event.data.additionalDetails).not.toHaveProperty('keyVersionId');
    expect(emu.currentKeyVersion(key.id)).toBe(before);
    c.kms.endpoint = vault.managementEndpoint;
    expect((await c.kms.listKeyVersions({ keyId: key.id })).items).toHaveLength(1);
  });

  it('fails an automatic rotation over the admin surface too', async () => {
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id });
    const res = await fetch(`${emu.url}/_emulator/keys/${key.id}/fail-rotation`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    const mine = emu.emittedEvents.filter((e) => e.data.resourceId === key.id).map((e) => e.eventType);
    expect(mine).toEqual(['com.oraclecloud.keymanagementservice.autokeyrotate.begin', 'com.oraclecloud.keymanagementservice.autokeyrotate.end']);
    expect((await fetch(`${emu.url}/_emulator/keys/ocid1.key.oc1..nope/fail-rotation`, { method: 'POST', body: '{}' })).status).toBe(400);
  });

  it('emits updatebucket without the kmsKeyId', async () => {
    const rule = emu.addEventRule({ eventTypes: ['com.oraclecloud.objectstorage.updatebucket'], functionId });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'ub' });
    await c.os.updateBucket({ namespaceName: ns, bucketName: 'ub', updateBucketDetails: { versioning: 'Enabled' as never } });
    await emu.whenIdle();
    const d = emu.deliveries.find((x) => x.ruleId === rule.id);
    expect(d?.event.data.additionalDetails).toMatchObject({ bucketName: 'ub', namespace: ns, versioning: 'Enabled' });
    expect(d?.event.data.additionalDetails).not.toHaveProperty('kmsKeyId');
  });
});

describe('A failed automatic rotation (assumption A22 flipped)', () => {
  it('names the key\'s unchanged current version in additionalDetails', async () => {
    const other = await start({ assumptions: { failedRotationNamesCurrentVersion: true } });
    try {
      const key = other.emu.createKey({ vaultId: other.emu.createVault({ compartmentId: COMPARTMENT }).id });
      other.emu.failAutomaticRotation(key.id);
      const end = other.emu.emittedEvents.find((e) => e.eventType === 'com.oraclecloud.keymanagementservice.autokeyrotate.end');
      expect(end?.data.additionalDetails).toEqual({ vaultId: key.vaultId, keyId: key.id, keyVersionId: key.currentKeyVersion });
    } finally {
      await other.emu.stop();
    }
  });
});

describe('Event source (assumption A19)', () => {
  it('uses the configured source for Object Storage and Key Management events', async () => {
    const other = await start({ assumptions: { eventSource: { objectStorage: 'objectstorage', keyManagement: 'kms' } } });
    try {
      other.emu.createBucket({ compartmentId: COMPARTMENT, name: 'src', objectEventsEnabled: true });
      await other.c.os.putObject({ namespaceName: other.ns, bucketName: 'src', objectName: 'o', putObjectBody: 'x', contentLength: 1 });
      const vault = other.emu.createVault({ compartmentId: COMPARTMENT });
      other.emu.rotateKey(other.emu.createKey({ vaultId: vault.id }).id);
      const sources = new Map(other.emu.emittedEvents.map((e) => [e.eventType, e.source]));
      expect(sources.get('com.oraclecloud.objectstorage.createbucket')).toBe('objectstorage');
      expect(sources.get('com.oraclecloud.objectstorage.createobject')).toBe('objectstorage');
      expect(sources.get('com.oraclecloud.keymanagementservice.createkeyversion.end')).toBe('kms');
    } finally {
      await other.emu.stop();
    }
  });
});
