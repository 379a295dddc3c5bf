import { SkipReason } from '../decide/decide-object';
import type { CallFailure } from '../oci/errors';

export interface FailureEntry {
  readonly objectName: string;
  readonly versionId: string | null;
  readonly status: number | null;
  readonly serviceCode: string | null;
  readonly opcRequestId: string | null;
  readonly message: string;
}

export interface PlannedEntry {
  readonly objectName: string;
  readonly versionId: string | null;
}

export type SkipCounts = Record<SkipReason, number>;

export interface BucketReport {
  readonly namespace: string;
  readonly bucketName: string;
  readonly kmsKeyId: string | null;
  readonly versioned: boolean;
  readonly prefix: string | null;
  /** Object versions (and delete markers) looked at. */
  readonly scanned: number;
  readonly reencrypted: number;
  /** Dry run: versions that a real run would re-encrypt. */
  readonly planned: number;
  readonly skipped: SkipCounts;
  readonly failed: number;
  readonly failures: readonly FailureEntry[];
  readonly failuresTruncated: boolean;
  /** Dry run: the versions to re-encrypt, in listing order (capped; `planned` is exact). */
  readonly plan?: readonly PlannedEntry[];
  readonly planTruncated?: boolean;
  /** Every version in scope was handled; false means the continuation covers the rest. */
  readonly complete: boolean;
  /** Why the bucket could not be swept (GetBucket or listing failed), if so. */
  readonly error?: { readonly status: number | null; readonly serviceCode: string | null; readonly message: string; readonly opcRequestId: string | null };
  /** The whole bucket was skipped, with this reason (e.g. no Vault key). */
  readonly skippedBecause?: SkipReason;
  /** Durable runs: the strategy this bucket got (or, in a dry run, would get) and why. */
  readonly strategy?: StrategyReport;
  /**
   * The bucket strategy: the ReencryptBucket work request. OCI does not say how many
   * versions it re-encrypted, so `scanned` and `reencrypted` stay 0 for such a bucket.
   */
  readonly workRequest?: WorkRequestReport;
}

export interface StrategyReport {
  /** What ran: objects (ReencryptObject per version) or bucket (ReencryptBucket). */
  readonly used: 'objects' | 'bucket';
  readonly reason: string;
  /** A dry run: what a real run would use (`impossible`: strategy bucket was asked for and cannot be done). */
  readonly wouldUse?: 'objects' | 'bucket' | 'impossible';
}

/** A work request as a unit keeps it between invocations. */
export interface WorkRequestState {
  /** When ReencryptBucket was (about to be) called; set before the call, so a successor knows one may exist. */
  readonly requestedAt: string;
  /** ReencryptBucket calls made for this unit (more than 1 only when an invocation died between the call and saving its id). */
  readonly calls: number;
  readonly id?: string;
  readonly status?: string;
  readonly percentComplete?: number;
  readonly timeAccepted?: string;
  readonly timeStarted?: string;
  readonly timeFinished?: string;
  /** When its status or percentComplete last moved (the no-progress rule, work-request-progress.ts). */
  readonly lastMovedAt?: string;
  readonly errors?: readonly { readonly code: string; readonly message: string; readonly timestamp?: string }[];
  readonly errorsTruncated?: boolean;
}

export interface WorkRequestReport extends WorkRequestState {
  /** Always said: what ReencryptBucket may leave behind. */
  readonly caveat: string;
}

/** Said with every bucket-strategy entry: OCI does not document these cases (emulator assumption A10). */
export const BUCKET_STRATEGY_CAVEAT = 'OCI does not document what ReencryptBucket does with SSE-C objects and archived objects: '
  + 'such versions may keep their old key; sweep the bucket with strategy objects to re-encrypt them (and see them counted)';

export function emptySkips(): SkipCounts {
  return Object.fromEntries(Object.values(SkipReason).map((r) => [r, 0])) as SkipCounts;
}

/** Collects one bucket's outcomes as they happen; failures are capped but always counted. */
export class BucketTally {
  scanned = 0;
  reencrypted = 0;
  planned = 0;
  failed = 0;
  readonly skipped = emptySkips();
  /**
   * Items as they finish, before a page is committed: for progress displays
   * only. Unlike the counters above they may include items that a resumed run
   * redoes (see sweepBucket); reports never use them.
   */
  readonly live = { handled: 0, reencrypted: 0, planned: 0, skipped: 0, failed: 0 };
  private readonly failures: FailureEntry[] = [];
  private readonly plan: PlannedEntry[] = [];
  private planTruncated = false;
  error?: BucketReport['error'];
  skippedBecause?: SkipReason;

  constructor(
    readonly bucket: { readonly namespace: string; readonly name: string; readonly kmsKeyId?: string; readonly versioned: boolean },
    readonly prefix: string | undefined,
    private readonly limits: { readonly maxFailures: number; readonly maxPlan: number; readonly dryRun: boolean },
  ) {}

  skip(reason: SkipReason): void {
    this.skipped[reason] += 1;
  }

  plannedVersion(objectName: string, versionId: string | undefined): void {
    this.planned += 1;
    if (this.plan.length < this.limits.maxPlan) this.plan.push({ objectName, versionId: versionId ?? null });
    else this.planTruncated = true;
  }

  fail(objectName: string, versionId: string | undefined, failure: CallFailure): void {
    this.failed += 1;
    if (this.failures.length < this.limits.maxFailures) {
      this.failures.push({
        objectName, versionId: versionId ?? null, status: failure.status ?? null, serviceCode: failure.serviceCode ?? null,
        opcRequestId: failure.opcRequestId ?? null, message: failure.message.slice(0, 300),
      });
    }
  }

  toReport(complete: boolean): BucketReport {
    return {
      namespace: this.bucket.namespace, bucketName: this.bucket.name, kmsKeyId: this.bucket.kmsKeyId ?? null,
      versioned: this.bucket.versioned, prefix: this.prefix ?? null,
      scanned: this.scanned, reencrypted: this.reencrypted, planned: this.planned, skipped: { ...this.skipped },
      failed: this.failed, failures: [...this.failures], failuresTruncated: this.failed > this.failures.length,
      ...(this.limits.dryRun && { plan: [...this.plan], planTruncated: this.planTruncated }),
      complete,
      ...(this.error && { error: this.error }),
      ...(this.skippedBecause && { skippedBecause: this.skippedBecause }),
    };
  }
}

export interface Totals {
  readonly buckets: number;
  readonly scanned: number;
  readonly reencrypted: number;
  readonly planned: number;
  readonly skipped: SkipCounts;
  readonly failed: number;
  /**
   * Buckets re-encrypted by a ReencryptBucket work request that COMPLETED: their
   * versions are in no other counter (OCI does not report per-version counts).
   */
  readonly bucketsReencryptedByWorkRequest: number;
}

export function totalsOf(buckets: readonly BucketReport[]): Totals {
  const skipped = emptySkips();
  let scanned = 0; let reencrypted = 0; let planned = 0; let failed = 0; let byWorkRequest = 0;
  for (const b of buckets) {
    scanned += b.scanned; reencrypted += b.reencrypted; planned += b.planned; failed += b.failed;
    if (b.workRequest?.status === 'COMPLETED') byWorkRequest += 1;
    for (const r of Object.keys(skipped) as SkipReason[]) skipped[r] += b.skipped[r];
  }
  return { buckets: buckets.length, scanned, reencrypted, planned, skipped, failed, bucketsReencryptedByWorkRequest: byWorkRequest };
}
