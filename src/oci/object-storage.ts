import type { models, ObjectStorageClient, requests } from 'oci-objectstorage';
import type { NamePage, NameRange } from '../sweep/range-listing';
import type { CallOptions, Oci } from './clients';
import { REENCRYPT_OBJECT, reencryptObjectRequest } from './reencrypt-request';

/**
 * The Object Storage calls the engine makes. The SDK does not URL-encode
 * query values (OCI-NOTES.md): every query value that can hold a name is
 * encoded here, so names with `& # + %` or spaces page correctly.
 */
const q = (value: string | undefined): string | undefined => (value === undefined ? undefined : encodeURIComponent(value));

/** What a listing tells about one object version: all the decision has to go on. */
export interface ListedVersion {
  readonly name: string;
  /** Absent for buckets listed without versions. */
  readonly versionId?: string;
  readonly isDeleteMarker: boolean;
  readonly timeCreated?: Date;
  readonly timeModified?: Date;
  readonly storageTier?: string;
  readonly archivalState?: string;
}

export interface ListedPage {
  readonly items: readonly ListedVersion[];
  /** Where the next page starts (a name for ListObjects, a page token for ListObjectVersions). */
  readonly next?: string;
}

export interface BucketFacts {
  readonly namespace: string;
  readonly name: string;
  readonly compartmentId: string;
  readonly kmsKeyId?: string;
  /** `Enabled` or `Suspended` buckets can hold several versions per name. */
  readonly versioned: boolean;
  /** GetBucket's `approximateCount`, when asked for (getBucketWithCount). */
  readonly approximateCount?: number;
}

export const PAGE_LIMIT = 1000;
const MAX_WORK_REQUEST_ERROR_PAGES = 10;
const LIST_FIELDS = 'name,timeCreated,timeModified,storageTier,archivalState';

const namespaces = new WeakMap<ObjectStorageClient, string>();

export class ObjectStorage {
  private readonly client: ObjectStorageClient;
  constructor(private readonly oci: Oci) {
    this.client = oci.objectStorage;
  }

  /** The tenancy's namespace: looked up once per client (one per container), since it never changes. */
  async getNamespace(): Promise<string> {
    const known = namespaces.get(this.client);
    if (known !== undefined) return known;
    const r = await this.oci.call('GetNamespace', () => this.client.getNamespace({}));
    namespaces.set(this.client, r.value);
    return r.value;
  }

  async getBucket(namespace: string, bucketName: string): Promise<BucketFacts> {
    const { bucket } = await this.oci.call('GetBucket', () => this.client.getBucket({ namespaceName: namespace, bucketName }));
    return {
      namespace, name: bucket.name, compartmentId: bucket.compartmentId,
      ...(bucket.kmsKeyId && { kmsKeyId: bucket.kmsKeyId }),
      versioned: bucket.versioning !== undefined && bucket.versioning !== 'Disabled',
    };
  }

  /** GetBucket with `fields=approximateCount`: the facts and about how many objects the bucket holds. */
  async getBucketWithCount(namespace: string, bucketName: string): Promise<BucketFacts & { readonly approximateCount?: number }> {
    const { bucket } = await this.oci.call('GetBucket', () => this.client.getBucket({
      namespaceName: namespace, bucketName,
      // The enum's value, as a literal: the SDK package loads only when a client is first built.
      fields: ['approximateCount' as requests.GetBucketRequest.Fields.ApproximateCount],
    }));
    return {
      namespace, name: bucket.name, compartmentId: bucket.compartmentId,
      ...(bucket.kmsKeyId && { kmsKeyId: bucket.kmsKeyId }),
      versioned: bucket.versioning !== undefined && bucket.versioning !== 'Disabled',
      ...(typeof bucket.approximateCount === 'number' && { approximateCount: bucket.approximateCount }),
    };
  }

  /** ReencryptBucket: starts a REENCRYPT work request; its id comes back in opc-work-request-id. */
  async reencryptBucket(namespace: string, bucketName: string): Promise<{ workRequestId: string; opcRequestId?: string }> {
    const r = await this.oci.call('ReencryptBucket', () => this.client.reencryptBucket({ namespaceName: namespace, bucketName }));
    return { workRequestId: r.opcWorkRequestId, ...(r.opcRequestId && { opcRequestId: r.opcRequestId }) };
  }

