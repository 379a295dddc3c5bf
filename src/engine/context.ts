import type { LimitFunction } from 'p-limit';
import type { Config } from '../config';
import type { Caller } from '../handler';
import type { Logger } from '../log';
import type { Oci } from '../oci/clients';
import type { ObjectStorage } from '../oci/object-storage';
import type { KeyDirectory } from '../oci/vault';
import type { BucketTally } from '../report/report';
import type { Budget } from './deadline';
import type { SweepPlan } from './sweep';

/** What every step of one invocation shares. */
export interface RunContext {
  readonly config: Config;
  readonly oci: Oci;
  readonly objectStorage: ObjectStorage;
  readonly keys: KeyDirectory;
  readonly budget: Budget;
  readonly logger: Logger;
  /** Who invoked, as far as the platform says (for the audit line of manual requests). */
  readonly caller: Caller;
  /** Bounds re-encryptions (and GetBucket fan-out) in flight, across buckets. */
  readonly limit: LimitFunction;
  /** Said in the report: fallbacks taken, compartments that could not be read. */
  readonly notes: string[];
  /**
   * With a state bucket (REENCRYPT_STATE_BUCKET): a sweep becomes a durable run
   * (src/runs), which answers for itself. Absent: the sweep runs in this invocation.
   */
  readonly durable?: (plan: SweepPlan) => Promise<object>;
  /** Watches the sweep (the CLI's progress display); absent in the function. */
  readonly progress?: ProgressSink;
}

/**
 * Told about each bucket tally as its sweep starts. The tally's `live` counts
 * move as items finish, so a watcher polls them at its own pace: nothing is
 * called per object.
 */
export interface ProgressSink {
  bucketStarted(tally: BucketTally): void;
}
