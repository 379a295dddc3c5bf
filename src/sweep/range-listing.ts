/**
 * Name ranges inside one bucket: where to cut a bucket's listing so that
 * workers can sweep its parts at once. A range is `[start, end)` in OCI's
 * name order (UTF-8 bytes, emulator A14), the `start` (≥) and `end` (<) of
 * ListObjects and ListObjectVersions; absent means open on that side.
 *
 * A cut always falls between two names, never inside one name's versions:
 * the boundary is the first name of the next range, so every version of a
 * name lands in the one range that holds the name.
 */
import type { ObjectStorage } from '../oci/object-storage';

export interface NameRange {
  /** First name of the range (inclusive); absent: from the bucket's (or prefix's) first name. */
  readonly start?: string;
  /** First name after the range (exclusive); absent: to the end. */
  readonly end?: string;
}

/**
 * Cuts a stream of listed entries (one per version, in listing order) into
 * ranges of at least `size` entries, cutting only where the name changes. Fed
 * one entry at a time, it says when a range is full: the caller hands that
 * range out at once, so nothing waits for the whole listing.
 */
export class RangeCutter {
  private count = 0;
  private lastName: string | undefined;

  constructor(private readonly size: number) {}

  /** Entries counted towards the range being filled. */
  get entries(): number {
    return this.count;
  }

  /**
   * The next listed entry's name. Returns the boundary (this name) when the
   * range before it is full: that range ends here and the next starts here.
   */
  push(name: string): string | undefined {
    const cut = this.count >= this.size && name !== this.lastName ? name : undefined;
    if (cut !== undefined) this.count = 0;
    this.count += 1;
    this.lastName = name;
    return cut;
  }
}

/**
 * The ranges a listing is cut into (pure; the streaming lister and the
 * property test both go through RangeCutter): `entries` are names in listing
 * order, one per version, starting at `from`.
 */
export function cutRanges(entries: readonly string[], size: number, from?: string): NameRange[] {
  const cutter = new RangeCutter(size);
  const ranges: NameRange[] = [];
  let start = from;
  for (const name of entries) {
    const cut = cutter.push(name);
    if (cut !== undefined) {
      ranges.push({ ...(start !== undefined && { start }), end: cut });
      start = cut;
    }
  }
  ranges.push({ ...(start !== undefined && { start }) });
  return ranges;
}

/** OCI's name order: UTF-8 bytes (emulator A14), not JavaScript's UTF-16 code units. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function inRange(name: string, range: NameRange): boolean {
  return (range.start === undefined || compareNames(name, range.start) >= 0) && (range.end === undefined || compareNames(name, range.end) < 0);
}

/** One page of names only (`fields=name`): the listing pass reads nothing else. */
export interface NamePage {
  readonly names: readonly string[];
  /** The next page: a name (ListObjects `start`) or a page token (ListObjectVersions `page`). */
  readonly next?: string;
}

/**
 * Lists a bucket's names from `from` (inclusive) page by page: one entry per
 * object (ListObjects) or per version and delete marker (ListObjectVersions).
 */
export async function* listNames(objectStorage: ObjectStorage, bucket: { namespace: string; name: string; versioned: boolean }, prefix: string | undefined, from: string | undefined): AsyncGenerator<NamePage> {
  let next: string | undefined;
  for (;;) {
    const page = bucket.versioned
      ? await objectStorage.listVersionNamesPage(bucket.namespace, bucket.name, prefix, from, next)
      : await objectStorage.listObjectNamesPage(bucket.namespace, bucket.name, prefix, next ?? from);
    yield page;
    if (page.next === undefined) return;
    next = page.next;
  }
}