  async getWorkRequest(workRequestId: string): Promise<WorkRequestView> {
    const r = await this.oci.call('GetWorkRequest', () => this.client.getWorkRequest({ workRequestId }));
    // The answer is input like any other: a field of the wrong type or shape is dropped, never thrown on.
    const wr: Partial<Record<keyof models.WorkRequest, unknown>> = isRecord(r?.workRequest) ? r.workRequest : {};
    const accepted = rfc3339(wr.timeAccepted);
    const started = rfc3339(wr.timeStarted);
    const finished = rfc3339(wr.timeFinished);
    const percent = typeof wr.percentComplete === 'number' && Number.isFinite(wr.percentComplete) ? Math.min(100, Math.max(0, wr.percentComplete)) : 0;
    return {
      id: workRequestId, status: typeof wr.status === 'string' && wr.status.length > 0 ? wr.status.slice(0, 64) : 'UNKNOWN_VALUE',
      percentComplete: percent,
      ...(accepted && { timeAccepted: accepted }), ...(started && { timeStarted: started }), ...(finished && { timeFinished: finished }),
      ...(typeof r?.retryAfter === 'number' && Number.isFinite(r.retryAfter) && { retryAfterSeconds: r.retryAfter }),
    };
  }

  /** ListWorkRequestErrors, page after page, up to `max` errors; `truncated` when more exist. */
  async listWorkRequestErrors(workRequestId: string, max: number): Promise<{ errors: WorkRequestErrorView[]; truncated: boolean }> {
    const errors: WorkRequestErrorView[] = [];
    let page: string | undefined;
    // Pages that bring nothing new must not keep the turn busy: a few pages are enough for a report.
    let pages = 0;
    do {
      pages += 1;
      const r = await this.oci.call('ListWorkRequestErrors', () => this.client.listWorkRequestErrors({
        workRequestId, limit: Math.min(100, Math.max(1, max)), ...(page && { page: q(page) }),
      }));
      const items: unknown[] = Array.isArray(r?.items) ? r.items : [];
      for (const e of items) {
        if (!isRecord(e)) continue;
        if (errors.length >= max) return { errors, truncated: true };
        const timestamp = rfc3339(e.timestamp);
        errors.push({
          code: String(e.code ?? '').slice(0, 300), message: String(e.message ?? '').slice(0, 300),
          ...(timestamp && { timestamp }),
        });
      }
      page = typeof r?.opcNextPage === 'string' && r.opcNextPage !== '' ? r.opcNextPage : undefined;
    } while (page !== undefined && errors.length < max && pages < MAX_WORK_REQUEST_ERROR_PAGES);
    return { errors, truncated: page !== undefined };
  }

  /** One page of bucket names in a compartment (summaries carry no kmsKeyId). */
  async listBucketNames(namespace: string, compartmentId: string, page?: string): Promise<{ names: string[]; next?: string }> {
    const r = await this.oci.call('ListBuckets', () => this.client.listBuckets({
      namespaceName: namespace, compartmentId: q(compartmentId) as string, limit: PAGE_LIMIT, ...(page && { page: q(page) }),
    }));
    return { names: r.items.map((b) => b.name), ...(r.opcNextPage && { next: r.opcNextPage }) };
  }

  /** One page of ListObjects: latest versions only, for unversioned buckets; names below `end` only when given. */
  async listObjectsPage(namespace: string, bucketName: string, prefix: string | undefined, start: string | undefined, end?: string, options?: CallOptions): Promise<ListedPage> {
    const r = await this.oci.call('ListObjects', () => this.client.listObjects({
      namespaceName: namespace, bucketName, limit: PAGE_LIMIT, fields: LIST_FIELDS,
      ...(prefix && { prefix: q(prefix) }), ...(start !== undefined && { start: q(start) }), ...(end !== undefined && { end: q(end) }),
    }), options);
    const items = r.listObjects.objects.map((o): ListedVersion => ({
      name: o.name, isDeleteMarker: false,
      ...(o.timeCreated && { timeCreated: new Date(o.timeCreated) }),
      ...(o.timeModified && { timeModified: new Date(o.timeModified) }),
      ...(o.storageTier && { storageTier: o.storageTier }),
      ...(o.archivalState && { archivalState: o.archivalState }),
    }));
    return { items, ...(r.listObjects.nextStartWith && { next: r.listObjects.nextStartWith }) };
  }

