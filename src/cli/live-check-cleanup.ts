import { OciCallError } from '../oci/errors';
import type { Oci } from '../oci/clients';
import type { Cleanup } from './live-check';
import type { EventClients } from './live-check-events';

/** What live-check created, as far as it got. */
export interface Created {
  bucket: boolean;
  streamId: string | undefined;
  ruleIds: string[];
}

/**
 * Rules first (nothing more is delivered), then the stream, then every object
 * version (delete markers included) and the bucket. Not interruptible: it is
 * the point of stopping cleanly. A rule or stream already gone (404) counts as
 * deleted; whatever could not be deleted is named in `leftBehind`.
 */
export async function removeEverything(oci: Oci, ev: EventClients, ns: string, bucket: string, created: Created, say: (line: string) => void): Promise<Cleanup> {
  const leftBehind: string[] = [];
  const errors: string[] = [];
  const gone = async (operation: string, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await oci.call(operation, fn);
      return true;
    } catch (err) {
      if (err instanceof OciCallError && err.failure.status === 404) return true;
      errors.push(err instanceof Error ? err.message : String(err));
      return false;
    }
  };
  let rulesDeleted = 0;
  for (const ruleId of created.ruleIds) {
    say(`live-check: delete the temporary Events rule ${ruleId}`);
    if (await gone('DeleteRule', () => ev.events.deleteRule({ ruleId }))) rulesDeleted += 1;
    else leftBehind.push(`Events rule ${ruleId}`);
  }
  let streamDeleted = created.streamId === undefined;
  if (created.streamId !== undefined) {
    const streamId = created.streamId;
    say(`live-check: delete the temporary stream ${streamId}`);
    streamDeleted = await gone('DeleteStream', () => ev.streamAdmin.deleteStream({ streamId }));
    if (!streamDeleted) leftBehind.push(`stream ${streamId}`);
  }
  const b = created.bucket ? await deleteScratchBucket(oci, ns, bucket, say) : { versionsDeleted: 0, bucketDeleted: false };
  if (b.error !== undefined) {
    errors.push(b.error);
    leftBehind.push(`bucket ${bucket} and its object versions`);
  }
  return {
    versionsDeleted: b.versionsDeleted, bucketDeleted: b.bucketDeleted, rulesDeleted, streamDeleted, leftBehind,
    ...(errors.length > 0 && { error: errors.join('; ') }),
  };
}

/** Every version (delete markers included), then the bucket. */
async function deleteScratchBucket(oci: Oci, ns: string, bucket: string, say: (line: string) => void): Promise<{ versionsDeleted: number; bucketDeleted: boolean; error?: string }> {
  const os = oci.objectStorage;
  let versionsDeleted = 0;
  say(`live-check: delete the scratch bucket ${bucket}`);
  try {
    let page: string | undefined;
    do {
      const r = await oci.call('ListObjectVersions', () => os.listObjectVersions({ namespaceName: ns, bucketName: bucket, ...(page && { page }) }));
      for (const v of r.objectVersionCollection.items) {
        await oci.call('DeleteObject', () => os.deleteObject({ namespaceName: ns, bucketName: bucket, objectName: v.name, ...(v.versionId && { versionId: v.versionId }) }));
        versionsDeleted += 1;
      }
      page = r.opcNextPage;
    } while (page);
    await oci.call('DeleteBucket', () => os.deleteBucket({ namespaceName: ns, bucketName: bucket }));
    return { versionsDeleted, bucketDeleted: true };
  } catch (err) {
    return { versionsDeleted, bucketDeleted: false, error: err instanceof Error ? err.message : String(err) };
  }
}
