import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidContinuationError } from '../../src/errors';
import requestSchemaFull from '../../schemas/reencrypt-request.schema.json';
import { classify } from '../../src/input/classify';
import { BUCKET_EVENT_DATA_SCHEMA, OBJECT_EVENT_DATA_SCHEMA } from '../../src/input/schemas';
import { decodeContinuation, encodeContinuation, type ContinuationState } from '../../src/sweep/continuation';

const requestSchema = JSON.parse(readFileSync(join(__dirname, '../../schemas/reencrypt-request.schema.json'), 'utf8')) as {
  properties: { continuation: { pattern: string } };
};
const TOKEN_PATTERN = new RegExp(requestSchema.properties.continuation.pattern);

function state(overrides: Partial<ContinuationState> = {}): ContinuationState {
  return {
    v: 1, trigger: 'rotation:com.oraclecloud.keymanagementservice.autokeyrotate.end', namespace: 'examplens', dryRun: false, before: '2026-03-10T12:02:00.000Z',
    watermarkSource: 'key-version', buckets: [{ name: 'finance-data', position: { offset: 0 } }], ...overrides,
  };
}

/** The token as JSON, and back: to forge tokens the way a caller could. */
const unwrap = (token: string) => JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s: unknown; c: string };
const wrap = (envelope: unknown) => Buffer.from(JSON.stringify(envelope)).toString('base64url');

function rejectionOf(token: string): InvalidContinuationError {
  try {
    decodeContinuation(token);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidContinuationError);
    return err as InvalidContinuationError;
  }
  throw new Error('expected InvalidContinuationError');
}

describe('encodeContinuation / decodeContinuation', () => {
  it.each<[string, ContinuationState]>([
    ['a fresh sweep', state()],
    ['a force sweep (before: null) in dry run', state({ before: null, dryRun: true, watermarkSource: 'force' })],
    ['a page start with spaces, & # + % ? and unicode', state({ buckets: [{ name: 'b', position: { start: 'a b&c#d+e%20f?g/é/日本/🙂', offset: 999 } }] })],
    ['a ListObjectVersions page token', state({ buckets: [{ name: 'b', position: { start: 'eyJ2IjoxfQ==/+x', offset: 1000 } }] })],
    ['a prefix with awkward characters', state({ buckets: [{ name: 'b', prefix: 'q1 & q2/#tag/100%/', position: { offset: 3 } }] })],
    ['several buckets in order', state({ buckets: [
      { name: 'b-1', position: { start: 'x', offset: 1 } }, { name: 'b.2', position: { offset: 0 } }, { name: 'B_3', position: { offset: 7 } },
    ] })],
  ])('round-trips %s', (_name, s) => {
    const token = encodeContinuation(s);
    expect(token).toMatch(TOKEN_PATTERN);
    expect(decodeContinuation(token)).toEqual(s);
  });

  it('issues a token with no padding and no + or /', () => {
    const token = encodeContinuation(state({ buckets: [{ name: 'b', position: { start: '\u00ff\u00fe'.repeat(20), offset: 0 } }] }));
    expect(token).not.toMatch(/[=+/]/);
  });

  describe('rejects, naming the continuation field', () => {
    const good = encodeContinuation(state());

    it.each<[string, string, RegExp]>([
      ['a tampered checksum', wrap({ ...unwrap(good), c: 'A'.repeat(22) }), /checksum/],
      ['an edited state under the old checksum', wrap({ ...unwrap(good), s: { ...state(), dryRun: true } }), /checksum/],
      ['a truncated token', good.slice(0, Math.floor(good.length / 2)), /decode|checksum/],
      ['a token missing its last character', good.slice(0, -1), /decode|checksum/],
      ['base64 of something that is not JSON', Buffer.from('hello').toString('base64url'), /decode/],
      ['base64 of a JSON string', wrap('just a string'), /checksum/],
      ['base64 of JSON null', wrap(null), /checksum/],
      ['an envelope with no checksum', wrap({ s: state() }), /checksum/],
      ['an empty token', '', /decode/],
      ['text that is not base64 at all', '!!!***', /decode/],
    ])('%s', (_name, token, problem) => {
      const err = rejectionOf(token);
      expect(err.details).toEqual([{ field: 'continuation', problem: expect.stringMatching(problem) as unknown as string }]);
      expect(err.code).toBe('InvalidInput');
    });
  });

  describe('rejects a correctly signed state that the schema does not accept', () => {
    // Signed the way encodeContinuation signs: only the schema stands between these and the engine.
    const signed = (s: unknown) => encodeContinuation(s as ContinuationState);

    it.each<[string, unknown]>([
      ['another version', { ...state(), v: 2 }],
      ['no version', (({ v: _v, ...rest }) => rest)(state())],
      ['no buckets', state({ buckets: [] })],
      ['an unknown field', { ...state(), extra: true }],
      ['a bucket name with a slash', state({ buckets: [{ name: 'a/b', position: { offset: 0 } }] })],
      ['a negative offset', state({ buckets: [{ name: 'b', position: { offset: -1 } }] })],
      ['an offset beyond a page', state({ buckets: [{ name: 'b', position: { offset: 1001 } }] })],
      ['a fractional offset', state({ buckets: [{ name: 'b', position: { offset: 1.5 } }] })],
      ['a namespace in capitals', state({ namespace: 'ExampleNS' })],
      ['a before that is not a date-time', state({ before: 'yesterday' })],
      ['a trigger the function never writes', { ...state(), trigger: 'rotation:com.example.other' }],
      ['a watermark source the function never writes', { ...state(), watermarkSource: 'guess' }],
    ])('%s', (_name, s) => {
      const err = rejectionOf(signed(s));
      expect(err.details).toEqual([{ field: 'continuation', problem: expect.stringMatching(/incompatible version/) as unknown as string }]);
    });
  });
});

describe('a continuation the function issued is always accepted back at the edge', () => {
  it('resumes a rotation stopped with 150 buckets pending', () => {
    const buckets = Array.from({ length: 150 }, (_, i) => ({ name: `finance-data-archive-${i}`, position: { offset: 0 } }));
    const token = encodeContinuation({ v: 1, trigger: 'manual:key', namespace: 'ns', dryRun: false, before: null, watermarkSource: 'force', buckets });
    expect(classify({ continuation: token })).toMatchObject({ scope: { type: 'continuation', token } });
  });
});

describe('the continuation schema admits what its sources admit', () => {
  // The continuation takes its namespace and bucket rules from the manual request schema;
  // events must not admit names the continuation would then refuse.
  const { namespace, bucketName } = BUCKET_EVENT_DATA_SCHEMA.properties.additionalDetails.properties;
  const objectDetails = OBJECT_EVENT_DATA_SCHEMA.properties.additionalDetails.properties;
  const { definitions, properties } = requestSchemaFull;

  it.each([
    ['updatebucket namespace', namespace, definitions.namespace],
    ['updatebucket bucketName', bucketName, properties.bucketName],
    ['object event namespace', objectDetails.namespace, definitions.namespace],
    ['object event bucketName', objectDetails.bucketName, properties.bucketName],
  ])('%s has the request schema\'s rule', (_name, event, request) => {
    expect({ pattern: event.pattern, minLength: event.minLength, maxLength: event.maxLength })
      .toEqual({ pattern: request.pattern, minLength: request.minLength, maxLength: request.maxLength });
  });
});
