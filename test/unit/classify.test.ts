import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { classify, parseBody } from '../../src/input/classify';
import { asCloudEvents10, bucketEvent, keyEvent, KEY, objectEvent, VAULT } from '../support/events';
import { CLI_REENCRYPT_SKELETON, filledSkeleton } from '../support/cli-skeleton';
import { problemsOf } from '../support/invalid-input';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../fixtures/events', name), 'utf8')) as unknown;


describe('classify: events', () => {
  it('reads the sample createobject event (space and slashes in the name)', () => {
    expect(classify(fixture('createobject.json'))).toMatchObject({
      kind: 'object-event', namespace: 'examplens', bucketName: 'finance-data', objectName: 'reports/2026/q1 summary.csv',
      eventType: 'com.oraclecloud.objectstorage.createobject', eventTime: new Date('2026-03-10T21:19:24.000Z'),
    });
  });

  it('reads the sample autokeyrotate.end event', () => {
    expect(classify(fixture('autokeyrotate-end.json'))).toMatchObject({
      kind: 'key-rotation', phase: 'end', keyId: 'ocid1.key.oc1.phx.exampleaaacu2.aaaaaaaaexamplekey',
      vaultId: 'ocid1.vault.oc1.phx.exampleaaacu2.aaaaaaaaexamplevault',
    });
  });

  it('keeps the versionId of an object event from a versioned bucket', () => {
    expect(classify(objectEvent({ versionId: 'v-123' }))).toMatchObject({ kind: 'object-event', versionId: 'v-123' });
  });

  it('keeps the archival state an object event reports', () => {
    const event = objectEvent() as { data: { additionalDetails: Record<string, unknown> } };
    event.data.additionalDetails.archivalState = 'Archived';
    expect(classify(event)).toMatchObject({ kind: 'object-event', archivalState: 'Archived' });
  });

  it('accepts updateobject (whether to act is the configuration\'s call)', () => {
    expect(classify(objectEvent({ eventType: 'com.oraclecloud.objectstorage.updateobject' }))).toMatchObject({ kind: 'object-event' });
  });

  it('classifies updatebucket as a bucket key change', () => {
    expect(classify(bucketEvent({ bucketName: 'b1' }))).toMatchObject({ kind: 'bucket-key-change', bucketName: 'b1', namespace: 'examplens' });
  });

  it.each([
    ['com.oraclecloud.keymanagementservice.autokeyrotate.begin', 'begin'],
    ['com.oraclecloud.keymanagementservice.autokeyrotate.end', 'end'],
    ['com.oraclecloud.keymanagementservice.createkeyversion.begin', 'begin'],
    ['com.oraclecloud.keymanagementservice.createkeyversion.end', 'end'],
  ])('classifies %s as rotation phase %s', (eventType, phase) => {
    expect(classify(keyEvent({ eventType }))).toMatchObject({ kind: 'key-rotation', phase, keyId: KEY });
  });

  it('finds the key OCID when resourceId is a key version and the key sits in additionalDetails', () => {
    const request = classify(keyEvent({ data: {
      resourceId: 'ocid1.keyversion.oc1.phx.exampleaaacu2.aaaaaaaaversion',
      additionalDetails: { keyId: KEY, vaultId: VAULT },
    } }));
    expect(request).toMatchObject({ kind: 'key-rotation', keyId: KEY, keyVersionId: 'ocid1.keyversion.oc1.phx.exampleaaacu2.aaaaaaaaversion', vaultId: VAULT });
  });

  it('finds the key OCID nested anywhere in data', () => {
    expect(classify(keyEvent({ data: { resourceId: 'x', additionalDetails: { key: { id: KEY } } } }))).toMatchObject({ keyId: KEY });
  });

  it('rejects a key event that names no key, pointing at data.resourceId', () => {
    const problems = problemsOf(keyEvent({ data: { resourceId: 'ocid1.keyversion.oc1.phx.x.y', additionalDetails: {} } }));
    expect(problems[0]?.field).toBe('data.resourceId');
  });

  it('accepts the CloudEvents 1.0 envelope for each event kind', () => {
    expect(classify(asCloudEvents10(objectEvent()))).toMatchObject({ kind: 'object-event' });
    expect(classify(asCloudEvents10(keyEvent()))).toMatchObject({ kind: 'key-rotation', keyId: KEY });
    expect(classify(asCloudEvents10(bucketEvent()))).toMatchObject({ kind: 'bucket-key-change' });
  });

  it.each([
    ['unknown event type', { ...objectEvent(), eventType: 'com.oraclecloud.objectstorage.deleteobject' }, 'eventType'],
    ['missing bucketName', (() => { const e = objectEvent() as { data: { additionalDetails: Record<string, unknown> } }; delete e.data.additionalDetails.bucketName; return e; })(), 'data.additionalDetails.bucketName'],
    ['control character in the object name', objectEvent({ objectName: 'a\u0000b' }), 'data.resourceName'],
    ['a line feed in the object name', objectEvent({ objectName: 'a\nb' }), 'data.resourceName'],
    ['an object name of 1,025 UTF-8 bytes', objectEvent({ objectName: `${'é'.repeat(512)}x` }), 'data.resourceName'],
    ['eventTime that is not a date', { ...objectEvent(), eventTime: 'yesterday' }, 'eventTime'],
    ['data that is a string', { ...objectEvent(), data: 'x' }, 'data'],
    ['a CloudEvents 1.0 event without id', (() => { const e = asCloudEvents10(objectEvent()); delete e.id; return e; })(), 'id'],
    ['an invalid bucket name', objectEvent({ bucketName: 'bad bucket' }), 'data.additionalDetails.bucketName'],
  ])('rejects an event with %s, naming %s', (_what, body, field) => {
    expect(problemsOf(body).map((p) => p.field)).toContain(field);
  });
});

