import type { Assumptions } from '../../emulator/src/assumptions';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import { pause } from './live-check-events';

/**
 * A9 and A10: ReencryptBucket on live-check's scratch bucket, each work
 * request followed to its end (a bounded wait).
 */
export interface WaitOptions {
  readonly until: number;
  readonly pollMs: number;
  readonly signal: AbortSignal;
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'CANCELED']);

/** ReencryptBucket, then its work request to the end: `COMPLETED`, `FAILED (code, ...)`, or the call's own `status code` when refused. */
export async function reencryptBucketOutcome(oci: Oci, namespaceName: string, bucketName: string, wait: WaitOptions): Promise<string> {
  let workRequestId: string | undefined;
  try {
    workRequestId = (await oci.call('ReencryptBucket', () => oci.objectStorage.reencryptBucket({ namespaceName, bucketName }))).opcWorkRequestId;
  } catch (err) {
    if (err instanceof OciCallError && err.failure.status !== undefined) return `${err.failure.status} ${err.failure.serviceCode ?? ''}`.trim();
    throw err;
  }
  if (!workRequestId) throw new Error('ReencryptBucket answered without an opc-work-request-id');
  const id = workRequestId;
  for (;;) {
    const { workRequest } = await oci.call('GetWorkRequest', () => oci.objectStorage.getWorkRequest({ workRequestId: id }));
    const status = String(workRequest.status);
    if (TERMINAL.has(status)) {
      if (status === 'COMPLETED') return 'work request COMPLETED';
      const errors = await oci.call('ListWorkRequestErrors', () => oci.objectStorage.listWorkRequestErrors({ workRequestId: id }));
      const codes = [...new Set(errors.items.map((e) => e.code ?? '?'))];
      return `work request ${status}${codes.length ? ` (${codes.join(', ')})` : ''}`;
    }
    if (wait.signal.aborted) throw new Error('interrupted');
    if (Date.now() >= wait.until) return `work request still ${status} after the wait (--wait)`;
    await pause(wait.pollMs, wait.signal);
  }
}

/** A9: what the emulator answers ReencryptBucket on a bucket without kmsKeyId. */
export const expectedWithoutKey = (a: Assumptions): string => `${a.reencryptBucketWithoutKmsKey.status} ${a.reencryptBucketWithoutKmsKey.code}`;

/**
 * A10, in what the API shows: the work request's end, and whether the SSE-C
 * object still needs its customer key (HeadObject without SSE-C headers
 * answers as before) or no longer does (it was re-encrypted under the bucket's
 * key). Archived versions show nothing through the API but the work request's end.
 */
export function sseCAfter(headBefore: string, headAfter: string): string {
  if (headBefore === headAfter) return 'SSE-C version still needs its key';
  if (headAfter === '200') return 'SSE-C version no longer needs its key';
  return `SSE-C version: HeadObject without its key answered ${headBefore}, then ${headAfter}`;
}

export const expectedBucketReencrypt = (a: Assumptions): string =>
  `work request COMPLETED; SSE-C version ${a.reencryptBucketSkipsSseCAndArchived ? 'still needs' : 'no longer needs'} its key`;
