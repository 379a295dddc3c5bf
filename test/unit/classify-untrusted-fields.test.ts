/**
 * Regression (issue 8, item 1): fields an event carries in places the function
 * does not read must never change the parsed request. The bucket-key-change
 * request used to spread `data.additionalDetails` over the parsed fields.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';
import { EventTypes } from '../../src/input/event-types';
import { asCloudEvents10, bucketEvent, KEY, keyEvent, objectEvent } from '../support/events';

type Json = Record<string, unknown>;
const OTHER_KEY = 'ocid1.key.oc1.phx.exampleaaacu2.aaaaaaaaotherkey';
const ENVELOPE_TIME = '2026-03-10T12:00:00.000Z';

/** The event with extra fields written into data.additionalDetails. */
function withDetails(event: Json, extra: Json): Json {
  const data = event.data as { additionalDetails: Json };
  return { ...event, data: { ...data, additionalDetails: { ...data.additionalDetails, ...extra } } };
}

describe.each([
  ['CloudEvents 0.1', (e: Json) => e],
  ['CloudEvents 1.0', asCloudEvents10],
])('classify ignores fields an event carries where they do not belong (%s)', (_envelope, envelope) => {
  const updateBucket = (extra: Json) => classify(envelope(withDetails(bucketEvent({ bucketName: 'b1', eventTime: ENVELOPE_TIME }), extra)));

  it('an eventTime in additionalDetails leaves the envelope time (it used to crash the sweep with InternalError)', () => {
    const request = updateBucket({ eventTime: '2020-01-01T00:00:00Z' });
    expect(request.kind).toBe('bucket-key-change');
    expect(request).toMatchObject({ eventTime: new Date(ENVELOPE_TIME) });
    expect((request as { eventTime: unknown }).eventTime).toBeInstanceOf(Date);
  });

  it('kind: manual in additionalDetails does not turn the event into a manual request', () => {
    expect(updateBucket({ kind: 'manual', scope: { type: 'bucket', bucketName: 'x' } })).toMatchObject({ kind: 'bucket-key-change', bucketName: 'b1' });
  });

  it('kind: key-rotation and a keyId do not turn updatebucket into a rotation of another key', () => {
    const request = updateBucket({ kind: 'key-rotation', phase: 'end', keyId: OTHER_KEY });
    expect(request.kind).toBe('bucket-key-change');
    expect(request).not.toHaveProperty('keyId');
    expect(request).not.toHaveProperty('phase');
  });

  it('an eventType in additionalDetails does not replace the event type', () => {
    expect(updateBucket({ eventType: EventTypes.createKeyVersionEnd, eventId: 'forged' })).toMatchObject({
      kind: 'bucket-key-change', eventType: EventTypes.updateBucket,
    });
    expect((updateBucket({ eventId: 'forged' }) as { eventId: string }).eventId).not.toBe('forged');
  });

  it('the request has exactly the fields its kind defines', () => {
    // JSON.parse makes `__proto__` an own key, as a hostile body would.
    const request = updateBucket({ kind: 'manual', extra: 1, compartmentId: 'x', ...JSON.parse('{"__proto__": {"polluted": true}}') as Json });
    expect(Object.keys(request).sort()).toEqual(['bucketName', 'compartmentId', 'eventId', 'eventTime', 'eventType', 'kind', 'namespace']);
    expect(({} as Json).polluted).toBeUndefined();
  });

  it('fields injected into an object event do not change its request', () => {
    const request = classify(envelope(withDetails(objectEvent({ objectName: 'o', eventTime: ENVELOPE_TIME }), {
      kind: 'manual', objectName: 'other', eventTime: 'x', eventType: 'y', keyId: OTHER_KEY,
    })));
    expect(Object.keys(request).sort()).toEqual(['archivalState', 'bucketName', 'compartmentId', 'eventId', 'eventTime', 'eventType', 'kind', 'namespace', 'objectName']);
    expect(request).toMatchObject({ kind: 'object-event', objectName: 'o', eventTime: new Date(ENVELOPE_TIME) });
  });

  it('fields injected into a key event do not change its kind or time', () => {
    const request = classify(envelope(withDetails(keyEvent({ keyId: KEY, eventTime: ENVELOPE_TIME }), {
      kind: 'manual', eventTime: 'x', eventType: 'y', phase: 'begin', scope: {},
    })));
    expect(request).toMatchObject({ kind: 'key-rotation', phase: 'end', keyId: KEY, eventTime: new Date(ENVELOPE_TIME) });
  });
});

describe('classify refuses times it cannot represent, naming the field', () => {
  const problemsOf = (body: unknown) => {
    try {
      classify(body);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError);
      return (err as InvalidInputError).details.map((d) => d.field);
    }
    throw new Error('expected InvalidInputError');
  };

  it.each([
    ['a leap second in an event time', objectEvent({ eventTime: '2016-12-31T23:59:60Z' }), 'eventTime'],
    ['a leap second in a CloudEvents 1.0 time', asCloudEvents10(bucketEvent({ eventTime: '2016-12-31T23:59:60Z' })), 'time'],
    ['a leap second in before', { bucketName: 'b', before: '2016-12-31T23:59:60Z' }, 'before'],
    ['a time past year 9999 once in UTC', { bucketName: 'b', before: '9999-12-31T23:59:59-23:59' }, 'before'],
  ])('%s', (_what, body, field) => {
    expect(problemsOf(body)).toContain(field);
  });
});
