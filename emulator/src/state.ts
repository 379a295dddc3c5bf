import type { Assumptions } from './assumptions';
import { ApiError, EmulatorUsageError } from './errors';
import * as buckets from './state/buckets';
import type { BucketRec, CreateBucketInput, UpdateBucketInput } from './state/buckets';
import * as keys from './state/keys';
import type { KeyRec, KeyVersionRec, VaultRec } from './state/keys';
import * as objects from './state/objects';
import * as secrets from './state/secrets';
import type { CreateSecretInput, SecretRec } from './state/secrets';
import type { UploadRec } from './state/multipart';
import type { WorkRequestRec } from './state/work-requests';
import type { StreamRec } from './state/streams';
import type { ApiRuleRec } from './state/event-rules';
import type {
  Encryption,
  EncryptionInput,
  EncryptionRow,
  EncryptionSummaryRow,
  ReadEncryptionOptions,
  SeedGenerator,
  SeedObject,
  SeedResult,
  VersionRecord,
} from './types';
import { newOcid } from './util';

export type { BucketRec, CreateBucketInput, UpdateBucketInput } from './state/buckets';
export type { KeyRec, KeyVersionRec, VaultRec } from './state/keys';
export type { CreateSecretInput, SecretRec, SecretVersionRec } from './state/secrets';
export type { WorkRequestRec } from './state/work-requests';
export type { UploadEncryption, UploadPartRec, UploadRec } from './state/multipart';
export type { StreamRec, StreamMessageRec } from './state/streams';
export type { ApiRuleRec, ApiRuleAction } from './state/event-rules';

export interface CompartmentRec {
  id: string;
  name: string;
  parentId: string | undefined;
}

/** Receives what happened, so the Events emulation can publish it. */
export interface StateEvents {
  bucketChanged(kind: 'createbucket' | 'updatebucket', bucket: BucketRec): void;
  objectChanged(kind: 'createobject' | 'updateobject' | 'deleteobject', bucket: BucketRec, name: string, version: VersionRecord): void;
  keyVersionCreated(key: KeyRec, version: KeyVersionRec, automatic: boolean): void;
}

const ORACLE: Encryption = Object.freeze({ kind: 'oracle' });

/**
 * The in-memory model of one tenancy in one region. Each resource family's records and
 * operations live in state/<family>.ts; this class holds the maps and delegates to them.
 */
export class EmulatorState {
  readonly compartments = new Map<string, CompartmentRec>();
  readonly vaults = new Map<string, VaultRec>();
  readonly keys = new Map<string, KeyRec>();
  readonly keyVersions = new Map<string, KeyVersionRec>();
  readonly secrets = new Map<string, SecretRec>();
  readonly buckets = new Map<string, BucketRec>();
  readonly workRequests = new Map<string, WorkRequestRec>();
  /** Multipart uploads in progress, by uploadId. */
  readonly uploads = new Map<string, UploadRec>();
  /** Streaming: streams by OCID (state/streams.ts), the default stream pool of each compartment. */
  readonly streams = new Map<string, StreamRec>();
  readonly defaultStreamPools = new Map<string, string>();
  /** Events rules made through the API (state/event-rules.ts). */
  readonly eventRules = new Map<string, ApiRuleRec>();
  private readonly kmsEncryptions = new Map<string, Encryption>();
  private readonly sseCEncryptions = new Map<string, Encryption>();
  events: StateEvents | undefined;
  /**
   * Bodies of objects written with PutObject, up to MAX_STORED_BODY_BYTES each (assumption
   * A20). Keyed by the version record, so seeded versions (no body) cost nothing.
   */
  readonly objectBodies = new WeakMap<VersionRecord, Buffer>();
  /** Successful ReencryptObject calls per version (tests prove "each version exactly once"); reset with the counters. */
  reencryptCalls = new WeakMap<VersionRecord, number>();
  /** Object lifecycle policies by bucket name (PutObjectLifecyclePolicy): stored, not executed. */
  readonly lifecyclePolicies = new Map<string, { items: unknown[]; timeCreated: number }>();
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

  // ---- vault and keys (state/keys.ts) -----------------------------------

  createVault(input: { compartmentId: string; displayName?: string }): VaultRec {
    return keys.createVault(this, input);
  }

  createKey(input: { vaultId: string; compartmentId?: string; displayName?: string }): KeyRec {
    return keys.createKey(this, input);
  }

  /**
   * CreateKeyVersion (a manual rotation), or with `automatic` an automatic
   * rotation. Emits createkeyversion.begin/.end or autokeyrotate.begin/.end.
   */
  rotateKey(keyId: string, automatic = false): KeyVersionRec {
    return keys.rotateKey(this, keyId, automatic);
  }

  currentKeyVersion(key: KeyRec): KeyVersionRec {
    return key.versions[key.versions.length - 1] as KeyVersionRec;
  }

  // ---- secrets (state/secrets.ts) ----------------------------------------

  createSecret(input: CreateSecretInput): SecretRec {
    return secrets.createSecret(this, input);
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

  // ---- buckets (state/buckets.ts) ----------------------------------------

  bucket(name: string): BucketRec {
    return buckets.getBucket(this, name);
  }

  createBucket(input: CreateBucketInput): BucketRec {
    return buckets.createBucket(this, input);
  }

  updateBucket(name: string, input: UpdateBucketInput): BucketRec {
    return buckets.updateBucket(this, name, input);
  }

  // ---- seeding and inspection (state/objects.ts) -------------------------

  deleteMarker(timeModified: number): VersionRecord {
    return objects.deleteMarker(timeModified);
  }

  /** Bulk insert object versions, bypassing the API (no events, no counters). */
  seedObjects(bucketName: string, input: SeedObject[] | SeedGenerator): SeedResult {
    return objects.seedObjects(this, bucketName, input);
  }

  /** Every object version's encryption state, in list order (name, then newest version first). */
  iterateEncryption(bucketName: string, options: ReadEncryptionOptions = {}): Generator<EncryptionRow> {
    return objects.iterateEncryption(this, bucketName, options);
  }

  readEncryption(bucketName: string, options: ReadEncryptionOptions = {}): EncryptionRow[] {
    return objects.readEncryption(this, bucketName, options);
  }

  /** Counts per (kind, keyId, keyVersionId / keySha256); delete markers are not counted. */
  encryptionSummary(bucketName: string, options: ReadEncryptionOptions = {}): EncryptionSummaryRow[] {
    return objects.encryptionSummary(this, bucketName, options);
  }
}
