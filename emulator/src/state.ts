import type { Assumptions } from './assumptions';
import { ApiError, EmulatorUsageError } from './errors';
import { ObjectStore } from './object-store';
import type {
  ArchivalState,
  Encryption,
  EncryptionInput,
  EncryptionRow,
  EncryptionSummaryRow,
  ReadEncryptionOptions,
  SeedGenerator,
  SeedObject,
  SeedResult,
  SeedVersion,
  StorageTier,
  VersionRecord,
  Versioning,
} from './types';
import { md5Base64, newOcid, newUuid, toDate } from './util';
import { ObjectVersion } from './version';

export interface CompartmentRec {
  id: string;
  name: string;
  parentId: string | undefined;
}

export interface VaultRec {
  id: string;
  compartmentId: string;
  displayName: string;
  timeCreated: number;
  wrappingkeyId: string;
}

export interface KeyVersionRec {
  id: string;
  keyId: string;
  vaultId: string;
  compartmentId: string;
  timeCreated: number;
  isAutoRotated: boolean;
}

export interface KeyRec {
  id: string;
  compartmentId: string;
  vaultId: string;
  displayName: string;
  timeCreated: number;
  lifecycleState: 'ENABLED' | 'DISABLED';
  /** Oldest first; the last one is the current version. */
  versions: KeyVersionRec[];
  etag: string;
}

export interface SecretRec {
  id: string;
  compartmentId: string;
  name: string;
  versions: { versionNumber: number; content: string; timeCreated: number }[];
}

export interface BucketRec {
  id: string;
  name: string;
  namespace: string;
  compartmentId: string;
  createdBy: string;
  timeCreated: number;
  etag: string;
  kmsKeyId: string | undefined;
  versioning: Versioning;
  objectEventsEnabled: boolean;
  publicAccessType: string;
  storageTier: 'Standard' | 'Archive';
  freeformTags: Record<string, string>;
  definedTags: Record<string, Record<string, unknown>>;
  store: ObjectStore;
}

export interface WorkRequestRec {
  id: string;
  compartmentId: string;
  bucketName: string;
  namespace: string;
  status: 'ACCEPTED' | 'IN_PROGRESS' | 'FAILED' | 'COMPLETED' | 'CANCELING' | 'CANCELED';
  timeAccepted: number;
  timeStarted: number | undefined;
  timeFinished: number | undefined;
  /** Versions to rewrap, captured when the request was accepted. */
  pending: VersionRecord[];
  done: number;
  target: Encryption | undefined;
}

export interface CreateBucketInput {
  compartmentId: string;
  name: string;
  kmsKeyId?: string;
  versioning?: 'Enabled' | 'Disabled';
  objectEventsEnabled?: boolean;
  storageTier?: 'Standard' | 'Archive';
  publicAccessType?: string;
  freeformTags?: Record<string, string>;
  createdBy?: string;
}

export interface UpdateBucketInput {
  /** Set to null or '' to go back to an Oracle-managed key. */
  kmsKeyId?: string | null;
  versioning?: 'Enabled' | 'Suspended';
  objectEventsEnabled?: boolean;
  publicAccessType?: string;
  freeformTags?: Record<string, string>;
}

/** Receives what happened, so the Events emulation can publish it. */
export interface StateEvents {
  bucketChanged(kind: 'createbucket' | 'updatebucket', bucket: BucketRec): void;
  objectChanged(kind: 'createobject' | 'updateobject' | 'deleteobject', bucket: BucketRec, name: string, version: VersionRecord): void;
  keyVersionCreated(key: KeyRec, version: KeyVersionRec, automatic: boolean): void;
}

const ORACLE: Encryption = Object.freeze({ kind: 'oracle' });
const EMPTY_MD5 = md5Base64('');

/** The in-memory model of one tenancy in one region. */
export class EmulatorState {
  readonly compartments = new Map<string, CompartmentRec>();
  readonly vaults = new Map<string, VaultRec>();
  readonly keys = new Map<string, KeyRec>();
  readonly keyVersions = new Map<string, KeyVersionRec>();
  readonly secrets = new Map<string, SecretRec>();
  readonly buckets = new Map<string, BucketRec>();
  readonly workRequests = new Map<string, WorkRequestRec>();
  private readonly kmsEncryptions = new Map<string, Encryption>();
  private readonly sseCEncryptions = new Map<string, Encryption>();
  events: StateEvents | undefined;
  /** Base URL of the emulator, once listening (vault endpoints point at it). */
  url = '';

