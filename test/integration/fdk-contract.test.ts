/**
 * FDK contract test (issue 2, item 6): the built dist/func.js runs under the
 * real @fnproject/fdk as a child process, spoken to exactly as the Fn server
 * does (POST /call on a unix socket with Fn-Call-Id, Fn-Deadline, Content-Type).
 *
 * Every OCI endpoint points at an unreachable local port and the resource
 * principal is fake, so valid inputs stay cheap whatever the engine does with
 * them: the answer may report an OCI failure, but it is never InvalidInput,
 * never the FDK's 502, and never a crash.
 *
 * Run `npm run build` first (`npm test` does).
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNC_JS, startFunction, type FnCallResult, type RunningFunction } from '../../scripts/lib/fdk-process';
import { filledSkeleton } from '../support/cli-skeleton';
import { asCloudEvents10, bucketEvent, COMPARTMENT, KEY, keyEvent, objectEvent, VAULT } from '../support/events';

const UNREACHABLE = 'http://127.0.0.1:9';
const SECRET_1 = 'ocid1.vaultsecret.oc1.phx.exampleaaacu2.aaaaaaaaexamplesecret1';
const SECRET_2 = 'ocid1.vaultsecret.oc1.phx.exampleaaacu2.aaaaaaaaexamplesecret2';
const COMPARTMENT_2 = 'ocid1.compartment.oc1..aaaaaaaaexamplecompartment2';

type Json = Record<string, unknown>;
const fixture = (name: string): string => readFileSync(join(__dirname, '../fixtures/events', name), 'utf8');
const json = (value: unknown): string => JSON.stringify(value);

/** A resource principal that looks real to the OCI SDK (RP v2.2) and can reach nothing. */
function fakeResourcePrincipal(): { rpst: string; pem: string; env: Record<string, string> } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    sub: 'ocid1.fnfunc.oc1.phx.aaaaaaaaexamplefunction', res_type: 'fnfunc', res_tenant: 'ocid1.tenancy.oc1..aaaaaaaaexampletenancy',
    res_compartment: COMPARTMENT, iat: now, exp: now + 3600, jti: randomUUID(),
  };
  const signingInput = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'asw' })}.${b64(claims)}`;
  const rpst = `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
  return {
    rpst, pem,
    env: {
      OCI_RESOURCE_PRINCIPAL_VERSION: '2.2',
      OCI_RESOURCE_PRINCIPAL_RPST: rpst,
      OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: pem,
      OCI_RESOURCE_PRINCIPAL_REGION: 'us-phoenix-1',
    },
  };
}

const principal = fakeResourcePrincipal();
const BASE_ENV: Record<string, string> = {
  ...principal.env,
  REENCRYPT_OBJECTSTORAGE_ENDPOINT: UNREACHABLE,
  REENCRYPT_KMS_VAULT_ENDPOINT: UNREACHABLE,
  REENCRYPT_KMS_MANAGEMENT_ENDPOINT: UNREACHABLE,
  REENCRYPT_SECRETS_ENDPOINT: UNREACHABLE,
  REENCRYPT_MAX_ATTEMPTS: '1',
};

