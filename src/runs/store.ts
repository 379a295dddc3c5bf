import { randomUUID } from 'node:crypto';
import { BOOKKEEPING_OWN_MS, bookkeepingHardStop, STATE_CALL_OWN_MS, type Budget } from '../engine/deadline';
import { ReencryptError } from '../errors';
import type { CallOptions } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import type { ObjectStorage } from '../oci/object-storage';

/** A stored record and the ETag it was read or written with (the token for the next conditional write). */
export interface Stored<T> {
  readonly value: T;
  readonly etag: string;
}

/** Why the state bucket could not be used, in words an operator can act on. */
export const StateProblem = {
  missingBucket: 'missing-bucket',
  denied: 'denied',
  unavailable: 'unavailable',
  corrupt: 'corrupt',
} as const;
export type StateProblem = (typeof StateProblem)[keyof typeof StateProblem];

/** The state bucket failed (after the call's retries); `problem` says how. */
export class StateStoreError extends ReencryptError {
  override readonly code = 'StateStoreUnavailable';
  constructor(readonly problem: StateProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Every record carries the id of the write that made it, so a retried write can recognise itself. */
interface Envelope<T> {
  readonly writeId: string;
  readonly record: T;
}

/**
 * The run state store: JSON records in one bucket, written only with
 * conditions on the ETag (OCI's `if-none-match: *` to create, `if-match` to
 * replace), so two invocations never both win the same write. A write whose
 * answer was lost and was retried by the SDK may meet its own earlier success
 * as a 412: the record's `writeId` tells that case apart from a real conflict.
 *
 * Every call of the store is the run's bookkeeping: with the invocation's `budget`, each
 * gets bookkeepingHardStop's time (STATE_CALL_OWN_MS of its own: room to wait out one
 * retry-after), so what must follow the work (saving where a unit
 * stands and releasing it, reading the run to finish or hand it over, the report) is still
 * done when the work's calls retried up to the hard stop. They leave the handover its own
 * time at the end: a slow state bucket must not keep the run from its successor. Without a
 * budget (the CLI reading runs), the calls have the Oci's own hard stop.
 */
export class StateStore {
  constructor(
    private readonly objectStorage: ObjectStorage,
    readonly namespace: string,
    readonly bucket: string,
    private readonly budget?: Budget,
  ) {}

  /** The limits of a call starting now. */
  private limits(): CallOptions | undefined {
    return this.budget ? { hardStopAt: bookkeepingHardStop(this.budget, { ownMs: STATE_CALL_OWN_MS, leaveMs: BOOKKEEPING_OWN_MS }) } : undefined;
  }

  async get<T>(name: string, isValid: (v: unknown) => v is T): Promise<Stored<T> | undefined> {
    let got: { text: string; etag: string };
    try {
      got = await this.objectStorage.getText(this.namespace, this.bucket, name, this.limits());
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw this.wrap(err, `read ${name}`);
    }
    let envelope: Envelope<unknown>;
    try {
      envelope = JSON.parse(got.text) as Envelope<unknown>;
    } catch {
      throw new StateStoreError(StateProblem.corrupt, `State object ${name} in ${this.bucket} is not JSON`);
    }
    if (!envelope || typeof envelope !== 'object' || !isValid(envelope.record)) {
      throw new StateStoreError(StateProblem.corrupt, `State object ${name} in ${this.bucket} is not a record this function wrote`);
    }
    return { value: envelope.record, etag: got.etag };
  }

  /** Creates `name` unless it exists: 'exists' when another writer was first. */
  async create<T>(name: string, record: T): Promise<Stored<T> | 'exists'> {
    return this.put(name, record, { ifNoneMatch: '*' });
  }

  /** Replaces `name` if it still has `etag`: 'conflict' when someone else wrote it meanwhile. */
  async replace<T>(name: string, record: T, etag: string): Promise<Stored<T> | 'conflict'> {
    const r = await this.put(name, record, { ifMatch: etag });
    return r === 'exists' ? 'conflict' : r;
  }

  async delete(name: string): Promise<void> {
    try {
      await this.objectStorage.deleteObject(this.namespace, this.bucket, name, undefined, this.limits());
    } catch (err) {
      if (isAbsent(err)) return;
      throw this.wrap(err, `delete ${name}`);
    }
  }

  async list(prefix: string, max?: number): Promise<string[]> {
    try {
      return await this.objectStorage.listNames(this.namespace, this.bucket, prefix, max, this.limits());
    } catch (err) {
      throw this.wrap(err, `list ${prefix}`);
    }
  }

  private async put<T>(name: string, record: T, condition: { ifMatch?: string; ifNoneMatch?: '*' }): Promise<Stored<T> | 'exists'> {
    const writeId = randomUUID();
    const text = JSON.stringify({ writeId, record } satisfies Envelope<T>);
    try {
      const { etag } = await this.objectStorage.putText(this.namespace, this.bucket, name, text, condition, this.limits());
      return { value: record, etag };
    } catch (err) {
      if (!isStatus(err, 412)) throw this.wrap(err, `write ${name}`);
      // Either someone else wrote first, or our own retried write already took effect.
      const current = await this.getRaw(name);
      if (current?.writeId === writeId) return { value: record, etag: current.etag };
      return 'exists';
    }
  }

  private async getRaw(name: string): Promise<{ writeId: string; etag: string } | undefined> {
    try {
      const got = await this.objectStorage.getText(this.namespace, this.bucket, name, this.limits());
      const parsed = JSON.parse(got.text) as { writeId?: unknown };
      return typeof parsed.writeId === 'string' ? { writeId: parsed.writeId, etag: got.etag } : undefined;
    } catch {
      return undefined;
    }
  }

  private wrap(err: unknown, what: string): Error {
    if (!(err instanceof OciCallError)) return err instanceof Error ? err : new Error(String(err));
    const f = err.failure;
    const where = `state bucket ${this.bucket} (REENCRYPT_STATE_BUCKET)`;
    if (isMissingBucket(err)) return new StateStoreError(StateProblem.missingBucket, `Cannot ${what}: the ${where} does not exist or the function may not use it (${f.status} ${f.serviceCode ?? ''})`, { cause: err });
    if (f.status === 401 || f.status === 403 || f.status === 404) return new StateStoreError(StateProblem.denied, `Cannot ${what}: access to the ${where} is denied (${f.status} ${f.serviceCode ?? ''})`, { cause: err });
    return new StateStoreError(StateProblem.unavailable, `Cannot ${what} in the ${where}: ${err.message}`, { cause: err });
  }
}

function isStatus(err: unknown, status: number): boolean {
  return err instanceof OciCallError && err.failure.status === status;
}

/** The object is not there (an answer); other 404s are about the bucket or access. */
function isAbsent(err: unknown): boolean {
  return err instanceof OciCallError && err.failure.status === 404 && (err.failure.serviceCode === undefined || err.failure.serviceCode === 'ObjectNotFound');
}

/** OCI answers 404 BucketNotFound for a bucket that is missing or not visible to the caller. */
function isMissingBucket(err: unknown): boolean {
  return err instanceof OciCallError && err.failure.status === 404 && err.failure.serviceCode === 'BucketNotFound';
}