  constructor(
    readonly region: string,
    readonly namespace: string,
    readonly tenancyId: string,
    readonly assumptions: Assumptions,
  ) {
    this.compartments.set(tenancyId, { id: tenancyId, name: 'root', parentId: undefined });
  }

  // ---- identity -----------------------------------------------------------

  createCompartment(input: { name?: string; parentId?: string; id?: string } = {}): CompartmentRec {
    const id = input.id ?? newOcid('compartment', '');
    const rec: CompartmentRec = {
      id,
      name: input.name ?? `compartment-${this.compartments.size}`,
      parentId: input.parentId ?? this.tenancyId,
    };
    this.compartments.set(id, rec);
    return rec;
  }

  /** Compartments are implicit: any OCID used as one becomes a child of the tenancy. */
  compartment(id: string): CompartmentRec {
    return this.compartments.get(id) ?? this.createCompartment({ id, name: `compartment-${this.compartments.size}` });
  }

  /** True when `id` is `ancestorId` or lies below it. */
  isInCompartment(id: string, ancestorId: string): boolean {
    let current: string | undefined = id;
    for (let depth = 0; current !== undefined && depth < 10; depth++) {
      if (current === ancestorId) return true;
      current = this.compartments.get(current)?.parentId;
    }
    return false;
  }

  // ---- vault and keys -----------------------------------------------------

  createVault(input: { compartmentId: string; displayName?: string }): VaultRec {
    this.compartment(input.compartmentId);
    const vault: VaultRec = {
      id: newOcid('vault', this.region),
      compartmentId: input.compartmentId,
      displayName: input.displayName ?? `vault-${this.vaults.size + 1}`,
      timeCreated: Date.now(),
      wrappingkeyId: newOcid('key', this.region),
    };
    this.vaults.set(vault.id, vault);
    return vault;
  }

  createKey(input: { vaultId: string; compartmentId?: string; displayName?: string }): KeyRec {
    const vault = this.vaults.get(input.vaultId);
    if (!vault) throw new EmulatorUsageError(`no vault ${input.vaultId}`);
    const compartmentId = input.compartmentId ?? vault.compartmentId;
    this.compartment(compartmentId);
    const key: KeyRec = {
      id: newOcid('key', this.region),
      compartmentId,
      vaultId: vault.id,
      displayName: input.displayName ?? `key-${this.keys.size + 1}`,
      timeCreated: Date.now(),
      lifecycleState: 'ENABLED',
      versions: [],
      etag: newUuid(),
    };
    this.keys.set(key.id, key);
    this.addKeyVersion(key);
    return key;
  }

  private addKeyVersion(key: KeyRec, isAutoRotated = false): KeyVersionRec {
    const version: KeyVersionRec = {
      isAutoRotated,
      id: newOcid('keyversion', this.region),
      keyId: key.id,
      vaultId: key.vaultId,
      compartmentId: key.compartmentId,
      timeCreated: Date.now(),
    };
    key.versions.push(version);
    key.etag = newUuid();
    this.keyVersions.set(version.id, version);
    return version;
  }

  /**
   * CreateKeyVersion (a manual rotation), or with `automatic` an automatic
   * rotation. Emits createkeyversion.begin/.end or autokeyrotate.begin/.end.
   */
  rotateKey(keyId: string, automatic = false): KeyVersionRec {
    const key = this.keys.get(keyId);
    if (!key) throw new ApiError(404, 'NotAuthorizedOrNotFound', `Key ${keyId} not found`);
    if (key.lifecycleState !== 'ENABLED') throw new ApiError(409, 'IncorrectState', `Key ${keyId} is ${key.lifecycleState}`);
    const version = this.addKeyVersion(key, automatic);
    this.events?.keyVersionCreated(key, version, automatic);
    return version;
  }

  currentKeyVersion(key: KeyRec): KeyVersionRec {
    return key.versions[key.versions.length - 1] as KeyVersionRec;
  }

  // ---- secrets ------------------------------------------------------------

