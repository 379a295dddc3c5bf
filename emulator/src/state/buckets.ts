import { ApiError } from '../errors';
import { ObjectStore } from '../object-store';
import type { EmulatorState } from '../state';
import type { Versioning } from '../types';
import { newOcid, newUuid } from '../util';

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

export function getBucket(state: EmulatorState, name: string): BucketRec {
  const bucket = state.buckets.get(name);
  if (!bucket) throw new ApiError(404, 'BucketNotFound', `Either the bucket named '${name}' does not exist in the namespace '${state.namespace}' or you are not authorized to access it`);
  return bucket;
}

export function createBucket(state: EmulatorState, input: CreateBucketInput): BucketRec {
  if (!input.name || !/^[A-Za-z0-9_.-]{1,256}$/.test(input.name)) {
    throw new ApiError(400, 'InvalidParameter', `Invalid bucket name '${input.name}'`);
  }
  if (!input.compartmentId) throw new ApiError(400, 'InvalidParameter', 'compartmentId is required');
  if (state.buckets.has(input.name)) {
    throw new ApiError(409, 'BucketAlreadyExists', `Either the bucket '${input.name}' in namespace '${state.namespace}' already exists or you are not authorized to create it`);
  }
  if (input.kmsKeyId) state.usableKey(input.kmsKeyId);
  state.compartment(input.compartmentId);
  const bucket: BucketRec = {
    id: newOcid('bucket', state.region),
    name: input.name,
    namespace: state.namespace,
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
    store: new ObjectStore(state.assumptions.sortByCodePoint),
  };
  state.buckets.set(bucket.name, bucket);
  state.events?.bucketChanged('createbucket', bucket);
  return bucket;
}

export function updateBucket(state: EmulatorState, name: string, input: UpdateBucketInput): BucketRec {
  const bucket = state.bucket(name);
  if (input.kmsKeyId) state.usableKey(input.kmsKeyId);
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
  state.events?.bucketChanged('updatebucket', bucket);
  return bucket;
}
