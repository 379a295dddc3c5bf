/**
 * Every OCI operation the function performs, with the IAM permission it needs
 * and the smallest policy verb that grants it (Object Storage and Vault policy
 * reference). The Terraform tests derive the required IAM statements from this
 * list, so a new call added to the code must be added here. An operation that
 * needs permissions on two resource types is listed once for each.
 */
export interface OciOperation {
  readonly operation: string;
  readonly service: 'objectstorage' | 'keymanagement' | 'secrets' | 'functions' | 'monitoring' | 'notifications';
  readonly permissions: readonly string[];
  /** Policy verb and resource type that grant it, e.g. `inspect buckets`. */
  readonly verb: 'inspect' | 'read' | 'use' | 'manage';
  readonly resourceType: string;
  /** The optional feature that needs it; absent = always needed. */
  readonly feature?: 'sse-c' | 'self-invoke' | 'state' | 'manual-kms-key' | 'metrics' | 'bucket-strategy' | 'resume-topic';
}

export const OCI_OPERATIONS: readonly OciOperation[] = [
  { operation: 'GetNamespace', service: 'objectstorage', permissions: [], verb: 'inspect', resourceType: 'buckets' },
  { operation: 'ListBuckets', service: 'objectstorage', permissions: ['BUCKET_INSPECT'], verb: 'inspect', resourceType: 'buckets' },
  { operation: 'GetBucket', service: 'objectstorage', permissions: ['BUCKET_READ'], verb: 'read', resourceType: 'buckets' },
  { operation: 'ListObjects', service: 'objectstorage', permissions: ['OBJECT_INSPECT'], verb: 'inspect', resourceType: 'objects' },
  { operation: 'ListObjectVersions', service: 'objectstorage', permissions: ['OBJECT_INSPECT'], verb: 'inspect', resourceType: 'objects' },
  { operation: 'ReencryptObject', service: 'objectstorage', permissions: ['OBJECT_READ', 'OBJECT_OVERWRITE'], verb: 'use', resourceType: 'objects' },
  { operation: 'GetVault', service: 'keymanagement', permissions: ['VAULT_READ'], verb: 'read', resourceType: 'vaults' },
  { operation: 'GetKey', service: 'keymanagement', permissions: ['KEY_READ'], verb: 'read', resourceType: 'keys' },
  { operation: 'GetKeyVersion', service: 'keymanagement', permissions: ['KEY_READ'], verb: 'read', resourceType: 'keys' },
  // ReencryptObject with an explicit kmsKeyId (a manual request's allowlisted key) also assigns that key to
  // the object: Oracle asks for `use key-delegate` to assign one's own key (likely, unverified, for re-encryption).
  { operation: 'ReencryptObject', service: 'keymanagement', permissions: ['KEY_ASSOCIATE'], verb: 'use', resourceType: 'key-delegate', feature: 'manual-kms-key' },
  { operation: 'GetSecretBundle', service: 'secrets', permissions: ['SECRET_BUNDLE_READ'], verb: 'read', resourceType: 'secret-bundles', feature: 'sse-c' },
  // The run state store (REENCRYPT_STATE_BUCKET): only on the state bucket (`target.bucket.name`).
  { operation: 'PutObject', service: 'objectstorage', permissions: ['OBJECT_CREATE', 'OBJECT_OVERWRITE'], verb: 'manage', resourceType: 'objects', feature: 'state' },
  { operation: 'GetObject', service: 'objectstorage', permissions: ['OBJECT_READ'], verb: 'read', resourceType: 'objects', feature: 'state' },
  { operation: 'DeleteObject', service: 'objectstorage', permissions: ['OBJECT_DELETE'], verb: 'manage', resourceType: 'objects', feature: 'state' },
  // Self-discovery of the invoke endpoint (GetFunction on FN_FN_ID), then the detached invoke.
  { operation: 'GetFunction', service: 'functions', permissions: ['FN_FUNCTION_READ'], verb: 'read', resourceType: 'fn-function', feature: 'self-invoke' },
  { operation: 'InvokeFunction', service: 'functions', permissions: ['FN_INVOCATION'], verb: 'use', resourceType: 'fn-invocation', feature: 'self-invoke' },
  // The bucket strategy (REENCRYPT_STRATEGY bucket or auto, or a request's strategy): one ReencryptBucket per
  // bucket, then its work request. Object Storage's policy reference lists GetWorkRequest under OBJECT_READ;
  // ListWorkRequestErrors is taken to need the same (not listed separately: unverified).
  { operation: 'ReencryptBucket', service: 'objectstorage', permissions: ['BUCKET_UPDATE'], verb: 'use', resourceType: 'buckets', feature: 'bucket-strategy' },
  { operation: 'GetWorkRequest', service: 'objectstorage', permissions: ['OBJECT_READ'], verb: 'read', resourceType: 'objects', feature: 'bucket-strategy' },
  { operation: 'ListWorkRequestErrors', service: 'objectstorage', permissions: ['OBJECT_READ'], verb: 'read', resourceType: 'objects', feature: 'bucket-strategy' },
  // A run's first invocation whose successor Functions refused publishes its resume to the failure destination's
  // topic (REENCRYPT_RESUME_TOPIC_ID). Notifications policy reference: `use ons-topics` covers PublishMessage (ONS_TOPIC_PUBLISH).
  { operation: 'PublishMessage', service: 'notifications', permissions: ['ONS_TOPIC_PUBLISH'], verb: 'use', resourceType: 'ons-topics', feature: 'resume-topic' },
  { operation: 'PostMetricData', service: 'monitoring', permissions: ['METRIC_WRITE'], verb: 'use', resourceType: 'metrics', feature: 'metrics' },
];