  createSecret(input: { compartmentId: string; base64Content: string; name?: string }): SecretRec {
    this.compartment(input.compartmentId);
    const secret: SecretRec = {
      id: newOcid('vaultsecret', this.region),
      compartmentId: input.compartmentId,
      name: input.name ?? `secret-${this.secrets.size + 1}`,
      versions: [{ versionNumber: 1, content: input.base64Content, timeCreated: Date.now() }],
    };
    this.secrets.set(secret.id, secret);
    return secret;
  }

  // ---- encryption ---------------------------------------------------------

  kmsEncryption(keyId: string, keyVersionId: string): Encryption {
    const id = `${keyId}|${keyVersionId}`;
    let enc = this.kmsEncryptions.get(id);
    if (!enc) {
      enc = Object.freeze({ kind: 'kms', keyId, keyVersionId });
      this.kmsEncryptions.set(id, enc);
    }
    return enc;
  }

  sseCEncryption(keySha256: string): Encryption {
    let enc = this.sseCEncryptions.get(keySha256);
    if (!enc) {
      enc = Object.freeze({ kind: 'sse-c', keySha256 });
      this.sseCEncryptions.set(keySha256, enc);
    }
    return enc;
  }

  readonly oracleEncryption: Encryption = ORACLE;

  /** A usable key (exists and enabled), or the configured error. */
  usableKey(keyId: string): KeyRec {
    const key = this.keys.get(keyId);
    if (!key || key.lifecycleState !== 'ENABLED') {
      throw ApiError.from(this.assumptions.unknownKmsKey, `The KMS key ${keyId} does not exist, is not enabled, or is not authorized`);
    }
    return key;
  }

  /** The encryption a new write gets from its bucket. */
  bucketEncryption(bucket: BucketRec): Encryption {
    if (!bucket.kmsKeyId) return ORACLE;
    const key = this.usableKey(bucket.kmsKeyId);
    return this.kmsEncryption(key.id, this.currentKeyVersion(key).id);
  }

  resolveEncryptionInput(input: EncryptionInput | undefined, bucket: BucketRec): Encryption {
    if (!input) return this.bucketEncryption(bucket);
    switch (input.kind) {
      case 'oracle':
        return ORACLE;
      case 'sse-c':
        return this.sseCEncryption(input.keySha256);
      case 'kms': {
        const key = this.keys.get(input.keyId);
        if (!key) throw new EmulatorUsageError(`no key ${input.keyId}`);
        const versionId = input.keyVersionId ?? this.currentKeyVersion(key).id;
        if (!key.versions.some((v) => v.id === versionId)) {
          throw new EmulatorUsageError(`key ${input.keyId} has no version ${versionId}`);
        }
        return this.kmsEncryption(key.id, versionId);
      }
    }
  }

  // ---- buckets ------------------------------------------------------------

  bucket(name: string): BucketRec {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new ApiError(404, 'BucketNotFound', `Either the bucket named '${name}' does not exist in the namespace '${this.namespace}' or you are not authorized to access it`);
    return bucket;
  }

  createBucket(input: CreateBucketInput): BucketRec {
    if (!input.name || !/^[A-Za-z0-9_.-]{1,256}$/.test(input.name)) {
      throw new ApiError(400, 'InvalidParameter', `Invalid bucket name '${input.name}'`);
    }
    if (!input.compartmentId) throw new ApiError(400, 'InvalidParameter', 'compartmentId is required');
    if (this.buckets.has(input.name)) {
      throw new ApiError(409, 'BucketAlreadyExists', `Either the bucket '${input.name}' in namespace '${this.namespace}' already exists or you are not authorized to create it`);
    }
    if (input.kmsKeyId) this.usableKey(input.kmsKeyId);
    this.compartment(input.compartmentId);
    const bucket: BucketRec = {
      id: newOcid('bucket', this.region),
      name: input.name,
      namespace: this.namespace,
      compartmentId: input.compartmentId,
      createdBy: input.createdBy ?? newOcid('user', ''),
      timeCreated: Date.now(),
      etag: newUuid(),
      kmsKeyId: input.kmsKeyId || undefined,
      versioning: input.versioning ?? 'Disabled',
      objectEventsEnabled: input.objectEventsEnabled ?? false,
      publicAccessType: input.publicAccessType ?? 'NoPublicAccess',
      storageTier: input.storageTier ?? 'Standard',
      freeformTags: input.freeformTags ?? {},
      definedTags: {},
      store: new ObjectStore(this.assumptions.sortByCodePoint),
    };
    this.buckets.set(bucket.name, bucket);
    this.events?.bucketChanged('createbucket', bucket);
    return bucket;
  }

