import type { Watermark } from './decide-object';

/** Where a sweep's watermark came from, for the report (and the continuation, which checks it against this list). */
export const WATERMARK_SOURCES = ['key-version', 'event-time', 'request', 'force'] as const;
export type WatermarkSource = (typeof WATERMARK_SOURCES)[number];

export interface ResolvedWatermark {
  readonly watermark: Watermark;
  readonly source: WatermarkSource;
}

/**
 * A rotation (or key change) took effect at `effectiveAt`. Objects written
 * shortly after it may still carry the old version if clocks disagree, so the
 * watermark is moved later by the allowed clock skew: re-encrypting a few
 * extra objects is harmless, missing one is not.
 */
export function watermarkAfter(effectiveAt: Date, clockSkewMs: number, source: WatermarkSource): ResolvedWatermark {
  return { watermark: { type: 'before', at: new Date(effectiveAt.getTime() + clockSkewMs) }, source };
}

export const EVERYTHING: ResolvedWatermark = { watermark: { type: 'all' }, source: 'force' };

export function describeWatermark(w: ResolvedWatermark): { readonly before: string | null; readonly source: WatermarkSource } {
  return { before: w.watermark.type === 'before' ? w.watermark.at.toISOString() : null, source: w.source };
}
