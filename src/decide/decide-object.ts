/**
 * The rule the product stands on. OCI does not tell which key version wrapped
 * an object's data key, so the decision is a watermark: an object version
 * needs re-encryption when it was last written before the moment the bucket's
 * current key version took effect. Pure: no I/O, no clock.
 */
export const SkipReason = {
  compliant: 'compliant',
  oracleManagedKey: 'oracle-managed-key',
  sseCKeyRequired: 'sse-c-key-required',
  archived: 'archived',
  notFound: 'not-found',
  outOfScope: 'out-of-scope',
  deleteMarker: 'delete-marker',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

/** Versions last written before `at` are re-encrypted; `all` re-encrypts every version. */
export type Watermark = { readonly type: 'before'; readonly at: Date } | { readonly type: 'all' };

export interface ObjectFacts {
  readonly name: string;
  readonly isDeleteMarker: boolean;
  readonly timeCreated?: Date;
  readonly timeModified?: Date;
  readonly storageTier?: string;
  readonly archivalState?: string;
}

export interface DecisionContext {
  /** A Vault key protects the target: the bucket's kmsKeyId, or one the request names (Vault or SSE-C). */
  readonly hasTargetKey: boolean;
  readonly watermark: Watermark;
  readonly prefix?: string;
}

export type Decision = { readonly action: 'reencrypt' } | { readonly action: 'skip'; readonly reason: SkipReason };

const REENCRYPT: Decision = { action: 'reencrypt' };
const skip = (reason: SkipReason): Decision => ({ action: 'skip', reason });

/** Archived data must be restored before OCI can rewrite its key; `Restored` copies can be. */
const NOT_READABLE = new Set(['Archived', 'Restoring']);

export function decideObject(object: ObjectFacts, context: DecisionContext): Decision {
  if (object.isDeleteMarker) return skip(SkipReason.deleteMarker);
  if (!context.hasTargetKey) return skip(SkipReason.oracleManagedKey);
  if (context.prefix !== undefined && !object.name.startsWith(context.prefix)) return skip(SkipReason.outOfScope);
  if (object.archivalState !== undefined && NOT_READABLE.has(object.archivalState)) return skip(SkipReason.archived);
  if (context.watermark.type === 'all') return REENCRYPT;
  // Re-encryption does not change when a version was written (emulator assumption A5):
  // timeModified is the last write, timeCreated the fallback. Unknown age: re-encrypt (the safe side).
  const lastWritten = object.timeModified ?? object.timeCreated;
  if (lastWritten === undefined) return REENCRYPT;
  return lastWritten.getTime() < context.watermark.at.getTime() ? REENCRYPT : skip(SkipReason.compliant);
}
