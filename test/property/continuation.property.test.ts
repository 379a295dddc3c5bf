/**
 * Every continuation the function issues is one it accepts (issue 8, item 2):
 * for every request kind that sweeps and every event type it sweeps for, a
 * generated position, watermark and bucket list goes through the one function
 * that issues tokens, back through the edge (classify) and decodeContinuation,
 * and comes out equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVERYTHING, WATERMARK_SOURCES, watermarkAfter, type ResolvedWatermark } from '../../src/decide/watermark';
import { continuationFor } from '../../src/engine/sweep';
import { InvalidContinuationError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { ACCEPTED_EVENT_TYPES, BUCKET_EVENT_TYPES, KEY_ROTATION_BEGIN_TYPES, KEY_ROTATION_END_TYPES, OBJECT_EVENT_TYPES } from '../../src/input/event-types';
import type { ReencryptRequest } from '../../src/input/types';
import { PAGE_LIMIT } from '../../src/oci/object-storage';
import { decodeContinuation, encodeContinuation, type ContinuationState, type PendingBucket } from '../../src/sweep/continuation';
import { SWEEP_TRIGGERS, sweepTriggerOf } from '../../src/sweep/sweep-trigger';
import { bucketEvent, KEY, keyEvent, objectEvent } from '../support/events';
import { fcParams } from '../support/fast-check';

/** One request of every kind the edge produces: every event type, every manual scope. */
const EVERY_REQUEST: readonly [string, ReencryptRequest][] = [
  ...[...KEY_ROTATION_END_TYPES, ...KEY_ROTATION_BEGIN_TYPES].map((eventType): [string, ReencryptRequest] => [eventType, classify(keyEvent({ eventType }))]),
  ...BUCKET_EVENT_TYPES.map((eventType): [string, ReencryptRequest] => [eventType, classify(bucketEvent())]),
  ...OBJECT_EVENT_TYPES.map((eventType): [string, ReencryptRequest] => [eventType, classify(objectEvent({ eventType }))]),
  ['manual bucket', classify({ bucketName: 'b', prefix: 'p/' })],
  ['manual key', classify({ kmsKeyId: KEY })],
  ['manual object', classify({ bucketName: 'b', objectName: 'o' })],
  ['manual continuation', classify({ continuation: 'abc' })],
];

it('the list of requests covers every accepted event type', () => {
  expect(new Set(EVERY_REQUEST.map(([, r]) => ('eventType' in r ? r.eventType : undefined)).filter(Boolean))).toEqual(new Set(ACCEPTED_EVENT_TYPES));
});

/** Object names and page tokens as OCI may return them: any UTF-16 text, control characters included. */
const anyText = (maxLength: number) => fc.string({ unit: 'binary', minLength: 1, maxLength });
const noControl = (maxLength: number) => anyText(maxLength).filter((s) => !/[\u0000-\u001f\u007f]/.test(s));

const bucketName = fc.stringMatching(/^[A-Za-z0-9._-]{1,256}$/);
const position = fc.oneof(
  fc.record({ start: fc.option(anyText(1024), { nil: undefined }) }).map(({ start }) => ({ ...(start !== undefined && { start }), offset: 0 })),
  fc.record({
    start: fc.option(anyText(1024), { nil: undefined }),
    offset: fc.integer({ min: 1, max: PAGE_LIMIT }),
    name: anyText(1024),
    versionId: fc.option(anyText(300), { nil: undefined }),
  }).map(({ start, offset, name, versionId }) => ({
    ...(start !== undefined && { start }), offset, anchor: { name, ...(versionId !== undefined && { versionId }) },
  })),
);
const pendingBucket: fc.Arbitrary<PendingBucket> = fc.record({
  name: bucketName, prefix: fc.option(noControl(1024), { nil: undefined }), position,
}).map(({ name, prefix, position: p }) => ({ name, ...(prefix !== undefined && { prefix }), position: p }));

/** Watermarks the function can compute: any instant the edge accepts, plus up to the largest configurable clock skew. */
const watermark: fc.Arbitrary<ResolvedWatermark> = fc.oneof(
  fc.constant(EVERYTHING),
  fc.record({
    at: fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date(Date.UTC(9999, 0, 1) - 1), noInvalidDate: true }),
    skewMs: fc.integer({ min: 0, max: 3600 }).map((s) => s * 1000),
    source: fc.constantFrom(...WATERMARK_SOURCES.filter((s) => s !== 'force')),
  }).map(({ at, skewMs, source }) => watermarkAfter(at, skewMs, source)),
);