describe('classify: object names in events follow Oracle\'s naming rules', () => {
  it.each([
    ['a tab', 'a\tb'],
    ['other control characters', 'x\u0001\u001fy\u007f'],
    ['1,024 UTF-8 bytes', 'é'.repeat(512)],
  ])('accepts an object event whose name has %s', (_what, objectName) => {
    const request = classify(objectEvent({ objectName }));
    expect(request).toMatchObject({ kind: 'object-event', objectName });
  });
});

describe('classify: manual requests', () => {
  it('reads a single-object request with every option of oci os object reencrypt', () => {
    const request = classify({
      namespaceName: 'examplens', bucketName: 'b', objectName: 'a b/c&d#e+f%g', versionId: 'v1',
      sseCustomerKeySecretId: 'ocid1.vaultsecret.oc1.phx.amaaaa.bbbb', sourceSseCustomerKeySecretId: 'ocid1.vaultsecret.oc1.phx.amaaaa.cccc',
    });
    expect(request).toMatchObject({
      kind: 'manual', namespace: 'examplens', dryRun: false,
      scope: { type: 'object', bucketName: 'b', objectName: 'a b/c&d#e+f%g', versionId: 'v1' },
    });
  });

  it('accepts namespace as an alias of namespaceName', () => {
    expect(classify({ namespace: 'ns1', bucketName: 'b' })).toMatchObject({ namespace: 'ns1', scope: { type: 'bucket' } });
  });

  it('reads a prefix sweep with a before watermark and dry run', () => {
    expect(classify({ bucketName: 'b', prefix: 'logs/', before: '2026-01-01T00:00:00Z', dryRun: true })).toMatchObject({
      dryRun: true, scope: { type: 'bucket', bucketName: 'b', prefix: 'logs/' }, watermark: { type: 'before', before: new Date('2026-01-01T00:00:00Z') },
    });
  });

  it('reads a key sweep across compartments', () => {
    expect(classify({ kmsKeyId: KEY, compartmentIds: ['ocid1.compartment.oc1..aaaa'], force: true })).toMatchObject({
      scope: { type: 'key', kmsKeyId: KEY, compartmentIds: ['ocid1.compartment.oc1..aaaa'] }, watermark: { type: 'force' },
    });
  });

  it('reads a continuation', () => {
    expect(classify({ continuation: 'abc_DEF-1' })).toMatchObject({ scope: { type: 'continuation', token: 'abc_DEF-1' } });
  });

  it.each([
    ['a typo in a field name', { bucketName: 'b', dryrun: true }, 'dryrun'],
    ['no scope at all', { dryRun: true }, 'bucketName'],
    ['objectName without bucketName', { objectName: 'x', kmsKeyId: KEY }, 'bucketName'],
    ['versionId without objectName', { bucketName: 'b', versionId: 'v' }, 'objectName'],
    ['kmsKeyId and an SSE-C target together', { bucketName: 'b', objectName: 'o', kmsKeyId: KEY, sseCustomerKeySecretId: 'ocid1.vaultsecret.oc1.phx.a.b' }, 'sseCustomerKeySecretId'],
    ['before and force together', { bucketName: 'b', before: '2026-01-01T00:00:00Z', force: true }, 'before'],
    ['a malformed key OCID', { kmsKeyId: 'ocid1.bucket.oc1..x' }, 'kmsKeyId'],
    ['an SSE-C key sent inline', { bucketName: 'b', objectName: 'o', sseCustomerKey: 'AAAA' }, 'sseCustomerKey'],
    ['a continuation with a new scope', { continuation: 'abc', bucketName: 'b' }, 'continuation'],
    ['dryRun as a string', { bucketName: 'b', dryRun: 'yes' }, 'dryRun'],
    ['compartmentIds that are not compartments', { kmsKeyId: KEY, compartmentIds: ['ocid1.key.oc1..x'] }, 'compartmentIds[0]'],
    ['kmsKeyId with bucketName but no objectName', { bucketName: 'b', kmsKeyId: KEY }, 'kmsKeyId'],
  ])('rejects %s, naming %s', (_what, body, field) => {
    expect(problemsOf(body).map((p) => p.field)).toContain(field);
  });
});

