/**
 * A continuation is opaque but not secret: its checksum catches damage, not
 * forgery (anyone can compute it). What a forged one carries is checked like
 * a request's fields: a `before` the date-time format admits but a Date cannot
 * hold (a leap second), or that prints past year 9999, and a `runStartedAt`
 * no Date holds or in the future, are refused at decoding, naming
 * continuation, instead of failing the sweep with InternalError ("Invalid time
 * value") or issuing a next continuation the function itself refuses.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidContinuationError } from '../../src/errors';
import { decodeContinuation, encodeContinuation, type ContinuationState } from '../../src/sweep/continuation';
import { fcParams } from '../support/fast-check';

function forged(state: Record<string, unknown>): string {
  const c = createHash('sha256').update(`oci-reencrypt/continuation/v1\n${JSON.stringify(state)}`).digest('base64url').slice(0, 22);
  return Buffer.from(JSON.stringify({ s: state, c })).toString('base64url');
}

const BASE = { v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun: true, before: null, watermarkSource: 'force', buckets: [{ name: 'b', position: { offset: 0 } }] };

describe('a forged continuation', () => {
  const refused: [what: string, fields: Record<string, unknown>][] = [
    ['a leap second as before', { before: '2016-12-31T23:59:60Z', watermarkSource: 'request' }],
    ['a before that is year 10000 in UTC', { before: '9999-12-31T23:59:59-23:59', watermarkSource: 'request' }],
    ['a runStartedAt no Date holds', { runStartedAt: 1e300 }],
    ['a runStartedAt a day in the future', { runStartedAt: Date.now() + 86_400_000 }],
  ];
  for (const [what, fields] of refused) {
    it(`with ${what} is refused naming continuation`, () => {
      expect(() => decodeContinuation(forged({ ...BASE, ...fields }))).toThrow(InvalidContinuationError);
    });
  }

  it('property: what decodes has a before and a start a Date holds, and encodes into a token that decodes again', () => {
    const instant = fc.oneof(
      fc.constantFrom('2016-12-31T23:59:60Z', '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z', '2026-01-01T00:00:00.123456789+23:59'),
      fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
    );
    const start = fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom(1e300, 8.64e15, Date.now()));
    fc.assert(fc.property(instant, fc.option(start, { nil: undefined }), (before, runStartedAt) => {
      const token = forged({ ...BASE, before, watermarkSource: 'request', ...(runStartedAt !== undefined && { runStartedAt }) });
      let state: ContinuationState;
      try {
        state = decodeContinuation(token);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidContinuationError);
        return;
      }
      expect(Number.isNaN(new Date(state.before as string).getTime())).toBe(false);
      if (state.runStartedAt !== undefined) expect(state.runStartedAt).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
      const next = { ...state, before: new Date(state.before as string).toISOString() };
      expect(decodeContinuation(encodeContinuation(next))).toEqual(next);
    }), fcParams(300));
  });
});
