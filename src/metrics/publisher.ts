import type { models } from 'oci-monitoring';
import type { Logger } from '../log';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import type { Combine, MetricPoint } from './run-metrics';

/** PostMetricData takes at most 50 unique metric streams per call (OCI API reference). */
export const MAX_STREAMS_PER_CALL = 50;
/**
 * The most streams the container keeps unposted (20 calls' worth). Streams are per bucket, and
 * an object event names its bucket: while PostMetricData fails, events about ever more buckets
 * would otherwise grow the buffer for the life of the container.
 */
export const MAX_BUFFERED_STREAMS = 1000;
/** Single-object runs are flushed once their oldest unposted point is this old (or 50 streams are waiting). */
export const FLUSH_AFTER_MS = 60_000;

interface Series {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  value: number;
  readonly combine: Combine;
  readonly since: number;
}

/**
 * Points not yet posted, one entry per stream (name and dimensions). One
 * buffer per container: object events, one invocation each, add up here and
 * are posted together rather than with one call per object.
 */
export class MetricBuffer {
  private readonly series = new Map<string, Series>();
  /** Streams let go since the last `takeDropped`, to keep the buffer at MAX_BUFFERED_STREAMS. */
  private dropped = 0;

  add(points: readonly MetricPoint[], now = Date.now()): void {
    for (const p of points) {
      const key = JSON.stringify([p.name, Object.entries(p.dimensions).sort(([a], [b]) => a.localeCompare(b))]);
      const current = this.series.get(key);
      if (current) {
        current.value = current.combine === 'sum' ? current.value + p.value : Math.max(current.value, p.value);
        continue;
      }
      if (this.series.size >= MAX_BUFFERED_STREAMS) {
        // The stream added first goes (a Map iterates in insertion order).
        this.series.delete(this.series.keys().next().value as string);
        this.dropped += 1;
      }
      this.series.set(key, { ...p, since: now });
    }
  }

  /** How many streams were let go since the last call. */
  takeDropped(): number {
    const dropped = this.dropped;
    this.dropped = 0;
    return dropped;
  }

  get size(): number {
    return this.series.size;
  }

  /** True when a flush is due for single-object runs. */
  due(now = Date.now()): boolean {
    if (this.series.size >= MAX_STREAMS_PER_CALL) return true;
    for (const s of this.series.values()) if (now - s.since >= FLUSH_AFTER_MS) return true;
    return false;
  }

  /** Takes everything out; `putBack` returns what could not be posted. */
  drain(): Series[] {
    const all = [...this.series.values()];
    this.series.clear();
    return all;
  }

  putBack(series: readonly Series[]): void {
    for (const s of series) this.add([s], s.since);
  }
}

/** The container's buffer. */
export const containerMetrics = new MetricBuffer();

export interface PostTarget {
  readonly namespace: string;
  readonly compartmentId: string;
}

/**
 * Posts the buffer in calls of at most 50 streams, each stream one point
 * stamped now (OCI takes points up to two hours old; a buffer held over an
 * idle container could be older). Never throws: metrics must not fail a run.
 * What could not be posted is kept for the next flush.
 */
export async function flushMetrics(buffer: MetricBuffer, oci: Oci, target: PostTarget, logger: Logger, hardStopAt: number): Promise<void> {
  const client = oci.monitoring;
  if (!client || buffer.size === 0) return;
  // Loaded with the client, not at start: most containers never post metrics (clients.ts).
  const { NonAtomic } = (require('oci-monitoring') as typeof import('oci-monitoring')).models.PostMetricDataDetails.BatchAtomicity;
  const dropped = buffer.takeDropped();
  if (dropped > 0) logger.warn('metrics dropped: too many streams waiting to be posted', { streams: dropped, kept: MAX_BUFFERED_STREAMS });
  const series = buffer.drain();
  const timestamp = new Date();
  for (let i = 0; i < series.length; i += MAX_STREAMS_PER_CALL) {
    const chunk = series.slice(i, i + MAX_STREAMS_PER_CALL);
    const metricData: models.MetricDataDetails[] = chunk.map((s) => ({
      namespace: target.namespace, compartmentId: target.compartmentId, name: s.name, dimensions: { ...s.dimensions },
      datapoints: [{ timestamp, value: s.value }],
    }));
    try {
      const r = await oci.call('PostMetricData', () => client.postMetricData({
        postMetricDataDetails: { metricData, batchAtomicity: NonAtomic },
      }), { hardStopAt });
      const failed = r.postMetricDataResponseDetails.failedMetrics ?? [];
      if (failed.length > 0) {
        // Refused as invalid: posting them again would fail again.
        logger.warn('metrics refused', { count: r.postMetricDataResponseDetails.failedMetricsCount, first: failed[0]?.message?.slice(0, 300) });
      }
    } catch (err) {
      if (!(err instanceof OciCallError)) throw err;
      buffer.putBack(series.slice(i));
      logger.warn('metrics not posted; kept for the next flush', { error: err.message, streams: series.length - i });
      return;
    }
  }
}
