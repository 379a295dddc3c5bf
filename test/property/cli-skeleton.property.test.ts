/**
 * Property: whatever a user does to the OCI CLI's `--from-json` skeleton
 * (fill a field, null it, drop it, make aliases disagree), classify either
 * accepts exactly what the CLI would send to ReencryptObject, or answers
 * InvalidInput naming the fields at fault. Never anything else.
 *
 * FC_RUNS / FC_SEED as in test/README.md (default 400 cases).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { KEY } from '../support/events';
import { fcParams } from '../support/fast-check';

/** A field as a user may leave it: absent, null, or one of the values given. */
const field = <T>(...values: T[]) => fc.constantFrom<T | null | undefined>(undefined, null, ...values);

/** Object names near the rules' edges: ordinary, multi-byte, at and over 1024 bytes, with forbidden or allowed control characters. */
const objectName = fc.oneof(
  fc.constantFrom('reports/q1.csv', 'a b/c&d#e+f%g', 'données/日本語 ✓', 'tab\there', `${'é'.repeat(511)}ab`, `${'é'.repeat(512)}a`, 'x'.repeat(1025), 'lf\nname', 'cr\rname', 'nul\u0000name', ''),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);

const skeleton = fc.record({
  bucketName: field('finance-data', 'bad bucket'),
  encryptionKeyFile: field('/path/to/file'),
  kmsKeyId: field('', KEY, 'string'),
  name: fc.oneof(field<string>(), objectName),
  namespace: field('examplens', 'otherns'),
  namespaceName: field('examplens', 'otherns'),
  objectName: fc.oneof(field<string>(), objectName),
  sourceEncryptionKeyFile: field('/path/to/file'),
  versionId: field('v-1'),
}, { requiredKeys: [] });

type Fill = Partial<Record<string, string | null>>;

const given = (v: string | null | undefined): v is string => typeof v === 'string';
const validName = (n: string) => n.length > 0 && Buffer.byteLength(n) <= 1024 && !/[\n\r\u0000]/.test(n);

/** What the CLI would send, or undefined when the fill cannot be a valid request. */
function expected(f: Fill): { keySweep?: true; objectName?: string; namespace?: string; kmsKeyId?: string; versionId?: string } | undefined {
  const names = [f.objectName, f.name].filter(given);
  const namespaces = [f.namespaceName, f.namespace].filter(given);
  if (f.bucketName === 'bad bucket') return undefined;
  if (new Set(names).size > 1 || new Set(namespaces).size > 1) return undefined;
  if (names.some((n) => !validName(n))) return undefined;
  if (given(f.encryptionKeyFile) || given(f.sourceEncryptionKeyFile)) return undefined;
  if (f.kmsKeyId === 'string') return undefined;
  const object = names[0];
  if (given(f.versionId) && object === undefined) return undefined;
  if (!given(f.bucketName)) {
    // Without a bucket, only a key alone is a request: sweep every bucket that uses it.
    return f.kmsKeyId === KEY && object === undefined ? { keySweep: true, kmsKeyId: KEY, ...(namespaces[0] !== undefined && { namespace: namespaces[0] }) } : undefined;
  }
  if (f.kmsKeyId === KEY && object === undefined) return undefined; // a sweep uses the bucket's key
  return {
    ...(object !== undefined && { objectName: object }),
    ...(namespaces[0] !== undefined && { namespace: namespaces[0] }),
    ...(f.kmsKeyId === KEY && { kmsKeyId: KEY }),
    ...(given(f.versionId) && { versionId: f.versionId }),
  };
}

describe('classify: any fill of the OCI CLI skeleton (property)', () => {
  it('accepts exactly the valid fills, as the CLI would send them, and names the fields of the others', () => {
    fc.assert(fc.property(skeleton, (fill) => {
      const want = expected(fill as Fill);
      let outcome: ReturnType<typeof classify> | InvalidInputError;
      try {
        outcome = classify(fill);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        outcome = err;
      }
      if (want === undefined) {
        expect(outcome).toBeInstanceOf(InvalidInputError);
        const error = outcome as InvalidInputError;
        expect(error.details.length).toBeGreaterThan(0);
        for (const d of error.details) expect(error.message).toContain(d.field);
        return;
      }
      expect(outcome, outcome instanceof Error ? outcome.message : '').not.toBeInstanceOf(Error);
      if (outcome instanceof Error || outcome.kind !== 'manual') throw new Error('not a manual request');
      expect(outcome.namespace).toBe(want.namespace);
      if (want.keySweep) {
        expect(outcome.scope).toEqual({ type: 'key', kmsKeyId: KEY });
      } else if (want.objectName === undefined) {
        expect(outcome.scope).toEqual({ type: 'bucket', bucketName: 'finance-data' });
      } else {
        expect(outcome.scope).toEqual({
          type: 'object', bucketName: 'finance-data', objectName: want.objectName,
          ...(want.versionId && { versionId: want.versionId }), ...(want.kmsKeyId && { kmsKeyId: want.kmsKeyId }),
        });
      }
    }), fcParams(400));
  });

  it('names both aliases when they disagree', () => {
    fc.assert(fc.property(fc.constantFrom<[string, string, string]>(['objectName', 'name', 'a'], ['namespaceName', 'namespace', 'examplens']), fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom('x', 'y', '-') }), ([canonical, alias, value], other) => {
      fc.pre(other !== value);
      const body: Record<string, unknown> = { bucketName: 'b', objectName: 'o', [canonical]: value, [alias]: alias === 'namespace' ? `ns${other}`.replace(/[^a-z0-9-]/g, 'z') : other };
      fc.pre(body[canonical] !== body[alias]);
      try {
        classify(body);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError);
        const fields = (err as InvalidInputError).details.map((d) => d.field);
        expect(fields).toEqual(expect.arrayContaining([canonical, alias]));
        return;
      }
      throw new Error('accepted aliases that disagree');
    }), fcParams(400));
  });
});
