import { DEFAULT_ASSUMPTIONS, type Assumptions } from '../../emulator/src/assumptions';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import { A17_NOTE } from './live-check';
import { pause } from './live-check-events';
import type { ProbeKit } from './live-check-kit';

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

/** A10 on the scratch bucket as it is, then A9 once its key is removed; A17's row (never probed). */
export async function bucketProbes(k: ProbeKit): Promise<void> {
  const { step, probe, notRun, outcome, call, head, oci, o, bucket, ns, waitUntil } = k;
  const os = oci.objectStorage;
  const a = DEFAULT_ASSUMPTIONS;
  await step('A10: ReencryptBucket with SSE-C and archived versions, to the work request\'s end', async () => {
    const statusOnly = async () => (await outcome(() => head('sse-c.bin'))).split(' ')[0] as string;
    const before = await statusOnly();
    const end = await reencryptBucketOutcome(oci, ns, bucket, { until: waitUntil(), pollMs: o.pollMs, signal: o.signal });
    probe('A10', 'ReencryptBucket, bucket with SSE-C and archived versions', expectedBucketReencrypt(a), `${end}; ${sseCAfter(before, await statusOnly())}`);
  });
  await step('A9: ReencryptBucket on a bucket without kmsKeyId', async () => {
    // Documented: an empty kmsKeyId removes the bucket's key (Oracle-managed from then on).
    await call('UpdateBucket', () => os.updateBucket({ namespaceName: ns, bucketName: bucket, updateBucketDetails: { kmsKeyId: '' } }));
    probe('A9', 'ReencryptBucket, bucket without kmsKeyId', expectedWithoutKey(a),
      await reencryptBucketOutcome(oci, ns, bucket, { until: waitUntil(), pollMs: o.pollMs, signal: o.signal }));
  });
  notRun('A17', 'Functions invoke, handler failed / timed out', `${a.functionFailed.status} ${a.functionFailed.code} / ${a.functionTimedOut.status} ${a.functionTimedOut.code}`,
    'skipped', 'not probed', A17_NOTE);
}
