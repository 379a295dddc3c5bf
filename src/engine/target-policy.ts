/**
 * Which targets a manual request may make the function use.
 *
 * Whoever may invoke the function acts with the function's identity, which
 * reaches further than theirs. Re-encrypting objects under a key the caller
 * controls (then disabling it), or under an SSE-C key only the caller holds,
 * locks the owner out. So a manual request may name a Vault key only when it
 * is the bucket's own current key or allowlisted, and an SSE-C secret (target
 * or source) only when allowlisted; everything else is refused before any
 * secret is read or any object written. Sweeps (bucket, prefix, every bucket
 * that uses a key, continuations) and object events name no target: each
 * bucket is re-encrypted under its own key, with no list needed.
 */
import type { FieldProblem } from '../errors';

/** The targets a manual single-object request names; an empty string counts as not named. */
export interface RequestedTargets {
  readonly kmsKeyId?: string;
  readonly sseCustomerKeySecretId?: string;
  readonly sourceSseCustomerKeySecretId?: string;
}

export interface TargetAllowlists {
  /** REENCRYPT_ALLOWED_KMS_KEY_IDS */
  readonly kmsKeyIds: readonly string[];
  /** REENCRYPT_ALLOWED_SSE_C_SECRET_IDS */
  readonly sseCustomerKeySecretIds: readonly string[];
}

/** Why one named target was allowed, or that it was not. */
export const TargetBasis = {
  bucketKey: 'bucket-key',
  allowlisted: 'allowlisted',
  refused: 'refused',
} as const;
export type TargetBasis = (typeof TargetBasis)[keyof typeof TargetBasis];

export interface TargetVerdict {
  readonly allowed: boolean;
  /** One entry per target the request names, for the audit line. */
  readonly basis: { readonly [field in keyof RequestedTargets]?: TargetBasis };
  /** What was refused, naming the field; empty when allowed. */
  readonly refusals: readonly FieldProblem[];
}

const SECRET_FIELDS = ['sseCustomerKeySecretId', 'sourceSseCustomerKeySecretId'] as const;

/**
 * Judges a manual request's targets against the bucket's current key (as read
 * from OCI with GetBucket; undefined for an Oracle-managed key or a bucket that
 * does not exist) and the allowlists. Pure: the same inputs, the same verdict.
 */
export function judgeTargets(
  requested: RequestedTargets, bucketKmsKeyId: string | undefined, allow: TargetAllowlists,
): TargetVerdict {
  const basis: { -readonly [field in keyof RequestedTargets]?: TargetBasis } = {};
  const refusals: FieldProblem[] = [];
  const keyId = requested.kmsKeyId;
  if (keyId) {
    if (bucketKmsKeyId !== undefined && keyId === bucketKmsKeyId) basis.kmsKeyId = TargetBasis.bucketKey;
    else if (allow.kmsKeyIds.includes(keyId)) basis.kmsKeyId = TargetBasis.allowlisted;
    else {
      basis.kmsKeyId = TargetBasis.refused;
      refusals.push({
        field: 'kmsKeyId',
        problem: `is not the bucket's current key (${bucketKmsKeyId ?? 'none: Oracle-managed or no such bucket'}) and not in REENCRYPT_ALLOWED_KMS_KEY_IDS`,
      });
    }
  }
  for (const field of SECRET_FIELDS) {
    const secretId = requested[field];
    if (!secretId) continue;
    if (allow.sseCustomerKeySecretIds.includes(secretId)) basis[field] = TargetBasis.allowlisted;
    else {
      basis[field] = TargetBasis.refused;
      refusals.push({ field, problem: 'is not in REENCRYPT_ALLOWED_SSE_C_SECRET_IDS' });
    }
  }
  return { allowed: refusals.length === 0, basis, refusals };
}
