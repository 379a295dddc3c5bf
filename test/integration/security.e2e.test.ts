/**
 * Issue 14: manual requests must not make the function a confused deputy.
 * Everything goes through dist/func.js under the FDK against the emulator;
 * the emulator's counters prove what a refused request did not do.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as common from 'oci-common';
import { FunctionsInvokeClient } from 'oci-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawConfig } from '../../emulator/test/helpers';
import { startFunction } from '../support/fdk-process';
import { objectEvent } from '../support/events';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

const LONG_AGO = new Date('2025-01-01T00:00:00Z');
const GATEWAY = { 'Fn-Http-Method': 'POST', 'Fn-Http-Request-Url': '/reencrypt', 'Fn-Intent': 'httprequest' };

interface LogLine { level: string; msg: string; callId?: string; [field: string]: unknown }

function parsedLinesOf(output: readonly string[], callId: string): LogLine[] {
  return output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine).filter((l) => l.callId === callId);
}

/**
 * The log lines of one call. The function writes them before it answers, but
 * this process may read its stdout pipe after the answer: wait (briefly) for
 * the call's first line, then let the rest of what is in the pipe arrive.
 */
async function linesOf(output: readonly string[], callId: string): Promise<LogLine[]> {
  for (let waited = 0; parsedLinesOf(output, callId).length === 0 && waited < 5_000; waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 20));
  return parsedLinesOf(output, callId);
}

/** Calls of an operation the emulator answered since the last reset. */
function callsOf(s: Stack, operation: string): number {
  return s.emu.getCounters().routes[operation]?.calls ?? 0;
}

/** A customer key stored the way `sseCustomerKeySecretId` expects it: a secret whose value is the key's base64 text. */
function customerKeySecret(s: Pick<Stack, 'emu' | 'compartmentA'>, key: Buffer): string {
  return s.emu.createSecret({ compartmentId: s.compartmentA, base64Content: Buffer.from(key.toString('base64')).toString('base64') });
}

