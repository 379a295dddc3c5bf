import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { problemsOf } from '../support/invalid-input';


const FN = 'ocid1.fnfunc.oc1.phx.aaaaaaaaexamplefunction';

describe('classify: run requests', () => {
  it.each([
    [{ runId: 'ev-0123abcd' }, { type: 'run-status', runId: 'ev-0123abcd' }],
    [{ resume: 'run-20261130T040000-ab12' }, { type: 'resume', runId: 'run-20261130T040000-ab12' }],
    [{ listRuns: true }, { type: 'list-runs' }],
  ])('%j', (body, scope) => {
    expect(classify(body)).toMatchObject({ kind: 'manual', scope });
  });

  it('a sweep may name its run id', () => {
    expect(classify({ bucketName: 'b', runId: 'nightly-1' })).toMatchObject({ kind: 'manual', scope: { type: 'bucket', bucketName: 'b' }, runId: 'nightly-1' });
    expect(classify({ kmsKeyId: 'ocid1.key.oc1.phx.x.k', runId: 'nightly-2' })).toMatchObject({ scope: { type: 'key' }, runId: 'nightly-2' });
  });

  it.each([
    [{ runId: 'bad id!' }, 'runId'],
    [{ runId: 'x'.repeat(65) }, 'runId'],
    [{ resume: 'r', bucketName: 'b' }, 'resume'],
    [{ resume: 'r', dryRun: true }, 'resume'],
    [{ listRuns: false }, 'listRuns'],
    [{ listRuns: true, runId: 'r' }, 'runId'],
    [{ runId: 'r', objectName: 'o', bucketName: 'b' }, 'runId'],
    [{ handedOverBy: 'CALL1' }, 'resume'],
    [{ bucketName: 'b', handedOverBy: 'CALL1' }, 'resume'],
    [{ resume: 'r', handedOverBy: 'a/b' }, 'handedOverBy'],
    [{ resume: 'r', handedOverBy: 'x'.repeat(65) }, 'handedOverBy'],
    [{ resume: 'r', handedOverBy: 7 }, 'handedOverBy'],
  ])('%j names %s', (body, field) => {
    expect(problemsOf(body).map((p) => p.field)).toContain(field);
  });

  it('recognises a failure destination\'s record by a function OCID and a status, reading nothing else but the failed call\'s id', () => {
    expect(classify({ id: 'call-1', functionId: FN, status: 'FAILED', anything: { deep: [1, 2] } })).toEqual({
      kind: 'invocation-failed', functionId: FN, recordKey: expect.stringMatching(/^[0-9a-f]{40}$/), failedCallId: 'call-1',
    });
  });

  it.each([
    [{ functionId: FN, status: 'FAILED' }],
    [{ id: 42, functionId: FN, status: 'FAILED' }],
    [{ id: '../runs/x', functionId: FN, status: 'FAILED' }],
    [{ id: 'A'.repeat(65), functionId: FN, status: 'FAILED' }],
    [{ id: '', functionId: FN, status: 'FAILED' }],
  ])('a record whose id is absent or not shaped like an Fn call id names no failed call (every unfinished run is resumed): %j', (body) => {
    const r = classify(body);
    expect(r).toMatchObject({ kind: 'invocation-failed', functionId: FN });
    expect(r).not.toHaveProperty('failedCallId');
  });

  it('a resume may name the invocation that handed the run over, and only a resume', () => {
    expect(classify({ resume: 'r-1', handedOverBy: '01JCALL0000000000000000000' })).toMatchObject({ scope: { type: 'resume', runId: 'r-1', handedOverBy: '01JCALL0000000000000000000' } });
    expect(classify({ resume: 'r-1' })).toMatchObject({ scope: { type: 'resume', runId: 'r-1' } });
    expect(classify({ resume: 'r-1' })).not.toHaveProperty('scope.handedOverBy');
  });

  it('keys a failure record by its content: the same record delivered again has the same key, another record another', () => {
    const key = (body: object): string => (classify(body) as { recordKey: string }).recordKey;
    const record = { id: 'call-1', functionId: FN, status: 'FAILED', timeFinished: '2026-11-30T09:00:00.000Z' };
    expect(key(JSON.parse(JSON.stringify(record)))).toBe(key(record));
    expect(key({ ...record, id: 'call-2' })).not.toBe(key(record));
  });

  it.each([
    [{ functionId: 'not-an-ocid', status: 'FAILED' }],
    [{ functionId: FN }],
    [{ functionId: FN, status: 'FAILED', bucketName: 'b' }],
    [{ functionId: FN, status: 'FAILED', resume: 'r' }],
  ])('is not fooled by %j', (body) => {
    expect(() => classify(body)).toThrow(InvalidInputError);
  });
});
