/**
 * Hostile input through the real socket (dist/func.js under the FDK, against
 * the emulator), where the FDK contract test and the generated bodies
 * (fdk-contract.test.ts, hostile-input.e2e.test.ts) leave gaps:
 * - every field of every event kind retyped (number, boolean, null, array,
 *   object): refused naming that field, or ignored when the function never
 *   reads it, never anything else;
 * - names and ids that are not text (lone UTF-16 surrogates, valid JSON
 *   escapes that no UTF-8 name holds): refused at the edge naming the field,
 *   not sent on to fail as "URI malformed";
 * - deep nesting just under the body limit, in fields and as the body;
 * - a small body with a hundred thousand problems: the answer lists a few;
 * - hostile Fn headers: a deadline years away, a header over the FDK
 *   server's limit, an 8 KB call id.
 * After all of it the same process answers a valid request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_PROBLEMS_LISTED } from '../../src/input/classify';
import type { FnCallResult } from '../support/fdk-process';
import { asCloudEvents10, bucketEvent, keyEvent, objectEvent } from '../support/events';
import { startStack, type Stack } from '../support/stack';

type Json = Record<string, unknown>;

/** Every path in `value` down to its leaves (objects included, arrays as leaves). */
function paths(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [at];
  return [...(at.length ? [at] : []), ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
}

function withValue(event: Json, path: readonly string[], value: unknown): Json {
  const copy = structuredClone(event);
  let node = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1] as string] = value;
  return copy;
}

function valueAt(event: Json, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], event);
}

const WRONG_TYPES: readonly unknown[] = [42, true, null, [], {}];

/**
 * Fields the function never reads: any value is accepted and changes nothing. Everything
 * else, retyped, must be refused naming it. `data.additionalDetails.vaultId` of a key event
 * is a hint only: the key's vault is also looked for in every string of data and in
 * REENCRYPT_VAULT_IDS (src/input/key-reference.ts), so a non-string is passed over.
 */
const NOT_READ = new Set([
  'data.compartmentName', 'data.availabilityDomain', 'data.freeformTags', 'data.definedTags', 'datacontenttype',
  'bucket:data.resourceId', 'bucket:data.additionalDetails.publicAccessType', 'bucket:data.additionalDetails.versioning',
  'bucket:data.additionalDetails.eTag', 'key:data.additionalDetails.vaultId',
]);

function expectAnswered(r: FnCallResult, what: string): void {
  expect(r.status, what).toBe(200);
  expect(r.json, `${what}: ${r.text.slice(0, 200)}`).toBeTypeOf('object');
}

function expectRefused(r: FnCallResult, field: string, what: string): void {
  expectAnswered(r, what);
  // The whole-body problems use the pseudo-field "(body)"; their message speaks of "the request body".
  const message = field === '(body)' ? expect.stringMatching(/body/i) : expect.stringContaining(field);
  expect(r.json, `${what}: ${r.text.slice(0, 300)}`).toMatchObject({ ok: false, error: { code: 'InvalidInput', message } });
  expect((r.json.error.details as { field: string }[]).map((d) => d.field), `${what}: ${r.text.slice(0, 300)}`).toContain(field);
}

