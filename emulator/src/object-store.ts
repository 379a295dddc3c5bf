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
  /** One version is stored bare (no array) to keep a million objects small. */
  private readonly byName = new Map<string, VersionRecord | VersionRecord[]>();
  private codePointOrder = false;
  versionCount = 0;

  constructor(private readonly sortByCodePoint: boolean) {}

  get compare(): (a: string, b: string) => number {
    return this.codePointOrder ? compareCodePoint : compareCodeUnit;
  }

  get size(): number {
    return this.names.length;
  }

  /** Versions of a name, oldest first (a fresh array when there is one version). */
  versions(name: string): VersionRecord[] | undefined {
    const entry = this.byName.get(name);
    if (entry === undefined) return undefined;
    return Array.isArray(entry) ? entry : [entry];
  }

  latest(name: string): VersionRecord | undefined {
    const entry = this.byName.get(name);
    if (entry === undefined || !Array.isArray(entry)) return entry;
    return entry[entry.length - 1];
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
    const entry = this.byName.get(name);
    this.versionCount++;
    if (entry !== undefined) {
      if (Array.isArray(entry)) entry.push(version);
      else this.byName.set(name, [entry, version]);
      return;
    }
    this.noteName(name);
    this.byName.set(name, version);
    this.names.splice(this.lowerBound(name), 0, name);
  }

  /** Replace all versions of a name (non-versioned overwrite). */
  replaceAll(name: string, version: VersionRecord): void {
    const entry = this.byName.get(name);
    if (entry === undefined) return this.addVersion(name, version);
    this.versionCount += 1 - (Array.isArray(entry) ? entry.length : 1);
    this.byName.set(name, version);
  }

  removeVersion(name: string, versionId: string): boolean {
    const list = this.versions(name);
    if (!list) return false;
    const i = list.findIndex((v) => v.versionId === versionId);
    if (i < 0) return false;
    list.splice(i, 1);
    this.versionCount--;
    if (list.length === 1) this.byName.set(name, list[0] as VersionRecord);
    if (list.length === 0) {
      this.byName.delete(name);
      const at = this.lowerBound(name);
      if (this.names[at] === name) this.names.splice(at, 1);
    }
    return true;
  }

  /**
   * Bulk insert (seeding): `entries[i]` holds the versions of `names[i]`,
   * oldest first. One sort at the end (none when the names arrive sorted
   * after the existing ones) instead of one splice per name.
   */
  bulkInsert(names: string[], entries: (VersionRecord | VersionRecord[])[]): void {
    const fresh: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const add = entries[i] as VersionRecord | VersionRecord[];
      const existing = this.byName.get(name);
      this.versionCount += Array.isArray(add) ? add.length : 1;
      if (existing !== undefined) {
        const list = Array.isArray(existing) ? existing : [existing];
        if (Array.isArray(add)) list.push(...add);
        else list.push(add);
        this.byName.set(name, list);
      } else {
        this.byName.set(name, add);
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
