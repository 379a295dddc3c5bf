/**
 * An instant from input (a request's `before`, an event's time, a continuation's `before`) ends
 * up in a continuation token as its ISO form, and the function decodes that token again against
 * the date-time format (four-digit years). The format admits offsets that move a year-0000 time
 * into year -1 ("0000-01-01T00:00:00+00:01"), whose ISO form is "-000001-12-31T23:59:00.000Z":
 * taken, the sweep's next continuation is one the function itself refuses ("incompatible
 * version"), as year 10000 was (those are refused already: src/input/classify.ts instantOf,
 * src/sweep/continuation.ts usable).
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidContinuationError, InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { decodeContinuation, encodeContinuation, type ContinuationState } from '../../src/sweep/continuation';
import { fcParams } from '../support/fast-check';

function forged(state: Record<string, unknown>): string {
  const c = createHash('sha256').update(`oci-reencrypt/continuation/v1\n${JSON.stringify(state)}`).digest('base64url').slice(0, 22);
  return Buffer.from(JSON.stringify({ s: state, c })).toString('base64url');
}

const BASE = { v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun: true, before: null, watermarkSource: 'request', buckets: [{ name: 'b', position: { offset: 0 } }] };

const two = (n: number): string => String(n).padStart(2, '0');
/** RFC 3339 times at the edges of the four-digit years, with any offset the format admits. */
const edgeTime = fc.record({
  year: fc.constantFrom(0, 1, 9998, 9999),
  month: fc.constantFrom(1, 12),
  day: fc.constantFrom(1, 31),
  hour: fc.constantFrom(0, 23),
  minute: fc.constantFrom(0, 59),
  offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([s, h, m]) => `${s}${two(h)}:${two(m)}`)),
}).map((t) => `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:00${t.offset}`);

/** A continuation carrying `before` as the function writes it decodes again. */
function reissues(before: Date): void {
  const state: ContinuationState = { ...(BASE as unknown as ContinuationState), before: before.toISOString() };
  expect(decodeContinuation(encodeContinuation(state)).before).toBe(before.toISOString());
}

describe('instants at the edges of the four-digit years', () => {
  it('a request before "0000-01-01T00:00:00+00:01" (year -1 in UTC) is refused naming before', () => {
    let thrown: unknown;
    try {
      classify({ bucketName: 'b', before: '0000-01-01T00:00:00+00:01' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as InvalidInputError).details.map((d) => d.field)).toContain('before');
  });

  it('a forged continuation whose before is year -1 in UTC is refused naming continuation', () => {
    expect(() => decodeContinuation(forged({ ...BASE, before: '0000-01-01T00:00:00+00:01' }))).toThrow(InvalidContinuationError);
  });

  it('property: a request before the function takes goes into a continuation it decodes again', () => {
    fc.assert(fc.property(edgeTime, (before) => {
      let request: ReturnType<typeof classify>;
      try {
        request = classify({ bucketName: 'b', before });
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidInputError);
        return;
      }
      if (request.kind !== 'manual' || request.watermark.type !== 'before') throw new Error(`unexpected ${JSON.stringify(request)}`);
      reissues(request.watermark.before);
    }), fcParams(300));
  });

  it('property: a continuation before the function takes goes into a next continuation it decodes again', () => {
    fc.assert(fc.property(edgeTime, (before) => {
      let state: ContinuationState;
      try {
        state = decodeContinuation(forged({ ...BASE, before }));
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidContinuationError);
        return;
      }
      reissues(new Date(state.before as string));
    }), fcParams(300));
  });
});
