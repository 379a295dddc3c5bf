import { randomBytes } from 'node:crypto';
import type { ArchivalState, Encryption, StorageTier, VersionRecord } from './types';

/**
 * Compact object-version record. A million of them must fit comfortably in
 * memory, so the version id and ETag are not stored as strings: each is a
 * number rendered on demand as a UUID-shaped string (a random per-process
 * stem plus a 12-hex-digit counter), unless an explicit string was given.
 */
const VERSION_STEM = stem();
const ETAG_STEM = stem();
let counter = 0;

function stem(): string {
  const h = randomBytes(10).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-a${h.slice(15, 18)}-`;
}

const render = (stemText: string, n: number): string => stemText + n.toString(16).padStart(12, '0');

export function nextSeq(): number {
  return ++counter;
}

export class ObjectVersion implements VersionRecord {
  private readonly vid: number | string;
  private tag: number | string;

  constructor(
    versionId: string | undefined,
    etag: string | undefined,
    readonly md5: string,
    readonly size: number,
    readonly timeCreated: number,
    public timeModified: number,
    public storageTier: StorageTier,
    public archivalState: ArchivalState | undefined,
    public encryption: Encryption | null,
    readonly isDeleteMarker: boolean,
    readonly contentType: string | undefined,
    readonly metadata: Readonly<Record<string, string>> | undefined,
  ) {
    this.vid = versionId ?? ++counter;
    this.tag = etag ?? ++counter;
  }

  get versionId(): string {
    return typeof this.vid === 'string' ? this.vid : render(VERSION_STEM, this.vid);
  }

  get etag(): string {
    return typeof this.tag === 'string' ? this.tag : render(ETAG_STEM, this.tag);
  }

  set etag(value: string) {
    this.tag = value;
  }

  /** A fresh ETag (after a change of the version's data or metadata). */
  renewEtag(): void {
    this.tag = ++counter;
  }
}
