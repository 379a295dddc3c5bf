import type { VersionRecord } from './types';
import { HIGH_CHARS, compareCodePoint, compareCodeUnit } from './util';

/**
 * The objects of one bucket: a sorted array of names (binary search, so a
 * page costs O(log n + page)) and a map from name to its versions, oldest
 * first. A name stays listed while it has any version, delete markers
 * included; ListObjects skips names whose newest version is a delete marker.
 */
export class ObjectStore {
  private names: string[] = [];
  private readonly byName = new Map<string, VersionRecord[]>();
  private codePointOrder = false;
  versionCount = 0;

  constructor(private readonly sortByCodePoint: boolean) {}

  get compare(): (a: string, b: string) => number {
    return this.codePointOrder ? compareCodePoint : compareCodeUnit;
  }

  get size(): number {
    return this.names.length;
  }

  versions(name: string): VersionRecord[] | undefined {
    return this.byName.get(name);
  }

  latest(name: string): VersionRecord | undefined {
    const list = this.byName.get(name);
    return list ? list[list.length - 1] : undefined;
  }

  /** Index of the first name >= key (or > key when `after`). */
  lowerBound(key: string, after = false): number {
    const cmp = this.compare;
    let lo = 0;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(this.names[mid] as string, key);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  nameAt(index: number): string | undefined {
    return this.names[index];
  }

  private noteName(name: string): void {
    if (this.sortByCodePoint && !this.codePointOrder && HIGH_CHARS.test(name)) {
      this.codePointOrder = true;
      this.names.sort(compareCodePoint);
    }
  }

  /** Append a version as the newest of its name. */
  addVersion(name: string, version: VersionRecord): void {
    const list = this.byName.get(name);
    this.versionCount++;
    if (list) {
      list.push(version);
      return;
    }
    this.noteName(name);
    this.byName.set(name, [version]);
    this.names.splice(this.lowerBound(name), 0, name);
  }

  /** Replace all versions of a name (non-versioned overwrite). */
  replaceAll(name: string, version: VersionRecord): void {
    const list = this.byName.get(name);
    if (!list) return this.addVersion(name, version);
    this.versionCount += 1 - list.length;
    this.byName.set(name, [version]);
  }

  removeVersion(name: string, versionId: string): boolean {
    const list = this.byName.get(name);
    if (!list) return false;
    const i = list.findIndex((v) => v.versionId === versionId);
    if (i < 0) return false;
    list.splice(i, 1);
    this.versionCount--;
    if (list.length === 0) {
      this.byName.delete(name);
      const at = this.lowerBound(name);
      if (this.names[at] === name) this.names.splice(at, 1);
    }
    return true;
  }

  /**
   * Bulk insert (seeding): versions per name, oldest first. Names may be new
   * or existing; one sort at the end instead of one splice per name.
   */
  bulkInsert(entries: Iterable<[string, VersionRecord[]]>): void {
    const fresh: string[] = [];
    for (const [name, versions] of entries) {
      const list = this.byName.get(name);
      this.versionCount += versions.length;
      if (list) {
        for (const v of versions) list.push(v);
      } else {
        this.byName.set(name, versions);
        fresh.push(name);
        if (this.sortByCodePoint && !this.codePointOrder && HIGH_CHARS.test(name)) this.codePointOrder = true;
      }
    }
    if (fresh.length === 0) return;
    const cmp = this.compare;
    const last = this.names[this.names.length - 1];
    let sortedAfterLast = last === undefined || cmp(last, fresh[0] as string) < 0;
    for (let i = 1; sortedAfterLast && i < fresh.length; i++) {
      if (cmp(fresh[i - 1] as string, fresh[i] as string) >= 0) sortedAfterLast = false;
    }
    if (sortedAfterLast) {
      for (const n of fresh) this.names.push(n);
    } else {
      const all = this.names.concat(fresh);
      if (this.codePointOrder) all.sort(compareCodePoint);
      else all.sort();
      this.names = all;
    }
  }

  /** Names in order from index `from` (inclusive). */
  *namesFrom(from: number): Generator<string> {
    for (let i = from; i < this.names.length; i++) yield this.names[i] as string;
  }
}