describe('manual requests with no allowlists (the default)', () => {
  let s: Stack;
  let foreignKey: string;
  let secretId: string;
  const customerKey = randomBytes(32);

  beforeAll(async () => {
    s = await startStack({ env: { REENCRYPT_MAX_ATTEMPTS: '1' } });
    foreignKey = s.emu.createKey({ vaultId: s.vaultId, compartmentId: s.compartmentA, displayName: 'the-callers-key' }).id;
    secretId = customerKeySecret(s, customerKey);
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'guarded', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('guarded', { count: 3, prefix: 'doc-', timeModified: LONG_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
  });
  afterAll(async () => s?.stop());

  it('refuses a kmsKeyId that is not the bucket\'s key with NotAllowed, 403 through a gateway, and writes nothing', async () => {
    const before = keyVersionCounts(s.emu, 'guarded');
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-0', kmsKeyId: foreignKey }), { headers: GATEWAY });
    expect(r.json).toMatchObject({ ok: false, error: { code: 'NotAllowed', details: [{ field: 'kmsKeyId', problem: expect.stringContaining('REENCRYPT_ALLOWED_KMS_KEY_IDS') }] } });
    expect(r.json.error.message).toContain('kmsKeyId');
    expect(r.headers['fn-http-status']).toBe('403');
    expect(callsOf(s, 'GetBucket')).toBe(1);
    expect(callsOf(s, 'ReencryptObject')).toBe(0);
    expect(s.emu.getCounters().writes).toBe(0);
    expect(keyVersionCounts(s.emu, 'guarded')).toEqual(before);
    expect(s.fn.process.exitCode).toBeNull();
  });

  it('refuses a dry run naming a foreign key too (the plan says what the real run would do)', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-0', kmsKeyId: foreignKey, dryRun: true }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'NotAllowed' } });
  });

  it.each(['sseCustomerKeySecretId', 'sourceSseCustomerKeySecretId'])('refuses any %s without reading the secret', async (field) => {
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-1', [field]: secretId }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'NotAllowed', details: [{ field, problem: expect.stringContaining('REENCRYPT_ALLOWED_SSE_C_SECRET_IDS') }] } });
    expect(callsOf(s, 'GetSecretBundle')).toBe(0);
    expect(callsOf(s, 'ReencryptObject')).toBe(0);
    expect(s.emu.getCounters().writes).toBe(0);
  });

  it('refuses a foreign key for a bucket that does not exist (nothing to compare with means not allowed)', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'no-such-bucket', objectName: 'x', kmsKeyId: foreignKey }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'NotAllowed' } });
  });

  it('allows the bucket\'s own key, named explicitly, with no list', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-2', kmsKeyId: s.keyId }));
    expect(r.json).toMatchObject({ ok: true, action: 'reencrypted-object', totals: { reencrypted: 1, failed: 0 } });
    const row = s.emu.readEncryption('guarded').find((x) => x.name === 'doc-2');
    expect(row?.encryption).toMatchObject({ kind: 'kms', keyId: s.keyId, keyVersionId: s.emu.currentKeyVersion(s.keyId) });
  });

  it('allows a key sweep (every bucket that uses a key, each under its own key) with no list', async () => {
    const r = await s.fn.call(JSON.stringify({ kmsKeyId: s.keyId, force: true }));
    expect(r.json).toMatchObject({ ok: true, action: 'swept', totals: { failed: 0 } });
    expect(r.json.totals.reencrypted).toBeGreaterThanOrEqual(3);
    expect(keyVersionCounts(s.emu, 'guarded')).toEqual({ [`kms:${s.emu.currentKeyVersion(s.keyId)}`]: 3 });
  });

  it('writes one audit line per manual request: the caller from the invoke headers, the request, the verdict, no key material', async () => {
    const callId = randomUUID();
    const caller = {
      'Oci-Subject-Id': 'ocid1.user.oc1..aaaaaaaaexampleinvoker',
      'Oci-Subject-Type': 'user',
      'Oci-Subject-Tenancy-Id': 'ocid1.tenancy.oc1..aaaaaaaaexampletenancy',
      'Opc-Request-Id': '/0123ABCD/4567EFGH',
      'Opc-Compartment-Id': s.compartmentA,
    };
    await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-1', kmsKeyId: foreignKey, sourceSseCustomerKeySecretId: secretId }), {
      headers: { 'Fn-Call-Id': callId, ...caller },
    });
    const audit = (await linesOf(s.fn.output, callId)).filter((l) => l.msg === 'audit');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      level: 'info',
      audit: 'manual-request',
      caller: {
        subjectId: caller['Oci-Subject-Id'], subjectType: 'user', subjectTenancyId: caller['Oci-Subject-Tenancy-Id'],
        opcRequestId: caller['Opc-Request-Id'], compartmentId: s.compartmentA,
      },
      actingAs: s.functionId,
      request: { scope: 'object', bucketName: 'guarded', objectName: 'doc-1', kmsKeyId: foreignKey, sourceSseCustomerKeySecretId: secretId, dryRun: false },
      verdict: 'refused',
      targets: { kmsKeyId: 'refused', sourceSseCustomerKeySecretId: 'refused' },
      refusals: [{ field: 'kmsKeyId' }, { field: 'sourceSseCustomerKeySecretId' }],
    });
    // Headers the platform did not send are absent, not empty.
    expect(audit[0]?.caller).not.toHaveProperty('subjectCompartmentId');

    // An allowed request and a sweep are audited too.
    const allowedId = randomUUID();
    await s.fn.call(JSON.stringify({ bucketName: 'guarded', prefix: 'doc-', dryRun: true }), { headers: { 'Fn-Call-Id': allowedId } });
    expect((await linesOf(s.fn.output, allowedId)).filter((l) => l.msg === 'audit')).toEqual([
      expect.objectContaining({ level: 'info', verdict: 'allowed', request: expect.objectContaining({ scope: 'bucket', prefix: 'doc-', dryRun: true }), caller: {} }),
    ]);

    // Requests about runs are manual requests too.
    const runsId = randomUUID();
    await s.fn.call(JSON.stringify({ listRuns: true }), { headers: { 'Fn-Call-Id': runsId } });
    expect((await linesOf(s.fn.output, runsId)).filter((l) => l.msg === 'audit')).toEqual([
      expect.objectContaining({ verdict: 'allowed', request: expect.objectContaining({ scope: 'list-runs' }) }),
    ]);

    // A body refused before it is a request says who sent it, in its failure line.
    const invalidId = randomUUID();
    await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-1', kmsKeyId: 'not-a-key' }), { headers: { 'Fn-Call-Id': invalidId, ...caller } });
    expect((await linesOf(s.fn.output, invalidId))).toEqual([expect.objectContaining({
      level: 'warn', msg: 'invocation failed', error: expect.objectContaining({ error: expect.objectContaining({ code: 'InvalidInput' }) }),
      caller: expect.objectContaining({ subjectId: caller['Oci-Subject-Id'] }),
    })]);

    const everything = s.fn.output.join('\n');
    for (const secret of [customerKey.toString('base64'), createHash('sha256').update(customerKey).digest('base64')]) expect(everything).not.toContain(secret);
  });

  it('audits a request it could not judge (GetBucket failed) as not-decided, having read and written nothing', async () => {
    const callId = randomUUID();
    s.emu.resetCounters();
    s.emu.setRouteFaults('GetBucket', { p500: 1 });
    try {
      const r = await s.fn.call(JSON.stringify({ bucketName: 'guarded', objectName: 'doc-1', sseCustomerKeySecretId: secretId }), { headers: { 'Fn-Call-Id': callId } });
      expect(r.json).toMatchObject({ ok: false, error: { code: 'OciCallFailed', oci: { operation: 'GetBucket' } } });
    } finally {
      s.emu.setRouteFaults('GetBucket', undefined);
    }
    expect((await linesOf(s.fn.output, callId)).filter((l) => l.msg === 'audit')).toEqual([
      expect.objectContaining({ level: 'info', verdict: 'not-decided', error: expect.stringContaining('GetBucket'), request: expect.objectContaining({ sseCustomerKeySecretId: secretId }) }),
    ]);
    expect(callsOf(s, 'GetSecretBundle')).toBe(0);
    expect(s.emu.getCounters().writes).toBe(0);
  });

  it('through the Functions API, the audit line names the user who signed the invoke (emulator assumption A26)', async () => {
    const userId = 'ocid1.user.oc1..aaaaaaaaexampleoperator';
    const key = s.emu.registerApiKey({ userId });
    const provider = new common.SimpleAuthenticationDetailsProvider(key.tenancyId, userId, key.fingerprint, key.privateKeyPem ?? '', null, common.Region.US_PHOENIX_1);
    const fn = new FunctionsInvokeClient({ authenticationDetailsProvider: provider }, rawConfig);
    fn.endpoint = s.emu.url;
    const before = s.fn.output.length;
    const response = await fn.invokeFunction({
      functionId: s.functionId,
      invokeFunctionBody: JSON.stringify({ bucketName: 'guarded', objectName: 'doc-0', kmsKeyId: foreignKey }),
    });
    const answer = JSON.parse(await new Response(response.value as ReadableStream).text());
    expect(answer).toMatchObject({ ok: false, error: { code: 'NotAllowed' } });
    const audit = s.fn.output.slice(before).filter((l) => l.includes('"msg":"audit"')).map((l) => JSON.parse(l) as LogLine);
    expect(audit).toEqual([expect.objectContaining({
      verdict: 'refused',
      caller: { subjectId: userId, subjectType: 'user', subjectTenancyId: key.tenancyId, opcRequestId: response.opcRequestId },
    })]);
  });

  it('an object event cannot choose a target key: the upload ends under the bucket\'s key whatever the event says', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'uploads', kmsKeyId: s.keyId });
    s.emu.seedObjects('uploads', [{ name: 'in.csv', timeModified: new Date(), encryption: { kind: 'kms', keyId: foreignKey } }]);
    const event = objectEvent({ namespace: s.namespace, bucketName: 'uploads', objectName: 'in.csv', compartmentId: s.compartmentA });
    const data = event['data'] as Record<string, unknown>;
    // Every place a hostile sender could put a key or a secret: ignored, never a target.
    Object.assign(data, { kmsKeyId: foreignKey, sseCustomerKeySecretId: secretId });
    Object.assign(data['additionalDetails'] as object, { kmsKeyId: foreignKey, sseCustomerKeySecretId: secretId, sourceSseCustomerKeySecretId: secretId });
    Object.assign(event, { kmsKeyId: foreignKey });
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify(event));
    expect(r.json).toMatchObject({ ok: true, action: 'reencrypted-object', totals: { reencrypted: 1 } });
    expect(s.emu.readEncryption('uploads')[0]?.encryption).toMatchObject({ kind: 'kms', keyId: s.keyId, keyVersionId: s.emu.currentKeyVersion(s.keyId) });
    expect(callsOf(s, 'GetSecretBundle')).toBe(0);
  });
});