  updateBucket(name: string, input: UpdateBucketInput): BucketRec {
    const bucket = this.bucket(name);
    if (input.kmsKeyId) this.usableKey(input.kmsKeyId);
    if (input.versioning !== undefined) {
      if (input.versioning !== 'Enabled' && input.versioning !== 'Suspended') {
        throw new ApiError(400, 'InvalidParameter', `versioning must be Enabled or Suspended, not '${String(input.versioning)}'`);
      }
      if (input.versioning === 'Suspended' && bucket.versioning === 'Disabled') {
        throw new ApiError(400, 'InvalidParameter', 'Versioning cannot be suspended on a bucket where it was never enabled');
      }
      bucket.versioning = input.versioning;
    }
    if (input.kmsKeyId !== undefined) bucket.kmsKeyId = input.kmsKeyId || undefined;
    if (input.objectEventsEnabled !== undefined) bucket.objectEventsEnabled = input.objectEventsEnabled;
    if (input.publicAccessType !== undefined) bucket.publicAccessType = input.publicAccessType;
    if (input.freeformTags !== undefined) bucket.freeformTags = input.freeformTags;
    bucket.etag = newUuid();
    this.events?.bucketChanged('updatebucket', bucket);
    return bucket;
  }

  // ---- seeding and inspection --------------------------------------------

  private seedVersion(bucket: BucketRec, v: SeedVersion, now: number, fallback: Encryption): VersionRecord {
    const timeModified = toDate(v.timeModified, now);
    const storageTier: StorageTier = v.storageTier ?? (bucket.storageTier === 'Archive' ? 'Archive' : 'Standard');
    const archivalState: ArchivalState | undefined = v.archivalState ?? (storageTier === 'Archive' ? 'Archived' : undefined);
    return new ObjectVersion(
      v.versionId, v.etag, v.md5 ?? EMPTY_MD5, v.size ?? 0, toDate(v.timeCreated, timeModified), timeModified,
      storageTier, archivalState, v.encryption ? this.resolveEncryptionInput(v.encryption, bucket) : fallback,
      false, v.contentType, v.metadata,
    );
  }

  deleteMarker(timeModified: number): VersionRecord {
    return new ObjectVersion(undefined, undefined, EMPTY_MD5, 0, timeModified, timeModified, 'Standard', undefined, null, true, undefined, undefined);
  }