describe.each(EVERY_REQUEST)('continuations of a %s request', (_name, request) => {
  const trigger = sweepTriggerOf(request);

  it(trigger ? `are accepted and round-trip (trigger ${trigger})` : 'are never issued (the request does not sweep)', () => {
    if (!trigger) {
      expect(request.kind === 'object-event' || (request.kind === 'manual' && ['object', 'continuation'].includes(request.scope.type))).toBe(true);
      return;
    }
    expect(SWEEP_TRIGGERS).toContain(trigger);
    fc.assert(fc.property(
      fc.stringMatching(/^[a-z0-9-]{1,64}$/), fc.boolean(), watermark, fc.array(pendingBucket, { minLength: 1, maxLength: 6 }),
      (namespace, dryRun, w, buckets) => {
        const { token, left } = continuationFor({ trigger, namespace, dryRun, watermark: w }, buckets);
        expect(left).toEqual([]);
        if (token === undefined) throw new Error('no token issued');
        const atEdge = classify({ continuation: token });
        expect(atEdge).toMatchObject({ kind: 'manual', scope: { type: 'continuation', token } });
        const state = decodeContinuation(token);
        // Buckets under way first, the order otherwise kept.
        const started = (b: PendingBucket) => b.position.offset > 0 || b.position.start !== undefined;
        expect(state).toEqual({
          v: 1, trigger, namespace, dryRun, before: w.watermark.type === 'before' ? w.watermark.at.toISOString() : null, watermarkSource: w.source,
          buckets: [...buckets.filter(started), ...buckets.filter((b) => !started(b))],
        });
        // The resumed run carries the same trigger, so its own continuation is accepted too.
        expect(decodeContinuation(continuationFor({ trigger: state.trigger, namespace, dryRun, watermark: w }, state.buckets).token!)).toEqual(state);
      },
    ), fcParams(trigger.startsWith('rotation:') ? 60 : 100));
  });
});

describe('a run with more pending buckets than one continuation holds', () => {
  it('issues a token the edge accepts, buckets under way first, and hands back the rest (none lost)', () => {
    const longName = fc.stringMatching(/^[A-Za-z0-9._-]{200,256}$/);
    fc.assert(fc.property(
      fc.array(fc.record({ name: longName, started: fc.boolean() }), { minLength: 1000, maxLength: 1400 }),
      (entries) => {
        const pending: PendingBucket[] = entries.map(({ name, started }, i) => ({
          name, position: started ? { start: `${name}/object-${i}`, offset: i % PAGE_LIMIT } : { offset: 0 },
        }));
        const { token, left } = continuationFor({ trigger: 'manual:key', namespace: 'ns', dryRun: false, watermark: EVERYTHING }, pending);
        expect(left.length).toBeGreaterThan(0);
        if (token === undefined) throw new Error('no token issued');
        expect(classify({ continuation: token })).toMatchObject({ kind: 'manual', scope: { type: 'continuation' } });
        const carried = decodeContinuation(token).buckets;
        expect([...carried, ...left].map((b) => b.name).sort()).toEqual(pending.map((b) => b.name).sort());
        const startedCount = pending.filter((b) => b.position.offset > 0 || b.position.start !== undefined).length;
        expect(carried.slice(0, Math.min(startedCount, carried.length)).every((b) => b.position.start !== undefined)).toBe(true);
      },
    ), fcParams(5, {}, 50));
  });
});

describe('a continuation the function did not issue', () => {
  it('any text is refused with InvalidInput on the continuation field, or is a valid state', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.base64String(), fc.string({ unit: 'binary' })), (text) => {
      try {
        decodeContinuation(text);
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidContinuationError);
        expect((err as InvalidContinuationError).details[0]?.field).toBe('continuation');
      }
    }), fcParams(500));
  });

  it('a correctly signed but arbitrary state is refused unless the schema accepts all of it', () => {
    const base: ContinuationState = { v: 1, trigger: 'manual:bucket', namespace: 'ns', dryRun: false, before: null, watermarkSource: 'force', buckets: [{ name: 'b', position: { offset: 0 } }] };
    const key = fc.constantFrom('v', 'trigger', 'namespace', 'dryRun', 'before', 'watermarkSource', 'buckets', '__proto__', 'constructor', 'extra');
    fc.assert(fc.property(key, fc.jsonValue(), (k, value) => {
      const edited = JSON.parse(JSON.stringify({ ...base })) as Record<string, unknown>;
      Object.defineProperty(edited, k, { value, enumerable: true, configurable: true, writable: true });
      let decoded: ContinuationState | undefined;
      try {
        decoded = decodeContinuation(encodeContinuation(edited as unknown as ContinuationState));
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidContinuationError);
      }
      if (decoded) expect(SWEEP_TRIGGERS).toContain(decoded.trigger);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), fcParams(300));
  });
});
