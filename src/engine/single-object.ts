import { decideObject } from '../decide/decide-object';
import { OciCallError, objectSkipReason } from '../oci/errors';
import type { BucketFacts, SseCustomerKey } from '../oci/object-storage';
import { BucketTally, type BucketReport } from '../report/report';
import type { RunContext } from './context';

export interface SingleObject {
  readonly bucket: BucketFacts;
  readonly objectName: string;
  readonly versionId?: string;
  readonly archivalState?: string;
  /** Explicit targets of a manual request; none = the bucket's key. */
  readonly kmsKeyId?: string;
  readonly sseCustomerKey?: SseCustomerKey;
  readonly sourceSseCustomerKey?: SseCustomerKey;
}

/**
 * One object, re-encrypted whatever its age: the compliance hook (an upload
 * may have named another key) and the manual single-object request.
 */
export async function reencryptSingleObject(target: SingleObject, dryRun: boolean, ctx: RunContext): Promise<BucketReport> {
  const tally = new BucketTally(target.bucket, undefined, { maxFailures: ctx.config.maxFailuresReported, maxPlan: 1, dryRun });
  const decision = decideObject(
    { name: target.objectName, isDeleteMarker: false, ...(target.archivalState && { archivalState: target.archivalState }) },
    { hasTargetKey: Boolean(target.bucket.kmsKeyId || target.kmsKeyId || target.sseCustomerKey), watermark: { type: 'all' } },
  );
  tally.scanned = 1;
  const log = { bucket: target.bucket.name, object: target.objectName, versionId: target.versionId };
  if (decision.action === 'skip') {
    tally.skip(decision.reason);
    ctx.logger.debug('decision', { ...log, action: 'skip', reason: decision.reason });
    return tally.toReport(true);
  }
  if (dryRun) {
    tally.plannedVersion(target.objectName, target.versionId);
    return tally.toReport(true);
  }
  try {
    await ctx.objectStorage.reencryptObject({
      namespace: target.bucket.namespace, bucketName: target.bucket.name, objectName: target.objectName,
      ...(target.versionId && { versionId: target.versionId }),
      ...(target.kmsKeyId && { kmsKeyId: target.kmsKeyId }),
      ...(target.sseCustomerKey && { sseCustomerKey: target.sseCustomerKey }),
      ...(target.sourceSseCustomerKey && { sourceSseCustomerKey: target.sourceSseCustomerKey }),
    });
    tally.reencrypted = 1;
    ctx.logger.debug('decision', { ...log, action: 'reencrypt' });
    return tally.toReport(true);
  } catch (err) {
    if (!(err instanceof OciCallError)) throw err;
    const reason = objectSkipReason(err.failure);
    if (reason) tally.skip(reason);
    else tally.fail(target.objectName, target.versionId, err.failure);
    ctx.logger.debug('decision', { ...log, action: reason ? 'skip' : 'failed', reason, status: err.failure.status });
    // Out of time is not "done": the caller (or OCI Events' redelivery) can try again.
    return tally.toReport(!err.failure.outOfTime);
  }
}
