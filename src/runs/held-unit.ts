import type { UnitRecord } from './model';
import { StateStoreError, type StateStore, type Stored } from './store';

/** How a write of a held unit went. */
export type HeldWrite =
  | { readonly kind: 'saved'; readonly unit: UnitRecord }
  /** Another invocation wrote the unit since: its hold expired and it was taken over. Stop at once. */
  | { readonly kind: 'lost' }
  /** The state bucket failed (after the call's retries): the unit is as it was last saved. */
  | { readonly kind: 'failed'; readonly error: StateStoreError };

/**
 * The one writer of a unit this invocation holds: every write is conditional
 * on the ETag of the last one, so a write that meets another writer means
 * the hold was lost, and nothing this invocation writes afterwards lands.
 * The checkpoints, listing passes and work-request turns all save through it.
 */
export class HeldUnit {
  private etag: string;
  /** The unit as last saved. */
  current: UnitRecord;
  /** True once a write met another writer. */
  lost = false;
  /** Writes that landed. */
  saved = 0;

  constructor(held: Stored<UnitRecord>, private readonly store: StateStore, readonly key: string) {
    this.etag = held.etag;
    this.current = held.value;
  }

  async write(next: UnitRecord): Promise<HeldWrite> {
    if (this.lost) return { kind: 'lost' };
    try {
      const r = await this.store.replace(this.key, next, this.etag);
      if (r === 'conflict') {
        this.lost = true;
        return { kind: 'lost' };
      }
      this.etag = r.etag;
      this.current = r.value;
      this.saved += 1;
      return { kind: 'saved', unit: r.value };
    } catch (err) {
      if (!(err instanceof StateStoreError)) throw err;
      return { kind: 'failed', error: err };
    }
  }
}