/** Collects what the child writes to stdout only (the helper's `output` mixes in stderr). */
function captureStdout(fn: RunningFunction): string[] {
  const lines: string[] = [];
  let partial = '';
  fn.process.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

function expectJsonAnswer(res: FnCallResult): void {
  // The Fn-level status is always 200: a 502 would be the FDK's "Exception in function".
  expect(res.status, res.text).toBe(200);
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  expect(res.json, `body is not JSON: ${res.text.slice(0, 200)}`).toBeTypeOf('object');
  expect(res.json).not.toBeNull();
}

/** A valid input: answered, JSON, and not rejected by the edge (the engine may still report an OCI failure). */
function expectAccepted(res: FnCallResult): void {
  expectJsonAnswer(res);
  expect(typeof res.json.ok, res.text).toBe('boolean');
  expect(res.json.error?.code, res.text).not.toBe('InvalidInput');
  expect(res.json.error?.code, res.text).not.toBe('InvalidConfiguration');
}

/** A rejected input: `{ok:false, error:{code, message, details}}` naming `field` in details and in the message. */
function expectError(res: FnCallResult, code: string, field: string): void {
  expectJsonAnswer(res);
  expect(res.json, res.text).toMatchObject({ ok: false, error: { code, message: expect.any(String), details: expect.any(Array) } });
  const details = res.json.error.details as { field: unknown; problem: unknown }[];
  for (const d of details) {
    expect(d.field).toBeTypeOf('string');
    expect(d.problem).toBeTypeOf('string');
  }
  expect(details.map((d) => d.field), res.text).toContain(field);
  const message = res.json.error.message as string;
  // The whole-body problems use the pseudo-field "(body)"; their message speaks of "the request body".
  if (field === '(body)') expect(message).toMatch(/body/i);
  else expect(message, res.text).toContain(field);
}

function without(event: Json, path: readonly string[]): Json {
  const copy = structuredClone(event);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  delete node[path[path.length - 1] as string];
  return copy;
}

/** `{"a":{"a":...}}` nested `depth` deep, as text (JSON.stringify would overflow the stack on it). */
function deeplyNested(depth: number, leaf: string): string {
  return `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

/** `oci os object reencrypt --generate-full-command-json-input`, every key filled in as a user would. */
const skeleton = (over: Json = {}): Json => filledSkeleton({
  bucketName: 'finance-data', encryptionKeyFile: null, kmsKeyId: '', name: 'reports/q1 summary.csv', namespace: 'examplens',
  namespaceName: 'examplens', objectName: 'reports/q1 summary.csv', sourceEncryptionKeyFile: null, versionId: 'v-0001', ...over,
});

const VALID: readonly [name: string, body: string, contentType?: string][] = [
  ['createobject, sample fixture (CloudEvents 0.1)', fixture('createobject.json')],
  ['createobject (CloudEvents 0.1)', json(objectEvent())],
  ['createobject of a versioned object (CloudEvents 0.1)', json(objectEvent({ versionId: 'v-0001', objectName: 'données/日本語 ✓.csv' }))],
  ['createobject (CloudEvents 1.0)', json(asCloudEvents10(objectEvent()))],
  ['createobject sent as text/plain', json(objectEvent()), 'text/plain'],
  ['updateobject (CloudEvents 0.1)', json(objectEvent({ eventType: 'com.oraclecloud.objectstorage.updateobject' }))],
  ['updateobject (CloudEvents 1.0)', json(asCloudEvents10(objectEvent({ eventType: 'com.oraclecloud.objectstorage.updateobject' })))],
  ['updatebucket (CloudEvents 0.1)', json(bucketEvent())],
  ['updatebucket (CloudEvents 1.0)', json(asCloudEvents10(bucketEvent()))],
  ['autokeyrotate.begin', json(keyEvent({ eventType: 'com.oraclecloud.keymanagementservice.autokeyrotate.begin' }))],
  ['autokeyrotate.end, sample fixture', fixture('autokeyrotate-end.json')],
  ['autokeyrotate.end', json(keyEvent({ eventType: 'com.oraclecloud.keymanagementservice.autokeyrotate.end' }))],
  ['autokeyrotate.end (CloudEvents 1.0)', json(asCloudEvents10(keyEvent()))],
  ['createkeyversion.begin', json(keyEvent({ eventType: 'com.oraclecloud.keymanagementservice.createkeyversion.begin' }))],
  ['createkeyversion.end', json(keyEvent({ eventType: 'com.oraclecloud.keymanagementservice.createkeyversion.end' }))],
  ['createkeyversion.end with the key in additionalDetails', json(keyEvent({
    eventType: 'com.oraclecloud.keymanagementservice.createkeyversion.end',
    data: { resourceId: 'ocid1.keyversion.oc1.phx.exampleaaacu2.aaaaaaaaversion', additionalDetails: { keyId: KEY, vaultId: VAULT } },
  }))],
  ['manual: one object with every option and a target key', json({
    namespaceName: 'examplens', bucketName: 'finance-data', objectName: 'a b/c&d#e+f%g', versionId: 'v-0001',
    kmsKeyId: KEY, vaultId: VAULT, dryRun: true,
  })],
  ['manual: one SSE-C object with its Vault secrets', json({
    namespace: 'examplens', bucketName: 'finance-data', objectName: 'sse-c/object.bin', versionId: 'v-0002',
    sseCustomerKeySecretId: SECRET_1, sourceSseCustomerKeySecretId: SECRET_2, dryRun: true,
  })],
  ['manual: prefix sweep', json({ namespaceName: 'examplens', bucketName: 'finance-data', prefix: 'reports/2026/', dryRun: true })],
  ['manual: bucket sweep with before', json({ bucketName: 'finance-data', before: '2026-01-01T00:00:00Z', dryRun: true })],
  ['manual: bucket sweep with force', json({ bucketName: 'finance-data', force: true, vaultId: VAULT, dryRun: true })],
  ['manual: the OCI CLI\'s full --from-json skeleton, filled in', json(skeleton())],
  ['manual: the CLI skeleton with a kmsKeyId and null aliases', json(skeleton({ kmsKeyId: KEY, name: null, namespace: null, versionId: null }))],
  ['manual: the CLI skeleton naming the object by name only', json(skeleton({ objectName: null, namespaceName: null }))],
  ['manual: namespace and namespaceName, equal', json({ namespace: 'examplens', namespaceName: 'examplens', bucketName: 'b', dryRun: true })],
  ['manual: key sweep with compartmentIds', json({ kmsKeyId: KEY, compartmentIds: [COMPARTMENT, COMPARTMENT_2], vaultId: VAULT, dryRun: true })],
];

const bigObjectName = 'x'.repeat(1025);
const FIVE_MB = Buffer.alloc(5 * 1024 * 1024, 0x20);
FIVE_MB.write(json({ bucketName: 'finance-data', dryRun: true }));

const MALFORMED: readonly [name: string, body: string | Buffer, field: string][] = [
  // The body as a whole.
  ['text that is not JSON', 'hello, function', '(body)'],
  ['an empty body', '', '(body)'],
  ['only whitespace', '   \n\t ', '(body)'],
  ['truncated JSON', '{"bucketName": "finance-data", ', '(body)'],
  ['a JSON array', json([objectEvent()]), '(body)'],
  ['a JSON string', json('createobject'), '(body)'],
  ['a JSON number', '42', '(body)'],
  ['JSON true', 'true', '(body)'],
  ['JSON null', 'null', '(body)'],
  ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('{"bucketName":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), '(body)'],
  ['a 5 MB body', FIVE_MB, '(body)'],
  // Manual requests: types.
  ['dryRun "yes"', json({ bucketName: 'finance-data', dryRun: 'yes' }), 'dryRun'],
  ['dryRun null', json({ bucketName: 'finance-data', dryRun: null }), 'dryRun'],
  ['force "true"', json({ bucketName: 'finance-data', force: 'true' }), 'force'],
  ['compartmentIds a string', json({ kmsKeyId: KEY, compartmentIds: COMPARTMENT }), 'compartmentIds'],
  ['compartmentIds empty', json({ kmsKeyId: KEY, compartmentIds: [] }), 'compartmentIds'],
  ['bucketName 42', json({ bucketName: 42 }), 'bucketName'],
  // Manual requests: missing, unknown and conflicting fields.
  ['a manual request without bucketName', json({ objectName: 'reports/q1.csv', dryRun: true }), 'bucketName'],
  ['a manual request with no scope at all', json({ dryRun: true }), 'bucketName'],
  ['a typo\'d field (dryrun)', json({ bucketName: 'finance-data', dryrun: true }), 'dryrun'],
  ['a field named __proto__', '{"bucketName":"finance-data","__proto__":{"dryRun":true}}', '__proto__'],
  ['before together with force', json({ bucketName: 'finance-data', before: '2026-01-01T00:00:00Z', force: true }), 'before'],
  ['before that is not a date', json({ bucketName: 'finance-data', before: 'last tuesday' }), 'before'],
  ['kmsKeyId together with sseCustomerKeySecretId', json({ bucketName: 'b', objectName: 'o', kmsKeyId: KEY, sseCustomerKeySecretId: SECRET_1 }), 'sseCustomerKeySecretId'],
  ['an inline sseCustomerKey', json({ bucketName: 'b', objectName: 'o', sseCustomerKey: Buffer.alloc(32).toString('base64') }), 'sseCustomerKey'],
  ['versionId without objectName', json({ bucketName: 'b', versionId: 'v-0001' }), 'objectName'],
  ['prefix together with objectName', json({ bucketName: 'b', objectName: 'o', prefix: 'logs/' }), 'objectName'],
  ['kmsKeyId with bucketName but no objectName', json({ bucketName: 'b', kmsKeyId: KEY }), 'kmsKeyId'],
  // Manual requests: the OCI CLI's skeleton, filled in wrongly.
  ['CLI skeleton: name and objectName that differ', json(skeleton({ name: 'reports/q2.csv' })), 'name'],
  ['CLI skeleton: objectName and name that differ', json(skeleton({ name: 'reports/q2.csv' })), 'objectName'],
  ['CLI skeleton: namespace and namespaceName that differ', json(skeleton({ namespace: 'otherns' })), 'namespace'],
  ['CLI skeleton: namespaceName and namespace that differ', json(skeleton({ namespace: 'otherns' })), 'namespaceName'],
  ['CLI skeleton: an encryptionKeyFile', json(skeleton({ encryptionKeyFile: '/path/to/file' })), 'encryptionKeyFile'],
  ['CLI skeleton: a sourceEncryptionKeyFile', json(skeleton({ sourceEncryptionKeyFile: '/path/to/file' })), 'sourceEncryptionKeyFile'],
  ['CLI skeleton: an objectName over 1024 bytes of UTF-8 (513 characters)', json(skeleton({ objectName: `${'é'.repeat(512)}a`, name: null })), 'objectName'],
  ['CLI skeleton: a line feed in name', json(skeleton({ name: 'a\nb', objectName: null })), 'name'],
  ['CLI skeleton: kmsKeyId left as "string"', json(skeleton({ kmsKeyId: 'string' })), 'kmsKeyId'],
  ['CLI skeleton: bucketName null', json(skeleton({ bucketName: null })), 'bucketName'],
  ['CLI skeleton: versionId with no object name', json(skeleton({ objectName: null, name: null })), 'objectName'],
  // Manual requests: malformed values.
  ['a malformed kmsKeyId (a bucket OCID)', json({ kmsKeyId: 'ocid1.bucket.oc1.phx.aaaaaaaaexamplebucket' }), 'kmsKeyId'],
  ['a malformed compartmentIds[0]', json({ kmsKeyId: KEY, compartmentIds: ['ocid1.key.oc1..x'] }), 'compartmentIds[0]'],
  ['a malformed vaultId', json({ bucketName: 'b', vaultId: 'vault-1' }), 'vaultId'],
  ['a malformed sseCustomerKeySecretId', json({ bucketName: 'b', objectName: 'o', sseCustomerKeySecretId: 'ocid1.secret.oc1..x' }), 'sseCustomerKeySecretId'],
  ['a malformed sourceSseCustomerKeySecretId', json({ bucketName: 'b', objectName: 'o', sourceSseCustomerKeySecretId: 'my-secret' }), 'sourceSseCustomerKeySecretId'],
  ['a control character in a manual objectName', json({ bucketName: 'b', objectName: 'reports/\u0000q1.csv' }), 'objectName'],
  ['a manual objectName over 1024 characters', json({ bucketName: 'b', objectName: bigObjectName }), 'objectName'],
  ['an empty versionId', json({ bucketName: 'b', objectName: 'o', versionId: '' }), 'versionId'],
  ['a manual bucketName with spaces', json({ bucketName: 'finance data' }), 'bucketName'],
  ['a manual namespaceName with capitals', json({ namespaceName: 'ExampleNS', bucketName: 'b' }), 'namespaceName'],
  ['a garbage continuation', json({ continuation: 'this is not a continuation token!', dryRun: true }), 'continuation'],
  ['a continuation with a new scope', json({ continuation: 'abc_DEF-1', bucketName: 'b' }), 'continuation'],
  ['a 240 KB deeply nested request', deeplyNested(40_000, '1'), 'a'],
  // Events: envelopes.
  ['an unknown eventType', json(objectEvent({ eventType: 'com.oraclecloud.objectstorage.deleteobject' })), 'eventType'],
  ['an eventType that is a number', json({ ...objectEvent(), eventType: 42 }), 'eventType'],
  ['a CloudEvents 1.0 unknown type', json(asCloudEvents10(objectEvent({ eventType: 'com.oraclecloud.objectstorage.deleteobject' }))), 'type'],
  ['a CloudEvents 1.0 event without id', json(without(asCloudEvents10(objectEvent()), ['id'])), 'id'],
  ['a CloudEvents 1.0 event without source', json(without(asCloudEvents10(objectEvent()), ['source'])), 'source'],
  ['a CloudEvents 1.0 specversion 2.0', json({ ...asCloudEvents10(objectEvent()), specversion: '2.0' }), 'specversion'],
  ['a CloudEvents 0.1 cloudEventsVersion 1.0', json({ ...objectEvent(), cloudEventsVersion: '1.0' }), 'cloudEventsVersion'],
  ['an eventTime that is not a date', json({ ...objectEvent(), eventTime: 'yesterday' }), 'eventTime'],
  ['data that is a string', json({ ...objectEvent(), data: 'x' }), 'data'],
  ['data that is an array', json({ ...objectEvent(), data: [] }), 'data'],
  ['an event without data', json(without(objectEvent(), ['data'])), 'data'],
  ['a malformed extensions.compartmentId', json({ ...objectEvent(), extensions: { compartmentId: 'compartment-1' } }), 'extensions.compartmentId'],
  // Events: data.
  ['an object event without bucketName', json(without(objectEvent(), ['data', 'additionalDetails', 'bucketName'])), 'data.additionalDetails.bucketName'],
  ['a CloudEvents 1.0 object event without bucketName', json(without(asCloudEvents10(objectEvent()), ['data', 'additionalDetails', 'bucketName'])), 'data.additionalDetails.bucketName'],
  ['an object event without resourceName', json(without(objectEvent(), ['data', 'resourceName'])), 'data.resourceName'],
  ['a line feed in an event object name (Oracle\'s naming rules exclude it)', json(objectEvent({ objectName: 'reports/\nq1.csv' })), 'data.resourceName'],
  ['an event object name over 1024 characters', json(objectEvent({ objectName: bigObjectName })), 'data.resourceName'],
  ['a control character in an event versionId', json(objectEvent({ versionId: 'v\u001b1' })), 'data.additionalDetails.versionId'],
  ['an event bucket name with spaces', json(objectEvent({ bucketName: 'finance data' })), 'data.additionalDetails.bucketName'],
  ['an event namespace with capitals', json(objectEvent({ namespace: 'ExampleNS' })), 'data.additionalDetails.namespace'],
  ['an updatebucket event without namespace', json(without(bucketEvent(), ['data', 'additionalDetails', 'namespace'])), 'data.additionalDetails.namespace'],
  ['an updatebucket bucket name with spaces', json(bucketEvent({ bucketName: 'finance data' })), 'data.additionalDetails.bucketName'],
  ['a key event with no key OCID', json(keyEvent({ data: { resourceId: 'ocid1.keyversion.oc1.phx.x.y', additionalDetails: {} } })), 'data.resourceId'],
  ['a key event with empty data', json(keyEvent({ data: {} })), 'data.resourceId'],
  ['a key event with resourceId a number', json(keyEvent({ data: { resourceId: 7, additionalDetails: { keyId: KEY } } })), 'data.resourceId'],
  ['a 240 KB deeply nested key event with no key', `{"eventType":"com.oraclecloud.keymanagementservice.autokeyrotate.end","cloudEventsVersion":"0.1","eventID":"e1",`
    + `"eventTime":"2026-03-11T04:00:02.000Z","data":{"resourceId":"x","additionalDetails":${deeplyNested(40_000, '"x"')}}}`, 'data.resourceId'],
];

describe('FDK contract: dist/func.js under @fnproject/fdk', () => {
  let fn: RunningFunction;
  let pid: number | undefined;
  let stdout: string[];

  beforeAll(async () => {
    if (!existsSync(FUNC_JS)) throw new Error(`${FUNC_JS} is missing: run \`npm run build\` first`);
    fn = await startFunction(BASE_ENV);
    pid = fn.process.pid;
    stdout = captureStdout(fn);
  });

  afterAll(async () => {
    await fn?.stop();
  });

  it('has at least 35 malformed inputs and every valid input kind', () => {
    expect(MALFORMED.length).toBeGreaterThanOrEqual(35);
    expect(VALID.length).toBeGreaterThanOrEqual(18);
  });

  describe('valid inputs are answered, not rejected', () => {
    it.each(VALID.map(([name, body, contentType]) => ({ name, body, contentType })))('$name', async ({ body, contentType }) => {
      const res = await fn.call(body, contentType ? { contentType } : {});
      expectAccepted(res);
      expect(res.headers['fn-http-status']).toBeUndefined();
      expect(fn.process.exitCode).toBeNull();
    });

    it('rejects a well-formed continuation this function did not issue, naming continuation', async () => {
      const res = await fn.call(JSON.stringify({ continuation: 'abc_DEF-1' }));
      expectError(res, 'InvalidInput', 'continuation');
      expect(fn.process.exitCode).toBeNull();
    });
  });

  describe('malformed inputs get InvalidInput naming the field', () => {
    it.each(MALFORMED.map(([name, body, field]) => ({ name, body, field })))('$name → $field', async ({ body, field }) => {
      const res = await fn.call(body);
      expectError(res, 'InvalidInput', field);
      expect(fn.process.exitCode).toBeNull();
    });
  });

  describe('through an HTTP gateway', () => {
    const gateway = { 'Fn-Http-Method': 'POST', 'Fn-Http-Request-Url': '/reencrypt', 'Fn-Intent': 'httprequest' };

    it('a malformed call comes back with Fn-Http-Status 400', async () => {
      const res = await fn.call(json({ bucketName: 'finance data' }), { headers: gateway });
      expectError(res, 'InvalidInput', 'bucketName');
      expect(res.headers['fn-http-status']).toBe('400');
    });

    it('a body that is not JSON comes back with Fn-Http-Status 400', async () => {
      const res = await fn.call('not json', { headers: { 'Fn-Http-Method': 'POST', 'Fn-Http-Request-Url': '/reencrypt' } });
      expectError(res, 'InvalidInput', '(body)');
      expect(res.headers['fn-http-status']).toBe('400');
    });

    it('a valid call does not carry 400', async () => {
      const res = await fn.call(json({ bucketName: 'finance-data', prefix: 'reports/', dryRun: true }), { headers: gateway });
      expectAccepted(res);
      expect(res.headers['fn-http-status']).not.toBe('400');
    });
  });

  describe('after every malformed input', () => {
    it('the same process still answers a valid event', async () => {
      expect(fn.process.pid).toBe(pid);
      expect(fn.process.exitCode).toBeNull();
      expect(fn.process.signalCode).toBeNull();
      expectAccepted(await fn.call(json(objectEvent({ objectName: 'after/the/storm.txt' }))));
      expectAccepted(await fn.call(json(keyEvent())));
      expect(fn.process.pid).toBe(pid);
      expect(fn.process.exitCode).toBeNull();
    });

    it('answers calls made at the same time', async () => {
      const bodies = [json(objectEvent()), '', json({ bucketName: 42 }), json(bucketEvent()), 'null', json({ bucketName: 'b', dryRun: true })];
      const answers = await Promise.all(bodies.map((b) => fn.call(b)));
      for (const res of answers) expectJsonAnswer(res);
      expect(answers.map((r) => r.json.error?.code === 'InvalidInput')).toEqual([false, true, true, false, true, false]);
      expect(fn.process.exitCode).toBeNull();
    });

    it('wrote only JSON log lines to stdout, none with the resource principal\'s secrets', () => {
      const lines = stdout.filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        expect(() => JSON.parse(line) as unknown, line).not.toThrow();
        expect(JSON.parse(line)).toBeTypeOf('object');
      }
      expectNoSecrets(fn.output);
    });
  });
});

