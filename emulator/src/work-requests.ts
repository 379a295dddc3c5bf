import type { BucketRec, EmulatorState, WorkRequestRec } from './state';
import type { WorkRequestFailure } from './state/work-requests';
import { iso } from './http';
import type { VersionRecord } from './types';
import { newOcid } from './util';

export interface WorkRequestOptions {
  /** Object versions a ReencryptBucket work request rewraps per second (default 20000). */
  itemsPerSecond?: number;
  /** Tick of the background worker, ms (default 50). */
  tickMs?: number;
  /** Time a work request stays ACCEPTED before it starts, ms (default 100). */
  acceptDelayMs?: number;
}

/** Runs ReencryptBucket work requests in the background, a slice per tick. */
export class WorkRequestRunner {
  private timer: NodeJS.Timeout | undefined;
  private readonly itemsPerTick: number;
  private readonly tickMs: number;
  private readonly acceptDelayMs: number;
  /** Failures to inject, consumed by the next work request on their bucket. */
  private readonly failures: WorkRequestFailure[] = [];
  private readonly injected = new Map<string, WorkRequestFailure>();

  constructor(
    private readonly state: EmulatorState,
    options: WorkRequestOptions = {},
  ) {
    this.tickMs = options.tickMs ?? 50;
    this.itemsPerTick = Math.max(1, Math.ceil(((options.itemsPerSecond ?? 20000) * this.tickMs) / 1000));
    this.acceptDelayMs = options.acceptDelayMs ?? 100;
  }

  /**
   * Makes the next ReencryptBucket work request on a bucket end FAILED with one error, once
   * `atFraction` of its versions are done (versions rewrapped before stay rewrapped, as a
   * work request that fails part-way leaves what it did).
   */
  injectFailure(failure: Partial<WorkRequestFailure> & { bucketName: string }): void {
    this.failures.push({
      atFraction: 0, code: 'InternalServerError', message: 'The work request failed (injected by the emulator)', ...failure,
    });
  }

  startReencrypt(bucket: BucketRec, keyOnly: boolean): WorkRequestRec {
    const pending: VersionRecord[] = [];
    if (!keyOnly) {
      const skip = this.state.assumptions.reencryptBucketSkipsSseCAndArchived;
      for (const name of bucket.store.namesFrom(0)) {
        for (const v of bucket.store.versions(name) ?? []) {
          if (v.isDeleteMarker) continue;
          if (skip && (v.encryption?.kind === 'sse-c' || v.archivalState === 'Archived' || v.archivalState === 'Restoring')) continue;
          pending.push(v);
        }
      }
    }
    const wr: WorkRequestRec = {
      id: newOcid('objectstorageworkrequest', this.state.region),
      compartmentId: bucket.compartmentId,
      bucketName: bucket.name,
      namespace: bucket.namespace,
      status: 'ACCEPTED',
      timeAccepted: Date.now(),
      timeStarted: undefined,
      timeFinished: undefined,
      pending,
      done: 0,
      target: undefined,
      errors: [],
    };
    const injected = this.failures.findIndex((f) => f.bucketName === bucket.name);
    if (injected >= 0) {
      const [f] = this.failures.splice(injected, 1);
      if (f) this.injected.set(wr.id, f);
    }
    this.state.workRequests.set(wr.id, wr);
    this.ensureTimer();
    return wr;
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  private tick(): void {
    let active = false;
    const now = Date.now();
    for (const wr of this.state.workRequests.values()) {
      if (wr.status === 'ACCEPTED') {
        active = true;
        if (now - wr.timeAccepted < this.acceptDelayMs) continue;
        wr.status = 'IN_PROGRESS';
        wr.timeStarted = now;
      }
      if (wr.status !== 'IN_PROGRESS') continue;
      active = true;
      this.advance(wr, now);
    }
    if (!active && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private advance(wr: WorkRequestRec, now: number): void {
    const bucket = this.state.buckets.get(wr.bucketName);
    const key = bucket?.kmsKeyId ? this.state.keys.get(bucket.kmsKeyId) : undefined;
    if (!bucket || !key || key.lifecycleState !== 'ENABLED') {
      this.fail(wr, now, bucket ? 'KeyNotEnabled' : 'BucketNotFound', bucket ? `The bucket's key ${bucket.kmsKeyId ?? '(none)'} is not enabled` : `The bucket ${wr.bucketName} no longer exists`);
      return;
    }
    const target = this.state.kmsEncryption(key.id, this.state.currentKeyVersion(key).id);
    wr.target = target;
    const failure = this.injected.get(wr.id);
    const failAt = failure ? Math.floor(failure.atFraction * wr.pending.length) : Number.POSITIVE_INFINITY;
    const stop = Math.min(wr.pending.length, wr.done + this.itemsPerTick, failAt);
    for (; wr.done < stop; wr.done++) {
      const v = wr.pending[wr.done];
      if (v && !v.isDeleteMarker) v.encryption = target;
    }
    if (failure && wr.done >= failAt) {
      this.injected.delete(wr.id);
      this.fail(wr, now, failure.code, failure.message);
      return;
    }
    if (wr.done >= wr.pending.length) {
      wr.status = 'COMPLETED';
      wr.timeFinished = now;
      wr.pending = [];
    }
  }

  private fail(wr: WorkRequestRec, now: number, code: string, message: string): void {
    wr.status = 'FAILED';
    wr.timeFinished = now;
    wr.errors.push({ code, message, timestamp: now });
  }

  percentComplete(wr: WorkRequestRec): number {
    if (wr.status === 'COMPLETED') return 100;
    if (wr.pending.length === 0) return 0;
    return Math.floor((wr.done / wr.pending.length) * 100 * 10) / 10;
  }

  toJson(wr: WorkRequestRec): Record<string, unknown> {
    return {
      operationType: 'REENCRYPT',
      status: wr.status,
      id: wr.id,
      compartmentId: wr.compartmentId,
      resources: [
        {
          actionType: wr.status === 'COMPLETED' ? 'UPDATED' : 'IN_PROGRESS',
          entityType: 'bucket',
          identifier: wr.bucketName,
          entityUri: `/n/${wr.namespace}/b/${encodeURIComponent(wr.bucketName)}`,
          metadata: { namespace: wr.namespace },
        },
      ],
      percentComplete: this.percentComplete(wr),
      timeAccepted: iso(wr.timeAccepted),
      ...(wr.timeStarted !== undefined ? { timeStarted: iso(wr.timeStarted) } : {}),
      ...(wr.timeFinished !== undefined ? { timeFinished: iso(wr.timeFinished) } : {}),
    };
  }

  /** Resolves when no work request is ACCEPTED or IN_PROGRESS. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const busy = [...this.state.workRequests.values()].some((w) => w.status === 'ACCEPTED' || w.status === 'IN_PROGRESS');
      if (!busy) return;
      await new Promise((r) => setTimeout(r, this.tickMs));
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
