import type { Assumptions } from './assumptions';
import { ApiError } from './errors';

/** One metric object as PostMetricData received and accepted it. */
export interface PostedMetric {
  readonly namespace: string;
  readonly compartmentId: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly resourceGroup: string | undefined;
  readonly datapoints: readonly { readonly timestamp: Date; readonly value: number; readonly count: number }[];
  readonly postedAt: Date;
}

/**
 * Monitoring custom metrics, ingestion side (PostMetricData), with the rules
 * the API reference states: the namespace and name formats, oci_/oracle_
 * reserved, 1..20 dimensions, at most 50 unique metric streams per call,
 * timestamps less than two hours old and less than ten minutes ahead.
 */
export class MonitoringService {
  readonly posted: PostedMetric[] = [];

  constructor(private readonly assumptions: Assumptions) {}

  post(body: Record<string, unknown>, now = Date.now()): { failedMetricsCount: number; failedMetrics: { message: string; metricData: unknown }[] } {
    const metricData = body['metricData'];
    if (!Array.isArray(metricData) || metricData.length === 0) throw new ApiError(400, 'InvalidParameter', 'metricData must be a non-empty array');
    const atomicity = body['batchAtomicity'] ?? 'NON_ATOMIC';
    if (atomicity !== 'NON_ATOMIC' && atomicity !== 'ATOMIC') throw new ApiError(400, 'InvalidParameter', `Invalid batchAtomicity '${String(atomicity)}'`);
    const streams = new Set(metricData.map((m: unknown) => JSON.stringify(m && typeof m === 'object' ? [(m as Record<string, unknown>)['namespace'], (m as Record<string, unknown>)['name'], (m as Record<string, unknown>)['dimensions']] : m)));
    if (streams.size > 50) throw new ApiError(400, 'InvalidParameter', `A request can hold at most 50 unique metric streams; it has ${streams.size}`);
    const accepted: PostedMetric[] = [];
    const failedMetrics: { message: string; metricData: unknown }[] = [];
    for (const m of metricData as unknown[]) {
      const problem = problemOf(m, now);
      if (problem) failedMetrics.push({ message: problem, metricData: m });
      else accepted.push(toPosted(m as Record<string, unknown>, now));
    }
    if (accepted.length === 0 || (atomicity === 'ATOMIC' && failedMetrics.length > 0)) {
      throw ApiError.from(this.assumptions.postMetricDataRejected, `No metric object passed validation: ${failedMetrics[0]?.message ?? ''}`);
    }
    this.posted.push(...accepted);
    return { failedMetricsCount: failedMetrics.length, failedMetrics };
  }
}

const NAMESPACE = /^[A-Za-z][A-Za-z0-9_]*$/;
const NAME = /^[A-Za-z][A-Za-z0-9._$-]*$/;
const OCID = /^ocid1\.[a-z0-9_-]+\.[a-z0-9-]+\.[a-z0-9-]*\.[A-Za-z0-9._-]+$/;
const TWO_HOURS = 2 * 3600_000;
const TEN_MINUTES = 10 * 60_000;

function problemOf(m: unknown, now: number): string | undefined {
  if (!m || typeof m !== 'object') return 'metric object must be an object';
  const o = m as Record<string, unknown>;
  const ns = o['namespace'];
  if (typeof ns !== 'string' || !NAMESPACE.test(ns) || ns.length > 255) return `invalid namespace '${String(ns)}'`;
  if (/^(oci_|oracle_)/.test(ns)) return `namespace '${ns}' uses a reserved prefix`;
  if (typeof o['compartmentId'] !== 'string' || !OCID.test(o['compartmentId'])) return 'compartmentId must be an OCID';
  const name = o['name'];
  if (typeof name !== 'string' || !NAME.test(name) || name.length > 255) return `invalid metric name '${String(name)}'`;
  const dims = o['dimensions'];
  if (!dims || typeof dims !== 'object' || Array.isArray(dims)) return 'dimensions must be an object';
  const entries = Object.entries(dims as Record<string, unknown>);
  if (entries.length < 1 || entries.length > 20) return `a metric needs 1 to 20 dimensions; it has ${entries.length}`;
  for (const [k, v] of entries) {
    // "A valid dimension key includes only printable ASCII, excluding spaces" (256 characters); values 1..512 characters.
    if (typeof v !== 'string' || v.length === 0 || v.length > 512 || !/^[\x21-\x7e]{1,256}$/.test(k)) return `invalid dimension '${k}'`;
  }
  const points = o['datapoints'];
  if (!Array.isArray(points) || points.length === 0) return 'datapoints must be a non-empty array';
  for (const p of points as unknown[]) {
    const point = p as Record<string, unknown>;
    const t = typeof point?.['timestamp'] === 'string' ? Date.parse(point['timestamp'] as string) : NaN;
    if (Number.isNaN(t)) return 'datapoint timestamp must be an RFC 3339 date-time';
    if (t < now - TWO_HOURS || t > now + TEN_MINUTES) return 'datapoint timestamp must be less than two hours old and less than ten minutes ahead';
    if (typeof point['value'] !== 'number' || !Number.isFinite(point['value'])) return 'datapoint value must be a number';
    if (point['count'] !== undefined && !(typeof point['count'] === 'number' && point['count'] > 0)) return 'datapoint count must be greater than zero';
  }
  return undefined;
}

function toPosted(o: Record<string, unknown>, now: number): PostedMetric {
  return {
    namespace: o['namespace'] as string, compartmentId: o['compartmentId'] as string, name: o['name'] as string,
    dimensions: { ...(o['dimensions'] as Record<string, string>) },
    resourceGroup: typeof o['resourceGroup'] === 'string' ? o['resourceGroup'] : undefined,
    datapoints: (o['datapoints'] as Record<string, unknown>[]).map((p) => ({
      timestamp: new Date(p['timestamp'] as string), value: p['value'] as number, count: (p['count'] as number | undefined) ?? 1,
    })),
    postedAt: new Date(now),
  };
}