  /**
   * One page of ListObjectVersions: every version and delete marker. With a name range, every
   * page repeats its `start` and `end` (a paged list call repeats its query; the page token says where it is).
   */
  async listVersionsPage(namespace: string, bucketName: string, prefix: string | undefined, page: string | undefined, range: NameRange = {}): Promise<ListedPage> {
    const r = await this.oci.call('ListObjectVersions', () => this.client.listObjectVersions({
      namespaceName: namespace, bucketName, limit: PAGE_LIMIT, fields: LIST_FIELDS,
      ...(prefix && { prefix: q(prefix) }), ...(page !== undefined && { page: q(page) }),
      ...(range.start !== undefined && { start: q(range.start) }), ...(range.end !== undefined && { end: q(range.end) }),
    }));
    const items = r.objectVersionCollection.items.map((o): ListedVersion => ({
      name: o.name, versionId: o.versionId, isDeleteMarker: o.isDeleteMarker === true,
      ...(o.timeCreated && { timeCreated: new Date(o.timeCreated) }),
      ...(o.timeModified && { timeModified: new Date(o.timeModified) }),
      ...(o.storageTier && { storageTier: o.storageTier }),
      ...(o.archivalState && { archivalState: o.archivalState }),
    }));
    return { items, ...(r.opcNextPage && { next: r.opcNextPage }) };
  }

  /** Names only (`fields=name`) of one ListObjects page, from `start`: the range listing pass. */
  async listObjectNamesPage(namespace: string, bucketName: string, prefix: string | undefined, start: string | undefined): Promise<NamePage> {
    const r = await this.oci.call('ListObjects', () => this.client.listObjects({
      namespaceName: namespace, bucketName, limit: PAGE_LIMIT, fields: 'name',
      ...(prefix && { prefix: q(prefix) }), ...(start !== undefined && { start: q(start) }),
    }));
    return { names: r.listObjects.objects.map((o) => o.name), ...(r.listObjects.nextStartWith && { next: r.listObjects.nextStartWith }) };
  }

  /**
   * One ListObjectVersions page with the fewest fields (`fields=name`; versionId and
   * isDeleteMarker come regardless): one name per version, from `start`.
   */
  async listVersionNamesPage(namespace: string, bucketName: string, prefix: string | undefined, start: string | undefined, page: string | undefined): Promise<NamePage> {
    const r = await this.oci.call('ListObjectVersions', () => this.client.listObjectVersions({
      namespaceName: namespace, bucketName, limit: PAGE_LIMIT, fields: 'name',
      ...(prefix && { prefix: q(prefix) }), ...(start !== undefined && { start: q(start) }), ...(page !== undefined && { page: q(page) }),
    }));
    return { names: r.objectVersionCollection.items.map((o) => o.name), ...(r.opcNextPage && { next: r.opcNextPage }) };
  }

  /**
   * PutObject of a small text body. `ifMatch` replaces only that ETag; `ifNoneMatch: '*'`
   * creates only when the name is free (OCI answers 412 otherwise). `options`: the call's
   * limits when not the invocation's (the run state store's bookkeeping, src/runs/store.ts).
   */
  async putText(namespace: string, bucketName: string, objectName: string, text: string, condition: { ifMatch?: string; ifNoneMatch?: '*' }, options?: CallOptions): Promise<{ etag: string }> {
    const r = await this.oci.call('PutObject', () => this.client.putObject({
      namespaceName: namespace, bucketName, objectName, putObjectBody: text, contentLength: Buffer.byteLength(text),
      contentType: 'application/json', ...(condition.ifMatch && { ifMatch: condition.ifMatch }), ...(condition.ifNoneMatch && { ifNoneMatch: condition.ifNoneMatch }),
    }), options);
    return { etag: r.eTag };
  }