describe('manual requests with allowlists', () => {
  let s: Stack;
  let listedKey: string;
  let unlistedKey: string;
  let sourceSecret: string;
  let targetSecret: string;
  const sourceKey = randomBytes(32);
  const targetKey = randomBytes(32);

  beforeAll(async () => {
    s = await startStack({
      env: (setup) => {
        listedKey = setup.emu.createKey({ vaultId: setup.vaultId, compartmentId: setup.compartmentA, displayName: 'archive-key' }).id;
        unlistedKey = setup.emu.createKey({ vaultId: setup.vaultId, compartmentId: setup.compartmentA, displayName: 'unlisted' }).id;
        sourceSecret = customerKeySecret(setup, sourceKey);
        targetSecret = customerKeySecret(setup, targetKey);
        return {
          REENCRYPT_ALLOWED_KMS_KEY_IDS: listedKey,
          REENCRYPT_ALLOWED_SSE_C_SECRET_IDS: `${sourceSecret}, ${targetSecret}`,
        };
      },
    });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'listed', kmsKeyId: s.keyId });
    s.emu.seedObjects('listed', [
      { name: 'to-archive-key.bin', timeModified: LONG_AGO, encryption: { kind: 'kms', keyId: s.keyId } },
      { name: 'to-customer-key.bin', timeModified: LONG_AGO, encryption: { kind: 'kms', keyId: s.keyId } },
      { name: 'customer-key.bin', timeModified: LONG_AGO, encryption: { kind: 'sse-c', keySha256: createHash('sha256').update(sourceKey).digest('base64') } },
    ]);
  });
  afterAll(async () => s?.stop());

  it('re-encrypts under an allowlisted key', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'listed', objectName: 'to-archive-key.bin', kmsKeyId: listedKey }));
    expect(r.json).toMatchObject({ ok: true, totals: { reencrypted: 1 } });
    expect(s.emu.readEncryption('listed').find((x) => x.name === 'to-archive-key.bin')?.encryption).toMatchObject({ kind: 'kms', keyId: listedKey });
  });

  it('still refuses a key that is not on the list', async () => {
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'listed', objectName: 'to-archive-key.bin', kmsKeyId: unlistedKey }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'NotAllowed', details: [{ field: 'kmsKeyId' }] } });
    expect(callsOf(s, 'ReencryptObject')).toBe(0);
  });

  it('moves an SSE-C object to the bucket key with an allowlisted source secret', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'listed', objectName: 'customer-key.bin', sourceSseCustomerKeySecretId: sourceSecret }));
    expect(r.json).toMatchObject({ ok: true, totals: { reencrypted: 1 } });
    expect(s.emu.readEncryption('listed').find((x) => x.name === 'customer-key.bin')?.encryption).toMatchObject({ kind: 'kms', keyId: s.keyId });
  });

  it('moves an object to an SSE-C key held in an allowlisted secret', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'listed', objectName: 'to-customer-key.bin', sseCustomerKeySecretId: targetSecret }));
    expect(r.json).toMatchObject({ ok: true, totals: { reencrypted: 1 } });
    expect(s.emu.readEncryption('listed').find((x) => x.name === 'to-customer-key.bin')?.encryption).toMatchObject({
      kind: 'sse-c', keySha256: createHash('sha256').update(targetKey).digest('base64'),
    });
    const everything = s.fn.output.join('\n');
    for (const key of [sourceKey, targetKey]) expect(everything).not.toContain(key.toString('base64'));
  });
});

describe('a malformed allowlist', () => {
  it.each([
    ['REENCRYPT_ALLOWED_KMS_KEY_IDS', 'ocid1.vaultsecret.oc1.phx.v.aaaaaaaasecret'],
    ['REENCRYPT_ALLOWED_SSE_C_SECRET_IDS', 'ocid1.vaultsecret.oc1.phx.v.aaaa;ocid1.vaultsecret.oc1.phx.v.bbbb'],
  ])('%s=%s: every call answers InvalidConfiguration naming the key', async (key, value) => {
    const fn = await startFunction({ [key]: value });
    try {
      const r = await fn.call(JSON.stringify({ bucketName: 'b', objectName: 'o' }));
      expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidConfiguration', details: [{ field: key }] } });
      expect(r.json.error.message).toContain(key);
      expect(fn.process.exitCode).toBeNull();
    } finally {
      await fn.stop();
    }
  });
});
