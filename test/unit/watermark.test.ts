import { describe, expect, it } from 'vitest';
import { describeWatermark, EVERYTHING, watermarkAfter, type WatermarkSource } from '../../src/decide/watermark';

const EFFECTIVE = new Date('2026-03-10T12:00:00.000Z');

describe('watermarkAfter', () => {
  it.each<[number, string]>([
    [0, '2026-03-10T12:00:00.000Z'],
    [120_000, '2026-03-10T12:02:00.000Z'],
    [1, '2026-03-10T12:00:00.001Z'],
  ])('moves the watermark later by a clock skew of %i ms', (skew, expected) => {
    expect(watermarkAfter(EFFECTIVE, skew, 'event-time').watermark).toEqual({ type: 'before', at: new Date(expected) });
  });

  it.each<WatermarkSource>(['key-version', 'event-time', 'request', 'force'])('keeps the source %s', (source) => {
    expect(watermarkAfter(EFFECTIVE, 0, source).source).toBe(source);
  });

  it('does not change the date it was given', () => {
    const effectiveAt = new Date(EFFECTIVE);
    watermarkAfter(effectiveAt, 60_000, 'key-version');
    expect(effectiveAt).toEqual(EFFECTIVE);
  });
});

describe('describeWatermark', () => {
  it('reports a "before" watermark as an ISO time with its source', () => {
    expect(describeWatermark(watermarkAfter(EFFECTIVE, 120_000, 'key-version'))).toEqual({ before: '2026-03-10T12:02:00.000Z', source: 'key-version' });
  });

  it('reports "everything" as before: null, from force', () => {
    expect(describeWatermark(EVERYTHING)).toEqual({ before: null, source: 'force' });
  });
});
