/** Public types of the emulator's in-process surface. */

export const StorageTiers = ['Standard', 'InfrequentAccess', 'Archive'] as const;
export type StorageTier = (typeof StorageTiers)[number];

export const ArchivalStates = ['Available', 'Archived', 'Restoring', 'Restored'] as const;
export type ArchivalState = (typeof ArchivalStates)[number];

export type Versioning = 'Enabled' | 'Suspended' | 'Disabled';

/** How one object version is encrypted. Immutable: instances are shared. */
export type Encryption =
  | { readonly kind: 'kms'; readonly keyId: string; readonly keyVersionId: string }
  | { readonly kind: 'oracle' }
  | { readonly kind: 'sse-c'; readonly keySha256: string };

/** Encryption as a caller may give it when seeding (keyVersionId defaults to the key's current version). */
export type EncryptionInput =
  | { kind: 'kms'; keyId: string; keyVersionId?: string }
  | { kind: 'oracle' }
  | { kind: 'sse-c'; keySha256: string };

/** One stored object version (internal record; exposed read-only). */
export interface VersionRecord {
  readonly versionId: string;
  etag: string;
  readonly md5: string;
  readonly size: number;
  readonly timeCreated: number;
  timeModified: number;
  storageTier: StorageTier;
  archivalState: ArchivalState | undefined;
  /** null for a delete marker. */
  encryption: Encryption | null;
  readonly isDeleteMarker: boolean;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

export interface SeedVersion {
  size?: number;
  md5?: string;
  etag?: string;
  versionId?: string;
  timeCreated?: Date | string | number;
  timeModified?: Date | string | number;
  storageTier?: StorageTier;
  archivalState?: ArchivalState;
  encryption?: EncryptionInput;
  contentType?: string;
  metadata?: Record<string, string>;
}

export interface SeedObject extends SeedVersion {
  name: string;
  /** Older versions of the object, oldest first (the fields above describe the newest). */
  previousVersions?: SeedVersion[];
  /** Put a delete marker on top (the object then only shows in ListObjectVersions). */
  deleteMarker?: boolean | { timeModified?: Date | string | number };
}

/** Generates `count` objects named `${prefix}${index padded to pad digits}${suffix}`. */
export interface SeedGenerator {
  count: number;
  prefix?: string;
  suffix?: string;
  /** Digits of the zero-padded index (default: enough for count). */
  pad?: number;
  startIndex?: number;
  size?: number;
  timeModified?: Date | string | number;
  /** Milliseconds added to timeModified per index (default 0). */
  timeStepMs?: number;
  storageTier?: StorageTier;
  encryption?: EncryptionInput;
  /** Every Nth object (by index) is Archived. */
  archivedEvery?: number;
  /** Number of older versions per object (default 0). */
  extraVersions?: number;
  /** Encryption of the older versions (default: same as newest). */
  extraVersionEncryption?: EncryptionInput;
  /** Every Nth object gets a delete marker on top. */
  deleteMarkerEvery?: number;
}

export interface SeedResult {
  objects: number;
  versions: number;
  ms: number;
}

export interface EncryptionRow {
  name: string;
  versionId: string;
  isDeleteMarker: boolean;
  isLatest: boolean;
  timeCreated: Date;
  timeModified: Date;
  archivalState: ArchivalState | undefined;
  storageTier: StorageTier;
  encryption: { kind: 'kms' | 'oracle' | 'sse-c' | 'none'; keyId?: string; keyVersionId?: string; keySha256?: string };
}

export interface EncryptionSummaryRow {
  kind: 'kms' | 'oracle' | 'sse-c';
  keyId?: string;
  keyVersionId?: string;
  keySha256?: string;
  count: number;
}

export interface ReadEncryptionOptions {
  prefix?: string;
  /** Include every version and delete markers (default: only the latest live version of each object). */
  includeVersions?: boolean;
}
