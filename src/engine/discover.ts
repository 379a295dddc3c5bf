import type { LimitFunction } from 'p-limit';
import type { BucketFacts, ObjectStorage } from '../oci/object-storage';
import { OciCallError } from '../oci/errors';

export interface Discovery {
  readonly buckets: BucketFacts[];
  readonly examined: number;
  /** Compartments or buckets that could not be read, said in words for the report. */
  readonly problems: string[];
}

/**
 * Finds the buckets whose kmsKeyId is `keyId`. ListBuckets summaries carry no
 * key, so every bucket of the compartments is read with GetBucket.
 */
export async function bucketsUsingKey(
  objectStorage: ObjectStorage, namespace: string, compartmentIds: readonly string[], keyId: string, limit: LimitFunction,
): Promise<Discovery> {
  const problems: string[] = [];
  const found: BucketFacts[] = [];
  let examined = 0;
  for (const compartmentId of compartmentIds) {
    let page: string | undefined;
    do {
      let names: string[];
      try {
        const r = await objectStorage.listBucketNames(namespace, compartmentId, page);
        names = r.names;
        page = r.next;
      } catch (err) {
        problems.push(`ListBuckets in ${compartmentId}: ${describe(err)}`);
        break;
      }
      examined += names.length;
      const buckets = await Promise.all(names.map((name) => limit(async () => {
        try {
          return await objectStorage.getBucket(namespace, name);
        } catch (err) {
          problems.push(`GetBucket ${name}: ${describe(err)}`);
          return undefined;
        }
      })));
      for (const b of buckets) if (b?.kmsKeyId === keyId) found.push(b);
    } while (page);
  }
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { buckets: found, examined, problems };
}

function describe(err: unknown): string {
  return err instanceof OciCallError ? `${err.failure.status ?? 'network'} ${err.failure.serviceCode ?? ''} ${err.failure.message}`.trim() : String(err);
}