describe('classify: the OCI CLI\'s --from-json skeleton', () => {
  const filled = (over: Record<string, unknown> = {}) => filledSkeleton({
    bucketName: 'b', encryptionKeyFile: null, kmsKeyId: '', name: 'reports/q1.csv', namespace: 'examplens', namespaceName: 'examplens',
    objectName: 'reports/q1.csv', sourceEncryptionKeyFile: null, versionId: 'v-1', ...over,
  });

  it('lists the nine fields the CLI prints', () => {
    expect(Object.keys(CLI_REENCRYPT_SKELETON)).toEqual([
      'bucketName', 'encryptionKeyFile', 'kmsKeyId', 'name', 'namespace', 'namespaceName', 'objectName', 'sourceEncryptionKeyFile', 'versionId',
    ]);
  });

  it('accepts it filled in: equal aliases, an empty kmsKeyId (the bucket\'s key) and null key files', () => {
    const request = classify(filled());
    expect(request).toEqual({
      kind: 'manual', dryRun: false, namespace: 'examplens', watermark: { type: 'key-version' },
      scope: { type: 'object', bucketName: 'b', objectName: 'reports/q1.csv', versionId: 'v-1' },
    });
  });

  it('takes a kmsKeyId when one is given', () => {
    expect(classify(filled({ kmsKeyId: KEY }))).toMatchObject({ scope: { type: 'object', kmsKeyId: KEY } });
  });

  it.each([
    ['objectName null, name given', { objectName: null }],
    ['name null, objectName given', { name: null }],
    ['namespace null', { namespace: null }],
    ['namespaceName null', { namespaceName: null }],
    ['versionId null', { versionId: null }],
    ['kmsKeyId null', { kmsKeyId: null }],
  ])('treats null as not given: %s', (_what, over) => {
    const request = classify(filled(over));
    expect(request).toMatchObject({ kind: 'manual', scope: { type: 'object', bucketName: 'b', objectName: 'reports/q1.csv' } });
    if ('versionId' in over) expect(request.kind === 'manual' && 'versionId' in request.scope).toBe(false);
    if ('namespace' in over || 'namespaceName' in over) expect(request).toMatchObject({ namespace: 'examplens' });
  });

  it('reads name alone as the object name, with its version', () => {
    expect(classify({ bucketName: 'b', name: 'x y', versionId: 'v' })).toMatchObject({ scope: { type: 'object', objectName: 'x y', versionId: 'v' } });
  });

  it('accepts an object name of exactly 1024 bytes of UTF-8, and names with a tab (Oracle only excludes LF, CR and NUL)', () => {
    const name = `${'é'.repeat(511)}ab`; // 1022 + 2 bytes
    expect(Buffer.byteLength(name)).toBe(1024);
    expect(classify({ bucketName: 'b', objectName: name })).toMatchObject({ scope: { objectName: name } });
    expect(classify({ bucketName: 'b', objectName: 'a\tb' })).toMatchObject({ scope: { objectName: 'a\tb' } });
  });

  it('lets an empty kmsKeyId with bucketName alone sweep the bucket', () => {
    expect(classify({ bucketName: 'b', kmsKeyId: '' })).toMatchObject({ scope: { type: 'bucket', bucketName: 'b' } });
  });

  it.each([
    ['name and objectName that differ', filled({ name: 'a' }), ['name', 'objectName']],
    ['namespace and namespaceName that differ', filled({ namespace: 'otherns' }), ['namespace', 'namespaceName']],
    ['an encryptionKeyFile path', filled({ encryptionKeyFile: '/path/to/file' }), ['encryptionKeyFile']],
    ['a sourceEncryptionKeyFile path', filled({ sourceEncryptionKeyFile: '/path/to/file' }), ['sourceEncryptionKeyFile']],
    ['an object name of 1025 bytes in 513 characters', filled({ objectName: 'é'.repeat(512) + 'a', name: null }), ['objectName']],
    ['a name (alias) of 1025 bytes', filled({ name: 'é'.repeat(512) + 'a', objectName: null }), ['name']],
    ['a line feed in the object name', filled({ objectName: 'a\nb', name: null }), ['objectName']],
    ['a carriage return in name', filled({ name: 'a\rb', objectName: null }), ['name']],
    ['versionId with neither objectName nor name', filled({ objectName: null, name: null }), ['objectName']],
    ['an empty kmsKeyId alone', { kmsKeyId: '' }, ['bucketName']],
    ['a kmsKeyId that is not a key', filled({ kmsKeyId: 'string' }), ['kmsKeyId']],
    ['name together with prefix', { bucketName: 'b', name: 'o', prefix: 'p/' }, ['name']],
    ['sseCustomerKeySecretId with name and a kmsKeyId', { bucketName: 'b', name: 'o', kmsKeyId: KEY, sseCustomerKeySecretId: 'ocid1.vaultsecret.oc1.phx.a.b' }, ['sseCustomerKeySecretId']],
    ['a continuation with name', { continuation: 'abc', name: 'o' }, ['continuation']],
  ])('rejects %s, naming %j', (_what, body, fields) => {
    const problems = problemsOf(body);
    for (const field of fields) expect(problems.map((p) => p.field)).toContain(field);
  });

  it('says where an SSE-C key goes instead of a key file', () => {
    const [problem] = problemsOf(filled({ encryptionKeyFile: '/path/to/file' }));
    expect(problem?.problem).toContain('sseCustomerKeySecretId');
    const [source] = problemsOf(filled({ sourceEncryptionKeyFile: '/path/to/file' }));
    expect(source?.problem).toContain('sourceSseCustomerKeySecretId');
  });

  it('says which types a CLI field takes', () => {
    expect(problemsOf({ bucketName: 42 })).toContainEqual({ field: 'bucketName', problem: 'must be string or null' });
  });

  it('still refuses null for the function\'s own switches', () => {
    expect(problemsOf({ bucketName: 'b', dryRun: null }).map((p) => p.field)).toContain('dryRun');
    expect(problemsOf({ bucketName: 'b', force: null }).map((p) => p.field)).toContain('force');
  });
});

describe('parseBody', () => {
  it.each([
    ['an empty body', Buffer.alloc(0), 'is empty'],
    ['text that is not JSON', Buffer.from('hello'), 'is not valid JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'is not valid UTF-8'],
    ['a body over the limit', Buffer.alloc(300 * 1024, 0x20), 'is larger than'],
  ])('rejects %s', (_what, raw, problem) => {
    try {
      parseBody(raw);
      expect.unreachable();
    } catch (err) {
      expect((err as InvalidInputError).details[0]).toMatchObject({ field: '(body)' });
      expect((err as InvalidInputError).details[0]?.problem).toContain(problem);
    }
  });

  it('decodes multi-byte UTF-8 names intact', () => {
    expect(parseBody(Buffer.from(JSON.stringify({ objectName: 'données/日本語 ✓' })))).toEqual({ objectName: 'données/日本語 ✓' });
  });
});