describe('FDK contract: invalid configuration', () => {
  let fn: RunningFunction;
  let stdout: string[];

  beforeAll(async () => {
    fn = await startFunction({ ...BASE_ENV, REENCRYPT_CONCURRENCY: 'lots' });
    stdout = captureStdout(fn);
  });

  afterAll(async () => {
    await fn?.stop();
  });

  it.each([
    ['a valid object event', json(objectEvent())],
    ['a valid key event', json(keyEvent())],
    ['a valid manual request', json({ bucketName: 'finance-data', dryRun: true })],
    ['a malformed manual request', json({ bucketName: 42 })],
    ['an empty body', ''],
    ['text that is not JSON', 'hello'],
  ])('answers %s with InvalidConfiguration naming REENCRYPT_CONCURRENCY', async (_name, body) => {
    const res = await fn.call(body);
    expectError(res, 'InvalidConfiguration', 'REENCRYPT_CONCURRENCY');
    expect(fn.process.exitCode).toBeNull();
  });

  it('reports it through an HTTP gateway as a server error, not 400', async () => {
    const res = await fn.call(json(objectEvent()), { headers: { 'Fn-Http-Method': 'POST', 'Fn-Http-Request-Url': '/reencrypt' } });
    expectError(res, 'InvalidConfiguration', 'REENCRYPT_CONCURRENCY');
    expect(res.headers['fn-http-status']).toBe('500');
  });

  it('stays up and keeps logging JSON only', () => {
    expect(fn.process.exitCode).toBeNull();
    expect(fn.process.signalCode).toBeNull();
    const lines = stdout.filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expectNoSecrets(fn.output);
  });
});

/** Neither the RPST nor the private key may reach the logs, whole, JSON-escaped or in part. */
function expectNoSecrets(output: readonly string[]): void {
  const text = output.join('\n');
  const [, , signature] = principal.rpst.split('.');
  const keyLines = principal.pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const needles = [principal.rpst, signature ?? principal.rpst, principal.pem, JSON.stringify(principal.pem).slice(1, -1), ...keyLines];
  for (const needle of needles) expect(text.includes(needle), `log output contains secret text ${needle.slice(0, 16)}...`).toBe(false);
}
