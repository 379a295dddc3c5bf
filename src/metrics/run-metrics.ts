import type { ReencryptRequest } from '../input/types';
import type { BucketReport } from '../report/report';

/**
 * The custom metrics one run stands for: a pure function of its report.
 * Names and dimensions are documented in docs/operations.md ("Metrics"),
 * which the Terraform alarms query: change them together.
 */
export const MetricNames = {
  reencrypted: 'versions_reencrypted',
  failed: 'versions_failed',
  skipped: 'versions_skipped',
  duration: 'run_duration_seconds',
  unfinished: 'runs_unfinished',
  unfinishedAge: 'unfinished_run_age_seconds',
} as const;

/** How points of one series in a flush window combine: counts add up, gauges keep the largest. */
export type Combine = 'sum' | 'max';

export interface MetricPoint {
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly value: number;
  readonly combine: Combine;
}

/** What a run's metrics are computed from (a subset of the report). */
export interface RunSummary {
  readonly action: string;
  readonly dryRun: boolean;
  readonly complete: boolean;
  readonly elapsedMs: number;
  /** When the run's first invocation started (epoch ms); a resumed run is older than this invocation. */
  readonly runStartedAt: number;
  readonly buckets: readonly Pick<BucketReport, 'bucketName' | 'reencrypted' | 'failed' | 'skipped'>[];
}

/** Run-level metrics of a run over several buckets (or none) carry this bucket dimension. */
export const ALL_BUCKETS = '*';

/** The trigger dimension: the kind of request; a resumed run says `continuation`. */
export function triggerOf(request: ReencryptRequest): string {
  if (request.kind !== 'manual') return request.kind;
  return request.scope.type === 'continuation' ? 'continuation' : 'manual';
}

/** Dry runs change nothing and post nothing; nor do events that were only acknowledged or ignored. */
export function runMetrics(run: RunSummary, trigger: string, now = Date.now()): MetricPoint[] {
  if (run.dryRun || run.action === 'ignored' || run.action === 'acknowledged') return [];
  const points: MetricPoint[] = [];
  for (const b of run.buckets) {
    const dimensions = { bucket: b.bucketName, trigger };
    points.push({ name: MetricNames.reencrypted, dimensions, value: b.reencrypted, combine: 'sum' });
    points.push({ name: MetricNames.failed, dimensions, value: b.failed, combine: 'sum' });
    for (const [reason, count] of Object.entries(b.skipped)) {
      if (count > 0) points.push({ name: MetricNames.skipped, dimensions: { ...dimensions, reason }, value: count, combine: 'sum' });
    }
  }
  const only = run.buckets.length === 1 ? run.buckets[0]!.bucketName : ALL_BUCKETS;
  const runDimensions = { bucket: only, trigger };
  points.push({ name: MetricNames.duration, dimensions: runDimensions, value: run.elapsedMs / 1000, combine: 'max' });
  points.push({ name: MetricNames.unfinished, dimensions: runDimensions, value: run.complete ? 0 : 1, combine: 'max' });
  // How long the run has been going while unfinished (0 once done): "unfinished after N hours" alarms on this,
  // since an alarm's window and pending duration are at most an hour.
  points.push({ name: MetricNames.unfinishedAge, dimensions: runDimensions, value: run.complete ? 0 : Math.round((now - run.runStartedAt) / 1000), combine: 'max' });
  return points;
}
