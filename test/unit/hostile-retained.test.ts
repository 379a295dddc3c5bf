/**
 * Thousands of invocations in one container: what one hostile body costs must
 * not outlive its invocation. ajv keeps a validator's last errors on the
 * validator itself (`validate.errors`), and the validators are built once per
 * container; with allErrors, a 256 KB body of 120,000 wrong array items
 * leaves 120,000 error objects (about 20 MB) pinned until that validator next
 * runs, one such set per validator (the request's, the continuation's): a
 * fifth of a 128 MB function's memory per validator, held by nothing. The heap is measured after a full GC (a count, not a clock).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { classify, MAX_BODY_BYTES, parseBody } from '../../src/input/classify';
import { decodeContinuation } from '../../src/sweep/continuation';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const ITEMS = 120_000;
const wrongItems = `[${Array(ITEMS).fill('1').join(',')}]`;

/** Bodies with ITEMS problems each: only arrays with item rules, and unknown fields, give that many (events allow unknown fields). */
const BODIES: [what: string, body: string][] = [
  ['compartmentIds of numbers', `{"kmsKeyId":"ocid1.key.oc1.phx.a.b","compartmentIds":${wrongItems}}`],
  ['unknown fields, then compartmentIds', `{"bucketName":"b",${Array.from({ length: ITEMS / 6 }, (_, i) => `"f${i}":1`).join(',')}}`],
  ['compartmentIds of numbers, last', `{"kmsKeyId":"ocid1.key.oc1.phx.a.b","compartmentIds":${wrongItems}}`],
];

describe('a hostile body leaves nothing behind in the container', () => {
  it('after bodies of tens of thousands of problems, the heap is back where it was', () => {
    for (const [what, body] of BODIES) expect(Buffer.byteLength(body), what).toBeLessThanOrEqual(MAX_BODY_BYTES);
    // Warm up: the modules, and each validator once with a small error.
    for (const [, body] of BODIES) expect(() => classify(parseBody(Buffer.from(body.replace(wrongItems, '[1]'))))).toThrow();
    const before = heapAfterGc();
    for (const [what, body] of BODIES) expect(() => classify(parseBody(Buffer.from(body))), what).toThrow(/invalid/);
    const retainedMb = (heapAfterGc() - before) / 1024 / 1024;
    expect(retainedMb).toBeLessThan(4);
  });

  it('the same for a continuation whose state has 20,000 buckets of problems', () => {
    // A token with a valid checksum (anyone can compute it) and a state the schema refuses everywhere.
    const state = { v: 1, trigger: 'manual', namespace: 'ns', dryRun: false, before: null, watermarkSource: 'force', buckets: Array(20_000).fill({ name: 1, position: {} }) };
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const c = createHash('sha256').update(`oci-reencrypt/continuation/v1\n${JSON.stringify(state)}`).digest('base64url').slice(0, 22);
    const token = Buffer.from(JSON.stringify({ s: state, c })).toString('base64url');
    expect(() => decodeContinuation(token.slice(0, 10))).toThrow();
    const before = heapAfterGc();
    expect(() => decodeContinuation(token)).toThrow(/incompatible/);
    expect((heapAfterGc() - before) / 1024 / 1024).toBeLessThan(4);
  });
});
