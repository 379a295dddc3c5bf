/**
 * Which way a bucket is re-encrypted: one ReencryptObject per version
 * (`objects`), or one ReencryptBucket work request for the whole bucket
 * (`bucket`). A pure function of what the request and the bucket say.
 *
 * ReencryptBucket (as OCI documents it) re-wraps every version of every object
 * created before the call with the newest version of the bucket's key, and
 * fails when the bucket has no kmsKeyId. So it can stand in for a sweep only
 * when the sweep means "the whole bucket, under its own key": never for a
 * prefix, a `before` chosen by the caller, a single object, or a bucket with
 * an Oracle-managed key. A dry run writes nothing: it only names what a real
 * run would use.
 */
export const Strategy = { objects: 'objects', bucket: 'bucket', auto: 'auto' } as const;
/** What a request or REENCRYPT_STRATEGY asks for. */
export type StrategyName = (typeof Strategy)[keyof typeof Strategy];

export const STRATEGY_NAMES: readonly StrategyName[] = Object.values(Strategy);

export interface StrategyInput {
  readonly requested: StrategyName;
  /** Where `requested` came from: said in the reason. */
  readonly source: 'request' | 'REENCRYPT_STRATEGY';
  readonly dryRun: boolean;
  /** The sweep covers only names with this prefix. */
  readonly prefix?: string | undefined;
  /** The sweep's watermark is a `before` the caller chose (not the key's rotation time, not force). */
  readonly explicitBefore: boolean;
  readonly singleObject: boolean;
  /** The bucket's Vault key; absent: an Oracle-managed key. */
  readonly kmsKeyId?: string | undefined;
  /** GetBucket's approximateCount; undefined when not known. */
  readonly approximateCount?: number | undefined;
  /** REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS. */
  readonly minObjects: number;
  /** A work request can be followed to its end only by a durable run (a state bucket). */
  readonly canFollowWorkRequests: boolean;
}

export type StrategyDecision =
  | { readonly kind: 'objects'; readonly reason: string }
  | { readonly kind: 'bucket'; readonly reason: string }
  /** A request asked for `bucket` and it cannot be done: an error for this bucket, not a silent fallback. */
  | { readonly kind: 'impossible'; readonly reason: string };

/** A dry run's decision: it lists versions (objects) and says what a real run would do. */
export interface DryRunDecision {
  readonly kind: 'objects';
  readonly reason: string;
  readonly wouldUse: StrategyDecision['kind'];
}

/** The first reason, if any, why ReencryptBucket cannot stand in for this sweep. */
function exclusion(input: StrategyInput): string | undefined {
  if (input.singleObject) return 'a single object is re-encrypted with ReencryptObject';
  if (input.prefix !== undefined) return `the sweep covers only the prefix '${input.prefix}', ReencryptBucket the whole bucket`;
  if (input.explicitBefore) return 'the sweep covers only versions before the requested time, ReencryptBucket every version created before the call';
  if (!input.kmsKeyId) return 'the bucket has no kmsKeyId (an Oracle-managed key): ReencryptBucket fails for such buckets';
  if (!input.canFollowWorkRequests) return 'a work request is followed across invocations, which needs REENCRYPT_STATE_BUCKET';
  return undefined;
}

/** The strategy for one bucket of a sweep, with the reason said in the report. */
export function chooseStrategy(input: StrategyInput): StrategyDecision | DryRunDecision {
  if (input.dryRun) {
    const real = chooseStrategy({ ...input, dryRun: false }) as StrategyDecision;
    return { kind: 'objects', wouldUse: real.kind, reason: `dry run (versions are listed, nothing is written); a real run: ${real.kind}, ${real.reason}` };
  }
  const asked = `strategy ${input.requested} (${input.source})`;
  if (input.requested === Strategy.objects) return { kind: 'objects', reason: asked };
  const excluded = exclusion(input);
  if (excluded !== undefined) {
    // A request that demands bucket gets an error; REENCRYPT_STRATEGY=bucket is a default, which falls back.
    return input.requested === Strategy.bucket && input.source === 'request'
      ? { kind: 'impossible', reason: `${asked} cannot be used: ${excluded}` }
      : { kind: 'objects', reason: `${asked}: ${excluded}` };
  }
  if (input.requested === Strategy.bucket) return { kind: 'bucket', reason: asked };
  const count = input.approximateCount;
  if (count === undefined || !Number.isFinite(count)) return { kind: 'objects', reason: `${asked}: the bucket's approximateCount is not known` };
  if (count < input.minObjects) {
    return { kind: 'objects', reason: `${asked}: about ${count} objects, fewer than REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS (${input.minObjects})` };
  }
  return { kind: 'bucket', reason: `${asked}: a whole-bucket sweep of about ${count} objects, at least REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS (${input.minObjects})` };
}

/** Strategies a decision needs GetBucket's approximateCount for. */
export function needsApproximateCount(requested: StrategyName): boolean {
  return requested === Strategy.auto;
}