describe('hostile input at the edges, through the FDK socket', () => {
  let s: Stack;
  let events: [kind: string, event: Json][];

  beforeAll(async () => {
    s = await startStack();
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'edges', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('edges', [{ name: 'o', timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } }]);
    const ns = s.namespace;
    events = [
      ['object', objectEvent({ namespace: ns, bucketName: 'edges', objectName: 'o', versionId: 'v1' })],
      ['object-ce10', asCloudEvents10(objectEvent({ namespace: ns, bucketName: 'edges', objectName: 'o' }))],
      ['bucket', bucketEvent({ namespace: ns, bucketName: 'edges' })],
      ['key', keyEvent({ keyId: s.keyId, vaultId: s.vaultId, compartmentId: s.compartmentA })],
    ];
  });
  afterAll(async () => s?.stop());

  it('every field of every event kind, retyped, is refused naming it, or not read at all', async () => {
    let refused = 0;
    for (const [kind, event] of events) {
      for (const path of paths(event)) {
        const field = path.join('.');
        const notRead = NOT_READ.has(field) || NOT_READ.has(`${kind}:${field}`);
        const wasObject = typeof valueAt(event, path) === 'object' && valueAt(event, path) !== null;
        for (const value of WRONG_TYPES) {
          // An object where an object was is not a wrong type (its own fields are what is checked).
          if (wasObject && JSON.stringify(value) === '{}') continue;
          const what = `${kind} ${field} = ${JSON.stringify(value)}`;
          const r = await s.fn.call(JSON.stringify(withValue(event, path, value)));
          expectAnswered(r, what);
          if (notRead) {
            expect(r.json.ok, `${what}: ${r.text.slice(0, 300)}`).toBe(true);
            continue;
          }
          expect(r.json, `${what}: ${r.text.slice(0, 300)}`).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
          const fields = (r.json.error.details as { field: string }[]).map((d) => d.field);
          // The field itself, or (an empty array where an object was) the fields it lacks.
          expect(fields.some((f) => f === field || f.startsWith(`${field}.`)), `${what}: ${fields.join(', ')}`).toBe(true);
          refused += 1;
        }
      }
    }
    expect(refused).toBeGreaterThan(250);
  }, 300_000);

  describe('strings that no UTF-8 name holds (lone surrogates, valid JSON escapes)', () => {
    const manual: [field: string, body: string][] = [
      ['objectName', '{"bucketName":"edges","objectName":"o\\ud800"}'],
      ['name', '{"bucketName":"edges","name":"\\udc00o"}'],
      ['versionId', '{"bucketName":"edges","objectName":"o","versionId":"v\\ud83d"}'],
      ['prefix', '{"bucketName":"edges","prefix":"p\\ud800"}'],
    ];
    for (const [field, body] of manual) {
      it(`a manual ${field} is refused naming it, and nothing is sent`, async () => {
        s.emu.resetCounters();
        expectRefused(await s.fn.call(body), field, body);
        expect(s.emu.getCounters().totalCalls).toBe(0);
      });
    }

    it('an event object name or versionId is refused naming it, and nothing is sent', async () => {
      const event = JSON.stringify(objectEvent({ namespace: s.namespace, bucketName: 'edges', objectName: 'o', versionId: 'v1' }));
      s.emu.resetCounters();
      expectRefused(await s.fn.call(event.replace('"resourceName":"o"', '"resourceName":"o\\ud800"')), 'data.resourceName', 'resourceName');
      expectRefused(await s.fn.call(event.replace('"versionId":"v1"', '"versionId":"v\\udfff"')), 'data.additionalDetails.versionId', 'versionId');
      expect(s.emu.getCounters().totalCalls).toBe(0);
    });

    it('a name with a character outside the Basic Multilingual Plane (a surrogate pair) is still a name', async () => {
      s.emu.seedObjects('edges', [{ name: 'emoji-😀', timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } }]);
      const r = await s.fn.call('{"bucketName":"edges","objectName":"emoji-\\ud83d\\ude00"}');
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true, totals: { reencrypted: 1, failed: 0 } });
    });
  });

  describe('deep nesting just under the body limit', () => {
    const depth = Math.floor((MAX_BODY_BYTES - 200) / 2);
    const deepArray = `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;
    const cases: [field: string, body: string][] = [
      ['bucketName', `{"bucketName":${deepArray}}`],
      ['compartmentIds[0]', `{"kmsKeyId":"ocid1.key.oc1.phx.a.b","compartmentIds":${deepArray}}`],
      ['(body)', deepArray],
      ['data', `{"eventType":"com.oraclecloud.objectstorage.createobject","cloudEventsVersion":"0.1","eventTime":"2026-01-01T00:00:00Z","data":${deepArray}}`],
    ];
    for (const [field, body] of cases) {
      it(`${depth} arrays deep in ${field}: refused naming it`, async () => {
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
        expectRefused(await s.fn.call(body), field, field);
      });
    }
  });

  describe('many problems in one small body', () => {
    const cases: [what: string, body: string, field: string][] = [
      ['100,000 numbers as compartmentIds', `{"kmsKeyId":"ocid1.key.oc1.phx.a.b","compartmentIds":[${Array(100_000).fill('1').join(',')}]}`, 'compartmentIds[0]'],
      ['20,000 unknown fields', `{"bucketName":"edges",${Array.from({ length: 20_000 }, (_, i) => `"f${i}":1`).join(',')}}`, 'f0'],
    ];
    for (const [what, body, field] of cases) {
      it(`${what}: refused naming the first problems and how many more, in an answer and a log line of a few KB`, async () => {
        expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
        const logged = s.fn.output.length;
        const r = await s.fn.call(body);
        expectRefused(r, field, what);
        expect(r.json.error.details).toHaveLength(MAX_PROBLEMS_LISTED + 1);
        expect(r.json.error.details.at(-1)).toEqual({ field: '(body)', problem: expect.stringMatching(/^has \d+ more problems, not listed$/) });
        expect(r.text.length).toBeLessThan(16 * 1024);
        expect(s.fn.output.slice(logged).join('\n').length).toBeLessThan(16 * 1024);
      });
    }
  });

  describe('hostile Fn headers', () => {
    it('an Fn-Deadline years away is taken as the longest an invocation runs: the request is served, not abandoned at once', async () => {
      const r = await s.fn.call(JSON.stringify({ bucketName: 'edges', dryRun: true }), { headers: { 'Fn-Deadline': '9999-12-31T23:59:59Z' } });
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true, complete: true });
      expect(s.fn.output.filter((l) => /TimeoutOverflowWarning/.test(l))).toEqual([]);
    });

    it('a header over the FDK server\'s limit is refused by it (431); the process keeps serving', async () => {
      const r = await s.fn.call(JSON.stringify({ bucketName: 'edges', dryRun: true }), { headers: { 'X-Padding': 'x'.repeat(20_000) } });
      expect(r.status).toBe(431);
      expect(s.fn.process.exitCode).toBeNull();
    });

    it('an 8 KB Fn-Call-Id and a 4 KB caller header with tabs (together under the FDK server\'s limit) are answered normally', async () => {
      const r = await s.fn.call(JSON.stringify({ bucketName: 'edges', dryRun: true }), {
        headers: { 'Fn-Call-Id': 'c'.repeat(8000), 'Oci-Subject-Id': 'a\tb'.repeat(1500) },
      });
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true });
    });
  });

  it('after all of it, the same process answers a valid request', async () => {
    expect(s.fn.process.exitCode).toBeNull();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'edges', objectName: 'o' }));
    expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true, totals: { failed: 0 } });
    expect(s.fn.output.filter((l) => /Warning/.test(l))).toEqual([]);
  });
});
