/**
 * The function's configuration: OCI Functions passes it as environment
 * variables (4 KB in total). This schema is the single source of the keys,
 * their defaults and their limits; the Terraform module's `config` map is
 * tested against it.
 */
const OCID_LIST = '^(ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)(\\s*,\\s*ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)*$';
/** A comma-separated list of OCIDs of one resource type (`key`, `vaultsecret`). */
const ocidListOf = (type: string): string => {
  const one = `ocid1\\.${type}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+`;
  return `^${one}(\\s*,\\s*${one})*$`;
};
const HTTP_URL = '^https?://[^\\s/$.?#][^\\s]*$';

export const CONFIG_SCHEMA = {
  $id: 'oci-reencrypt/config',
  type: 'object',
  properties: {
    REENCRYPT_COMPARTMENT_IDS: {
      type: 'string', default: '', pattern: `(${OCID_LIST})|^$`,
      description: 'Comma-separated compartment OCIDs whose buckets a key rotation sweeps. Empty: the compartment named in the event.',
    },
    REENCRYPT_NAMESPACE: {
      type: 'string', default: '', pattern: '^[a-z0-9-]*$', maxLength: 64,
      description: 'Object Storage namespace. Empty: looked up with GetNamespace.',
    },
    REENCRYPT_VAULT_IDS: {
      type: 'string', default: '', pattern: `(${OCID_LIST})|^$`,
      description: 'Comma-separated vault OCIDs to look keys up in when an event or request names no vault.',
    },
    REENCRYPT_ALLOWED_KMS_KEY_IDS: {
      type: 'string', default: '', pattern: `(${ocidListOf('key')})|^$`,
      description: 'Comma-separated key OCIDs a manual request may name as kmsKeyId besides the bucket\'s own key. Empty: only the bucket\'s own key.',
    },
    REENCRYPT_ALLOWED_SSE_C_SECRET_IDS: {
      type: 'string', default: '', pattern: `(${ocidListOf('vaultsecret')})|^$`,
      description: 'Comma-separated Vault secret OCIDs a manual request may name as sseCustomerKeySecretId or sourceSseCustomerKeySecretId. Empty: none.',
    },
    REENCRYPT_CONCURRENCY: {
      type: 'integer', default: 16, minimum: 1, maximum: 256,
      description: 'Re-encryptions in flight at once, shared across buckets.',
    },
    REENCRYPT_SAFETY_MARGIN_SECONDS: {
      type: 'integer', default: 20, minimum: 1, maximum: 120,
      description: 'Stop starting new work this long before Fn-Deadline and answer with a continuation.',
    },
    REENCRYPT_CLOCK_SKEW_SECONDS: {
      type: 'integer', default: 120, minimum: 0, maximum: 3600,
      description: 'Added to a key version\'s creation time: objects written up to this long after a rotation are re-encrypted too (the safe side).',
    },
    REENCRYPT_MAX_ATTEMPTS: {
      type: 'integer', default: 4, minimum: 1, maximum: 10,
      description: 'Attempts per OCI call (first try included), always bounded by the time left before the deadline.',
    },
    REENCRYPT_HANDLE_UPDATE_OBJECT: {
      type: 'boolean', default: false,
      description: 'Also act on com.oraclecloud.objectstorage.updateobject events. Off by default: re-encryption itself may emit them.',
    },
    REENCRYPT_SELF_INVOKE: {
      type: 'boolean', default: true,
      description: 'When a sweep runs out of time, continue it in a detached invocation of this function (found through FN_FN_ID and GetFunction). false: only answer with where it stopped.',
    },
    REENCRYPT_STATE_BUCKET: {
      type: 'string', default: '', pattern: '^[A-Za-z0-9._-]*$', maxLength: 256,
      description: 'Bucket (in REENCRYPT_NAMESPACE) holding run state, checkpoints and final reports. Empty: sweeps are not durable; the answer carries a continuation token.',
    },
    REENCRYPT_RESUME_TOPIC_ID: {
      type: 'string', default: '', pattern: '^(ocid1\\.onstopic\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)?$',
      description: 'Notifications topic the function is subscribed to (its failure destination): an invocation that started a run and whose successor Functions refused publishes {"resume": "<runId>"} to it, and Notifications delivers that to the function, retrying while Functions is full. Needs REENCRYPT_NOTIFICATIONS_ENDPOINT. Empty: such a run waits to be resumed by hand.',
    },
    REENCRYPT_NOTIFICATIONS_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'The resume topic\'s API endpoint (the topic\'s apiEndpoint, where PublishMessage goes). Required with REENCRYPT_RESUME_TOPIC_ID.',
    },
    REENCRYPT_CHECKPOINT_SECONDS: {
      type: 'integer', default: 10, minimum: 1, maximum: 300,
      description: 'A run\'s worker saves its unit\'s cursor and counts this often (and when it stops); its hold on the unit lasts three times as long.',
    },
    REENCRYPT_NO_PROGRESS_LIMIT: {
      type: 'integer', default: 5, minimum: 1, maximum: 100,
      description: 'A unit that does not move forward in this many consecutive invocations stops with reason no-progress.',
    },
    REENCRYPT_MAX_INVOCATIONS: {
      type: 'integer', default: 1000, minimum: 1, maximum: 100000,
      description: 'A run stops with reason max-invocations after this many invocations worked on it.',
    },
    REENCRYPT_MAX_WORKERS: {
      type: 'integer', default: 8, minimum: 1, maximum: 64,
      description: 'A run with several buckets fans out: at most this many detached invocations of this function work on its units at once (each one unit at a time). 1: one invocation after another. Size it against the regional Functions concurrency quota (see README).',
    },
    REENCRYPT_RANGE_SIZE: {
      type: 'integer', default: 50000, minimum: 1, maximum: 100000000,
      description: 'A bucket with more versions than this, in a run that fans out, is split into name ranges of about this many versions (objects, unversioned), each a unit any worker can take (see README, Large buckets).',
    },
    REENCRYPT_STRATEGY: {
      type: 'string', default: 'objects', enum: ['objects', 'bucket', 'auto'],
      description: 'How a sweep re-encrypts a bucket when the request names no strategy: objects (ReencryptObject per version, with per-object reasons and exact counts), bucket (one ReencryptBucket work request per bucket, followed to its end; needs REENCRYPT_STATE_BUCKET and `use buckets`), or auto (bucket for a whole-bucket rotation sweep of a bucket with at least REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS objects, objects otherwise). See README, Strategies.',
    },
    REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS: {
      type: 'integer', default: 100000, minimum: 1, maximum: 1000000000000,
      description: 'With strategy auto: the smallest bucket (GetBucket approximateCount) that gets one ReencryptBucket instead of per-version calls.',
    },
    REENCRYPT_MAX_FAILURES_REPORTED: {
      type: 'integer', default: 100, minimum: 0, maximum: 10000,
      description: 'Failed objects listed in a report per bucket; the count is always exact.',
    },
    REENCRYPT_LOG_LEVEL: {
      type: 'string', default: 'info', enum: ['debug', 'info', 'warn', 'error'],
      description: 'Structured log level; per-object decisions are logged at debug.',
    },
    REENCRYPT_AUTH: {
      type: 'string', default: 'resource_principal', enum: ['resource_principal', 'config_file'],
      description: 'How to authenticate: the resource principal inside OCI Functions, or the OCI config file for local runs.',
    },
    REENCRYPT_OCI_CONFIG_FILE: {
      type: 'string', default: '',
      description: 'OCI config file for REENCRYPT_AUTH=config_file. Empty: ~/.oci/config.',
    },
    REENCRYPT_OCI_CONFIG_PROFILE: {
      type: 'string', default: 'DEFAULT', pattern: '^[A-Za-z0-9_.-]+$',
      description: 'Profile in the OCI config file.',
    },
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Object Storage endpoint override (private endpoint, or a local emulator). Empty: the region\'s.',
    },
    REENCRYPT_KMS_VAULT_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Vault (KmsVault) endpoint override. Empty: the region\'s.',
    },
    REENCRYPT_KMS_MANAGEMENT_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Key management endpoint override. Empty: the vault\'s managementEndpoint from GetVault.',
    },
    REENCRYPT_SECRETS_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Secrets (secret bundles) endpoint override. Empty: the region\'s.',
    },
    REENCRYPT_METRICS_NAMESPACE: {
      // Monitoring's rule for custom namespaces: a letter first, then letters, digits and underscores; oci_ and oracle_ are reserved.
      type: 'string', default: '', pattern: '^((?!oci_|oracle_)[A-Za-z][A-Za-z0-9_]*)?$', maxLength: 255,
      description: 'OCI Monitoring namespace for the custom metrics posted after each run (re-encrypted, failed, skipped, duration, unfinished). Empty: no metrics.',
    },
    REENCRYPT_METRICS_COMPARTMENT_ID: {
      type: 'string', default: '', pattern: '^(ocid1\\.[a-z0-9_-]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-zA-Z0-9._-]+)?$',
      description: 'Compartment the metrics are posted in (the function\'s, usually). Required when REENCRYPT_METRICS_NAMESPACE is set.',
    },
    REENCRYPT_MONITORING_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Monitoring telemetry-ingestion endpoint override (PostMetricData). Empty: the region\'s telemetry-ingestion endpoint.',
    },
    REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'This function\'s invoke endpoint for self-invocation. Empty: read once per container with GetFunction(FN_FN_ID).',
    },
    REENCRYPT_FUNCTIONS_ENDPOINT: {
      type: 'string', default: '', pattern: `(${HTTP_URL})|^$`,
      description: 'Functions management endpoint override (GetFunction). Empty: the region\'s.',
    },
  },
  additionalProperties: true,
} as const;

export type ConfigKey = keyof typeof CONFIG_SCHEMA.properties;
export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA.properties) as ConfigKey[];