  /** Bulk insert object versions, bypassing the API (no events, no counters). */
  seedObjects(bucketName: string, input: SeedObject[] | SeedGenerator): SeedResult {
    const started = Date.now();
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
    const fallback = this.bucketEncryption(bucket);
    const entries = new Map<string, VersionRecord[]>();
    let versions = 0;
    const push = (name: string, list: VersionRecord[]): void => {
      const existing = entries.get(name);
      if (existing) existing.push(...list);
      else entries.set(name, list);
      versions += list.length;
    };
    if (Array.isArray(input)) {
      for (const o of input) {
        if (typeof o.name !== 'string' || o.name === '') throw new EmulatorUsageError('every seeded object needs a name');
        const list: VersionRecord[] = [];
        for (const pv of o.previousVersions ?? []) list.push(this.seedVersion(bucket, pv, started, fallback));
        const newest = this.seedVersion(bucket, o, started, fallback);
        list.push(newest);
        if (o.deleteMarker) {
          const t = typeof o.deleteMarker === 'object' ? toDate(o.deleteMarker.timeModified, started) : Math.max(started, newest.timeModified + 1);
          list.push(this.deleteMarker(t));
        }
        push(o.name, list);
      }
    } else {
      const g = input;
      if (!Number.isInteger(g.count) || g.count < 0) throw new EmulatorUsageError(`count must be a non-negative integer, got ${g.count}`);
      const start = g.startIndex ?? 0;
      const pad = g.pad ?? String(start + g.count - 1).length;
      const prefix = g.prefix ?? 'object-';
      const suffix = g.suffix ?? '';
      const baseTime = toDate(g.timeModified, started);
      const step = g.timeStepMs ?? 0;
      const encryption = g.encryption ? this.resolveEncryptionInput(g.encryption, bucket) : fallback;
      const oldEncryption = g.extraVersionEncryption ? this.resolveEncryptionInput(g.extraVersionEncryption, bucket) : encryption;
      const extra = g.extraVersions ?? 0;
      const tier: StorageTier = g.storageTier ?? 'Standard';
      const md5 = EMPTY_MD5;
      const names: string[] = [];
      const lists: (VersionRecord | VersionRecord[])[] = [];
      const size = g.size ?? 0;
      for (let i = start; i < start + g.count; i++) {
        const name = `${prefix}${String(i).padStart(pad, '0')}${suffix}`;
        const t = baseTime + (i - start) * step;
        const archived = (g.archivedEvery !== undefined && g.archivedEvery > 0 && i % g.archivedEvery === 0) || tier === 'Archive';
        const newest = new ObjectVersion(undefined, undefined, md5, size, t, t, archived ? 'Archive' : tier, archived ? 'Archived' : undefined, encryption, false, undefined, undefined);
        const marker = g.deleteMarkerEvery !== undefined && g.deleteMarkerEvery > 0 && i % g.deleteMarkerEvery === 0;
        if (extra === 0 && !marker) {
          names.push(name);
          lists.push(newest);
          versions++;
          continue;
        }
        const list: VersionRecord[] = [];
        for (let k = extra; k >= 1; k--) {
          list.push(new ObjectVersion(undefined, undefined, md5, size, t - k * 1000, t - k * 1000, tier, tier === 'Archive' ? 'Archived' : undefined, oldEncryption, false, undefined, undefined));
        }
        list.push(newest);
        if (marker) list.push(this.deleteMarker(t + 1));
        names.push(name);
        lists.push(list);
        versions += list.length;
      }
      bucket.store.bulkInsert(names, lists);
      return { objects: names.length, versions, ms: Date.now() - started };
    }
    bucket.store.bulkInsert([...entries.keys()], [...entries.values()].map((l) => (l.length === 1 ? (l[0] as VersionRecord) : l)));
    return { objects: entries.size, versions, ms: Date.now() - started };
  }

  /** Every object version's encryption state, in list order (name, then newest version first). */
  *iterateEncryption(bucketName: string, options: ReadEncryptionOptions = {}): Generator<EncryptionRow> {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
    const store = bucket.store;
    const prefix = options.prefix ?? '';
    for (const name of store.namesFrom(store.lowerBound(prefix))) {
      if (!name.startsWith(prefix)) break;
      const list = store.versions(name);
      if (!list || list.length === 0) continue;
      for (let i = list.length - 1; i >= 0; i--) {
        const v = list[i] as VersionRecord;
        const isLatest = i === list.length - 1;
        if (!options.includeVersions && (!isLatest || v.isDeleteMarker)) break;
        yield toRow(name, v, isLatest);
      }
    }
  }

  readEncryption(bucketName: string, options: ReadEncryptionOptions = {}): EncryptionRow[] {
    return [...this.iterateEncryption(bucketName, options)];
  }

  /** Counts per (kind, keyId, keyVersionId / keySha256); delete markers are not counted. */
  encryptionSummary(bucketName: string, options: ReadEncryptionOptions = {}): EncryptionSummaryRow[] {
    const bucket = this.buckets.get(bucketName);
    if (!bucket) throw new EmulatorUsageError(`no bucket ${bucketName}`);
    const counts = new Map<Encryption, number>();
    const store = bucket.store;
    const prefix = options.prefix ?? '';
    for (const name of store.namesFrom(store.lowerBound(prefix))) {
      if (!name.startsWith(prefix)) break;
      const list = store.versions(name) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const v = list[i] as VersionRecord;
        if (!options.includeVersions && (i !== list.length - 1 || v.isDeleteMarker)) break;
        if (v.encryption) counts.set(v.encryption, (counts.get(v.encryption) ?? 0) + 1);
      }
    }
    return [...counts].map(([enc, count]) => ({ ...enc, count }));
  }
}

function toRow(name: string, v: VersionRecord, isLatest: boolean): EncryptionRow {
  const e = v.encryption;
  return {
    name,
    versionId: v.versionId,
    isDeleteMarker: v.isDeleteMarker,
    isLatest,
    timeCreated: new Date(v.timeCreated),
    timeModified: new Date(v.timeModified),
    archivalState: v.archivalState,
    storageTier: v.storageTier,
    encryption: e === null ? { kind: 'none' } : { ...e },
  };
}
