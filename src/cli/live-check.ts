import { createHash, randomBytes } from 'node:crypto';
import { models, requests, type ObjectStorageClient } from 'oci-objectstorage';
import { DEFAULT_ASSUMPTIONS, type ErrorAnswer } from '../../emulator/src/assumptions';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';

/**
 * live-check, first slice: settles the Object Storage assumptions of the
 * emulator (emulator/README.md) in a real tenancy, on a scratch bucket it
 * creates and always deletes. Verdicts compare what OCI answered with what the
 * emulator does by default; never the other way round.
 * Not covered yet: the event-based assumptions (A6, A7, A8, A19: they need an
 * Events rule and a Stream), A9/A10 (ReencryptBucket) and A17 (Functions).
 */
export interface LiveCheckOptions {
  readonly namespace: string;
  readonly compartmentId: string;
  readonly keyId: string;
  /**
   * A client that signs as the SDK does by itself (DefaultRequestSigner, fetch), for A16: the
   * function's own signer signs the path it sends, so only the SDK's can show the difference.
   */
  readonly sdkObjectStorage: ObjectStorageClient;
  /** Stops the checks; cleanup still runs. */
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

export interface ProbeResult {
  readonly assumption: string;
  readonly behaviour: string;
  readonly emulator: string;
  readonly oci: string;
  readonly verdict: 'same' | 'differs';
}

export interface LiveCheckResult {
  readonly bucket: string;
  readonly probes: ProbeResult[];
  /** Set when the checks stopped early (interrupt, or a call the checks need failed). */
  readonly stoppedAt?: { readonly step: string; readonly error: string };
  readonly cleanup: { readonly versionsDeleted: number; readonly bucketDeleted: boolean; readonly error?: string };
}

/** What the scratch bucket holds: each object exists for one or more probes. */
export const SCRATCH_OBJECTS = [
  { name: 'plain.txt', why: 'two versions under the test key: timeModified and ETag after ReencryptObject (A5)' },
  { name: 'sse-c.bin', why: 'under a random customer key: ReencryptObject without the source key (A1)' },
  { name: 'archived.bin', why: 'storage tier Archive: ReencryptObject on an archived object (A4)' },
  { name: 'deleted.txt', why: 'deleted, leaving a delete marker: ReencryptObject on the marker (A12)' },
  { name: 'a b.txt', why: 'a space in the name: does `+` in a query string mean a space (A15)' },
  { name: 'sort/\u{E000}', why: 'with sort/\u{1F600}: code point or UTF-16 order in listings (A14)' },
  { name: 'sort/\u{1F600}', why: 'see sort/\u{E000}' },
  { name: "it's.txt", why: 'an apostrophe in the path: is the SDK\'s signature accepted (A16)' },
] as const;

export function scratchBucketName(): string {
  return `oci-reencrypt-live-check-${randomBytes(6).toString('hex')}`;
}

const answer = (a: ErrorAnswer | null, ok = '200 (limit clamped)'): string => (a === null ? ok : `${a.status} ${a.code}`);
/** A key OCID of the right shape that names no key (for A11). */
const NO_SUCH_KEY = 'ocid1.key.oc1.iad.aaaaaaaalivecheckdoesnotexistaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NO_SUCH_VAULT = 'ocid1.vault.oc1.iad.aaaaaaaalivecheckdoesnotexistaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const changed = (b: boolean): string => (b ? 'changed' : 'unchanged');

export async function liveCheck(oci: Oci, bucket: string, o: LiveCheckOptions): Promise<LiveCheckResult> {
  const os = oci.objectStorage;
  const ns = o.namespace;
  const probes: ProbeResult[] = [];
  let stoppedAt: LiveCheckResult['stoppedAt'];
  let created = false;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (o.signal.aborted) throw new StepError(name, 'interrupted');
    o.say(`live-check: ${name}`);
    try {
      return await fn();
    } catch (err) {
      throw new StepError(name, err instanceof Error ? err.message : String(err));
    }
  };
  const probe = (assumption: string, behaviour: string, emulator: string, observed: string) => {
    probes.push({ assumption, behaviour, emulator, oci: observed, verdict: observed === emulator ? 'same' : 'differs' });
  };
  /** The status and service code OCI answered a call with ("200" when it succeeded). */
  const outcome = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
      return '200';
    } catch (err) {
      if (err instanceof OciCallError && err.failure.status !== undefined) return `${err.failure.status} ${err.failure.serviceCode ?? ''}`.trim();
      throw err;
    }
  };
  const call = <T>(operation: string, fn: () => Promise<T>) => oci.call(operation, fn);
  const reencrypt = (objectName: string, versionId?: string) => call('ReencryptObject', () => os.reencryptObject({
    namespaceName: ns, bucketName: bucket, objectName, reencryptObjectDetails: {}, ...(versionId !== undefined && { versionId }),
  }));
  const head = (objectName: string) => call('HeadObject', () => os.headObject({ namespaceName: ns, bucketName: bucket, objectName }));

  try {
    await step('create the scratch bucket', () => call('CreateBucket', () => os.createBucket({
      namespaceName: ns,
      createBucketDetails: { name: bucket, compartmentId: o.compartmentId, kmsKeyId: o.keyId, versioning: models.CreateBucketDetails.Versioning.Enabled },
    })));
    created = true;
    const customerKey = randomBytes(32);
    const sseC = (key: Buffer) => ({ algorithm: models.SSECustomerKeyDetails.Algorithm.Aes256, key: key.toString('base64'), keySha256: createHash('sha256').update(key).digest('base64') });
    await step('write the scratch objects', async () => {
      const put = (objectName: string, extra: Partial<requests.PutObjectRequest> = {}) => call('PutObject', () => os.putObject({
        namespaceName: ns, bucketName: bucket, objectName, putObjectBody: 'live-check', contentLength: 10, ...extra,
      }));
      await put('plain.txt');
      await put('plain.txt');
      await put('sse-c.bin', {
        opcSseCustomerAlgorithm: 'AES256', opcSseCustomerKey: customerKey.toString('base64'),
        opcSseCustomerKeySha256: createHash('sha256').update(customerKey).digest('base64'),
      });
      await put('archived.bin', { storageTier: models.StorageTier.Archive });
      await put('deleted.txt');
      await call('DeleteObject', () => os.deleteObject({ namespaceName: ns, bucketName: bucket, objectName: 'deleted.txt' }));
      await put('a b.txt');
      await put('sort/\u{E000}');
      await put('sort/\u{1F600}');
    });
    const a = DEFAULT_ASSUMPTIONS;
    await step('A5: ReencryptObject on a plain object', async () => {
      const before = await head('plain.txt');
      await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
      await reencrypt('plain.txt');
      const after = await head('plain.txt');
      probe('A5', 'ReencryptObject changes timeModified', changed(a.reencryptChangesTimeModified), changed(String(before.lastModified) !== String(after.lastModified)));
      probe('A5', 'ReencryptObject changes the ETag', changed(a.reencryptChangesEtag), changed(before.eTag !== after.eTag));
    });
    await step('A1: ReencryptObject on an SSE-C object without its key', async () => {
      probe('A1', 'ReencryptObject, SSE-C object, no source key', answer(a.reencryptSseCWithoutSourceKey), await outcome(() => reencrypt('sse-c.bin')));
    });
    await step('A4: ReencryptObject on an archived object', async () => {
      probe('A4', 'ReencryptObject, archived object', answer(a.reencryptArchived), await outcome(() => reencrypt('archived.bin')));
    });
    await step('A12: ReencryptObject on a delete marker', async () => {
      const versions = await call('ListObjectVersions', () => os.listObjectVersions({ namespaceName: ns, bucketName: bucket, prefix: 'deleted.txt' }));
      const marker = versions.objectVersionCollection.items.find((v) => v.name === 'deleted.txt' && v.isDeleteMarker);
      if (!marker?.versionId) throw new Error('no delete marker listed for deleted.txt');
      probe('A12', 'ReencryptObject, delete-marker version', answer(a.reencryptDeleteMarker), await outcome(() => reencrypt('deleted.txt', marker.versionId)));
    });
    await step('A2: ReencryptObject with the wrong source SSE-C key', async () => {
      probe('A2', 'ReencryptObject, wrong sourceSseCustomerKey', answer(a.sseCKeyMismatch), await outcome(() => call('ReencryptObject', () => os.reencryptObject({
        namespaceName: ns, bucketName: bucket, objectName: 'sse-c.bin', reencryptObjectDetails: { sourceSseCustomerKey: sseC(randomBytes(32)) },
      }))));
    });
    await step('A3: HeadObject with and without SSE-C headers', async () => {
      // A HEAD answer has no body, so no service code: only the status can be compared.
      const statusOnly = (r: string) => r.split(' ')[0] as string;
      const expected = (x: ErrorAnswer | null) => (x === null ? '200' : String(x.status));
      probe('A3', 'HeadObject, SSE-C object, no SSE-C headers (status)', expected(a.headSseCWithoutKey), statusOnly(await outcome(() => head('sse-c.bin'))));
      const k = sseC(randomBytes(32));
      probe('A3', 'HeadObject, plain object, SSE-C headers (status)', expected(a.headSseCOnNonSseCObject), statusOnly(await outcome(() => call('HeadObject', () => os.headObject({
        namespaceName: ns, bucketName: bucket, objectName: 'plain.txt', opcSseCustomerAlgorithm: 'AES256', opcSseCustomerKey: k.key, opcSseCustomerKeySha256: k.keySha256,
      })))));
    });
    await step('A11: ReencryptObject with a kmsKeyId that names no key', async () => {
      probe('A11', 'ReencryptObject, unknown kmsKeyId', answer(a.unknownKmsKey), await outcome(() => call('ReencryptObject', () => os.reencryptObject({
        namespaceName: ns, bucketName: bucket, objectName: 'plain.txt', reencryptObjectDetails: { kmsKeyId: NO_SUCH_KEY },
      }))));
    });
    await step('A14: listing order of names above U+FFFF', async () => {
      const r = await call('ListObjects', () => os.listObjects({ namespaceName: ns, bucketName: bucket, prefix: 'sort/' }));
      const names = r.listObjects.objects.map((x) => x.name);
      // By code point U+E000 < U+1F600; by UTF-16 code units the surrogate pair (D83D...) sorts first.
      const observed = names[0] === 'sort/\u{E000}' ? 'code point' : names[0] === 'sort/\u{1F600}' ? 'UTF-16 code units' : `unexpected: ${JSON.stringify(names)}`;
      probe('A14', 'ListObjects order above U+FFFF', a.sortByCodePoint ? 'code point' : 'UTF-16 code units', observed);
    });
    await step('A15: `+` in a query string', async () => {
      // The SDK sends query values as given (OCI-NOTES.md): this prefix reaches OCI as `a+b`.
      const r = await call('ListObjects', () => os.listObjects({ namespaceName: ns, bucketName: bucket, prefix: 'a+b' }));
      const names = r.listObjects.objects.map((x) => x.name);
      probe('A15', '`+` in a query value', a.plusInQueryIsSpace ? 'a space' : 'a plus sign', names.includes('a b.txt') ? 'a space' : 'a plus sign');
    });
    await step('A16: an object name with an apostrophe', async () => {
      // The SDK signs `'` in a path as %27 but sends it raw (emulator README, findings): does OCI verify that signature?
      probe('A16', 'PutObject, name with \', SDK signer (signs %27, sends \')', a.acceptLegacyEscapedTarget ? '200' : '401 NotAuthenticated',
        await outcome(() => call('PutObject', () => o.sdkObjectStorage.putObject({ namespaceName: ns, bucketName: bucket, objectName: "it's.txt", putObjectBody: 'live-check', contentLength: 10 }))));
    });
    await step('A18: GetVault with an OCID that names no vault', async () => {
      probe('A18', 'GetVault, unknown OCID', answer(a.notFoundGeneric), await outcome(() => call('GetVault', () => oci.kmsVault.getVault({ vaultId: NO_SUCH_VAULT }))));
    });
    await step('A13: ListObjects with limit 1001', async () => {
      probe('A13', 'ListObjects limit above 1000', answer(a.listLimitOutOfRange), await outcome(() => call('ListObjects', () => os.listObjects({
        namespaceName: ns, bucketName: bucket, limit: 1001,
      }))).then((r) => (r === '200' ? '200 (limit clamped)' : r)));
    });
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    stoppedAt = { step: err.step, error: err.message };
  }
  const cleanup = created ? await deleteScratchBucket(oci, ns, bucket, o.say) : { versionsDeleted: 0, bucketDeleted: false };
  return { bucket, probes, ...(stoppedAt && { stoppedAt }), cleanup };
}

class StepError extends Error {
  constructor(readonly step: string, message: string) {
    super(message);
  }
}

/** Every version (delete markers included), then the bucket. Not interruptible: it is the point of stopping cleanly. */
async function deleteScratchBucket(oci: Oci, ns: string, bucket: string, say: (line: string) => void): Promise<LiveCheckResult['cleanup']> {
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