  /** GetObject of a small text body, with its ETag. */
  async getText(namespace: string, bucketName: string, objectName: string, options?: CallOptions): Promise<{ text: string; etag: string }> {
    const r = await this.oci.call('GetObject', async () => {
      const answer = await this.client.getObject({ namespaceName: namespace, bucketName, objectName });
      return { etag: answer.eTag, text: await readAll(answer.value) };
    }, options);
    return r;
  }

  async deleteObject(namespace: string, bucketName: string, objectName: string, ifMatch?: string, options?: CallOptions): Promise<void> {
    await this.oci.call('DeleteObject', () => this.client.deleteObject({ namespaceName: namespace, bucketName, objectName, ...(ifMatch && { ifMatch }) }), options);
  }

  /** Every object name under a prefix (ListObjects, all pages). */
  async listNames(namespace: string, bucketName: string, prefix: string, max = 10_000, options?: CallOptions): Promise<string[]> {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await this.listObjectsPage(namespace, bucketName, prefix, start, undefined, options);
      names.push(...page.items.map((i) => i.name));
      start = page.next;
    } while (start !== undefined && names.length < max);
    return names;
  }

  /**
   * ReencryptObject, once per object version: composed as the SDK composes it and sent through the
   * SDK's retrier without the client method around it (reencrypt-request.ts, direct-call.ts).
   */
  async reencryptObject(target: ReencryptTarget): Promise<{ opcRequestId?: string }> {
    const response = await this.oci.callDirect('ReencryptObject', REENCRYPT_OBJECT, () => reencryptObjectRequest(this.client, {
      namespaceName: target.namespace, bucketName: target.bucketName, objectName: target.objectName,
      ...(target.versionId && { versionId: q(target.versionId) }),
      reencryptObjectDetails: {
        ...(target.kmsKeyId && { kmsKeyId: target.kmsKeyId }),
        ...(target.sseCustomerKey && { sseCustomerKey: sdkKey(target.sseCustomerKey) }),
        ...(target.sourceSseCustomerKey && { sourceSseCustomerKey: sdkKey(target.sourceSseCustomerKey) }),
      },
    }));
    const opcRequestId = response.headers.get('opc-request-id');
    return opcRequestId ? { opcRequestId } : {};
  }
}

/** The SDK answers GetObject with a Node stream (or a web stream in browsers). */
async function readAll(body: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function sdkKey(key: SseCustomerKey): models.SSECustomerKeyDetails {
  // The enum's value, without loading the SDK package at start (clients.ts loads it on first use).
  const algorithm = 'AES256' as models.SSECustomerKeyDetails.Algorithm.Aes256;
  return { algorithm, key: key.key, keySha256: key.keySha256 };
}

/** An SSE-C key as ReencryptObject takes it. Never logged, never reported. */
export interface SseCustomerKey {
  readonly algorithm: 'AES256';
  readonly key: string;
  readonly keySha256: string;
}

export interface ReencryptTarget {
  readonly namespace: string;
  readonly bucketName: string;
  readonly objectName: string;
  readonly versionId?: string;
  /** Absent with no SSE-C key: OCI uses the bucket's key. */
  readonly kmsKeyId?: string;
  readonly sseCustomerKey?: SseCustomerKey;
  readonly sourceSseCustomerKey?: SseCustomerKey;
}

/** A work request as GetWorkRequest tells it (times in RFC 3339). */
export interface WorkRequestView {
  readonly id: string;
  /** ACCEPTED, IN_PROGRESS, FAILED, COMPLETED, CANCELING or CANCELED (or a value OCI adds later). */
  readonly status: string;
  readonly percentComplete: number;
  readonly timeAccepted?: string;
  readonly timeStarted?: string;
  readonly timeFinished?: string;
  /** The service's retry-after, if it sent one: how long to wait before asking again. */
  readonly retryAfterSeconds?: number;
}

export interface WorkRequestErrorView {
  readonly code: string;
  readonly message: string;
  readonly timestamp?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A time from an answer as RFC 3339, or undefined when it is no valid time (never a RangeError). */
function rfc3339(t: unknown): string | undefined {
  if (!(t instanceof Date) && typeof t !== 'string' && typeof t !== 'number') return undefined;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
