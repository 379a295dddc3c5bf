import { SingleBar } from 'cli-progress';
import type { ProgressSink } from '../engine/context';
import type { BucketTally } from '../report/report';

/** Sums of the live bucket tallies: what a progress line shows. */
export interface ProgressSnapshot {
  readonly buckets: number;
  /** Versions handled (re-encrypted, planned, skipped or failed). */
  readonly done: number;
  readonly reencrypted: number;
  readonly planned: number;
  readonly failed: number;
  readonly skipped: number;
  /** Sum of the started buckets' approximateCount, once known (objects, not versions: an estimate). */
  readonly estimatedTotal: number | undefined;
}

/**
 * Collects the tallies the engine starts (their `live` counts move as items
 * finish; the exact counts only per listing page) and, for the ETA, each
 * bucket's approximate object count (looked up by `estimate`, off the sweep's path).
 */
export class ProgressWatcher implements ProgressSink {
  private readonly tallies: BucketTally[] = [];
  private readonly estimates: number[] = [];

  constructor(private readonly estimate?: (namespace: string, bucketName: string) => Promise<number | undefined>) {}

  bucketStarted(tally: BucketTally): void {
    this.tallies.push(tally);
    void this.estimate?.(tally.bucket.namespace, tally.bucket.name)
      .then((count) => { if (count !== undefined) this.estimates.push(count); })
      .catch(() => undefined); // only an estimate: a failed lookup leaves the ETA unknown
  }

  snapshot(): ProgressSnapshot {
    let done = 0; let reencrypted = 0; let planned = 0; let failed = 0; let skipped = 0;
    for (const { live } of this.tallies) {
      done += live.handled; reencrypted += live.reencrypted; planned += live.planned; failed += live.failed; skipped += live.skipped;
    }
    const estimatedTotal = this.estimates.length > 0 ? this.estimates.reduce((a, b) => a + b, 0) : undefined;
    return { buckets: this.tallies.length, done, reencrypted, planned, failed, skipped, estimatedTotal };
  }
}

export interface DisplayOptions {
  /** A terminal gets a bar redrawn in place; anything else gets a line every `intervalMs`. */
  readonly tty: boolean;
  readonly intervalMs: number;
  readonly stream: NodeJS.WritableStream;
}

/** Rate (versions/s) and ETA (s) from a snapshot; the ETA only when a total is known. */
export function rateAndEta(s: ProgressSnapshot, elapsedMs: number): { rate: number; etaSeconds: number | undefined } {
  const rate = elapsedMs > 0 ? (s.done * 1000) / elapsedMs : 0;
  const total = s.estimatedTotal;
  const etaSeconds = total !== undefined && rate > 0 ? Math.max(0, Math.round((total - s.done) / rate)) : undefined;
  return { rate, etaSeconds };
}

export function progressLine(s: ProgressSnapshot, elapsedMs: number): string {
  const { rate, etaSeconds } = rateAndEta(s, elapsedMs);
  const of = s.estimatedTotal !== undefined ? ` of ~${s.estimatedTotal}` : '';
  return `progress: ${s.done}${of} versions in ${s.buckets} bucket(s), ${rate.toFixed(1)}/s, ETA ${etaSeconds === undefined ? 'unknown' : `${etaSeconds}s`}`
    + ` | reencrypted=${s.reencrypted} planned=${s.planned} skipped=${s.skipped} failed=${s.failed}`;
}

/** Starts showing progress; the returned function stops it and prints a last line. */
export function showProgress(watcher: ProgressWatcher, options: DisplayOptions): () => void {
  const startedAt = Date.now();
  if (!options.tty) {
    const timer = setInterval(() => options.stream.write(`${progressLine(watcher.snapshot(), Date.now() - startedAt)}\n`), options.intervalMs);
    return () => {
      clearInterval(timer);
      options.stream.write(`${progressLine(watcher.snapshot(), Date.now() - startedAt)}\n`);
    };
  }
  const bar = new SingleBar({
    stream: options.stream,
    format: '{bar} {value}/{totalText} versions | {rate}/s | ETA {etaText} | re-encrypted {reencrypted} planned {planned} skipped {skipped} failed {failed}',
    hideCursor: true,
    fps: 5,
  });
  const payload = () => {
    const s = watcher.snapshot();
    const { rate, etaSeconds } = rateAndEta(s, Date.now() - startedAt);
    return {
      s,
      fields: {
        totalText: s.estimatedTotal === undefined ? '?' : `~${s.estimatedTotal}`, rate: rate.toFixed(1),
        etaText: etaSeconds === undefined ? '?' : `${etaSeconds}s`,
        reencrypted: s.reencrypted, planned: s.planned, skipped: s.skipped, failed: s.failed,
      },
    };
  };
  const first = payload();
  bar.start(first.s.estimatedTotal ?? 0, first.s.done, first.fields);
  const timer = setInterval(() => {
    const { s, fields } = payload();
    bar.setTotal(Math.max(s.estimatedTotal ?? 0, s.done));
    bar.update(s.done, fields);
  }, 200);
  return () => {
    clearInterval(timer);
    const { s, fields } = payload();
    bar.setTotal(Math.max(s.estimatedTotal ?? 0, s.done));
    bar.update(s.done, fields);
    bar.stop();
  };
}
