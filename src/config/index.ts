import { InvalidConfigurationError } from '../errors';
import { compile, toFieldProblems } from '../input/ajv';
import type { StrategyName } from '../decide/strategy';
import { CONFIG_KEYS, CONFIG_SCHEMA } from './schema';

export { CONFIG_KEYS, CONFIG_SCHEMA } from './schema';

/** The validated, typed configuration. Lists are split, empty strings mean "not set". */
export interface Config {
  readonly compartmentIds: readonly string[];
  readonly namespace?: string;
  readonly vaultIds: readonly string[];
  /** What a manual request may name as a target besides the bucket's own key (see src/engine/target-policy.ts). */
  readonly allowedKmsKeyIds: readonly string[];
  readonly allowedSseCustomerKeySecretIds: readonly string[];
  readonly concurrency: number;
  readonly safetyMarginMs: number;
  readonly clockSkewMs: number;
  readonly maxAttempts: number;
  readonly handleUpdateObject: boolean;
  readonly selfInvoke: boolean;
  /** Runs are durable only with a state bucket. */
  readonly stateBucket?: string;
  readonly checkpointMs: number;
  readonly noProgressLimit: number;
  readonly maxInvocations: number;
  /** Detached invocations working on one run at once (fan-out over its units). */
  readonly maxWorkers: number;
  /** A bucket above this many versions is split into name ranges of about this size (fan-out only). */
  readonly rangeSize: number;
  readonly maxFailuresReported: number;
  /** The default strategy of a sweep (a request's `strategy` overrides it); see src/decide/strategy.ts. */
  readonly strategy: StrategyName;
  /** With strategy auto: buckets with at least this many objects get ReencryptBucket. */
  readonly bucketStrategyMinObjects: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly auth: { readonly type: 'resource_principal' } | { readonly type: 'config_file'; readonly file?: string; readonly profile: string; readonly region?: string };
  readonly endpoints: {
    readonly objectStorage?: string;
    readonly kmsVault?: string;
    readonly kmsManagement?: string;
    readonly secrets?: string;
    readonly functionsInvoke?: string;
    readonly functions?: string;
    readonly monitoring?: string;
  };
  /** Post custom metrics to OCI Monitoring after each run; absent: off. */
  readonly metrics?: { readonly namespace: string; readonly compartmentId: string };
  /**
   * Where an invocation that started a run publishes `{"resume": runId}` when Functions refuses
   * its successor (src/runs/lifecycle.ts); absent: such a run waits to be resumed by hand.
   */
  readonly resumeTopic?: { readonly topicId: string; readonly endpoint: string };
  /** Set by the Functions platform (FN_FN_ID): this function's OCID, for self-invocation. */
  readonly functionId?: string;
}

type RawConfig = {
  REENCRYPT_COMPARTMENT_IDS: string; REENCRYPT_NAMESPACE: string; REENCRYPT_VAULT_IDS: string;
  REENCRYPT_ALLOWED_KMS_KEY_IDS: string; REENCRYPT_ALLOWED_SSE_C_SECRET_IDS: string;
  REENCRYPT_CONCURRENCY: number; REENCRYPT_SAFETY_MARGIN_SECONDS: number; REENCRYPT_CLOCK_SKEW_SECONDS: number;
  REENCRYPT_MAX_ATTEMPTS: number; REENCRYPT_HANDLE_UPDATE_OBJECT: boolean; REENCRYPT_SELF_INVOKE: boolean;
  REENCRYPT_MAX_FAILURES_REPORTED: number; REENCRYPT_LOG_LEVEL: Config['logLevel'];
  REENCRYPT_AUTH: 'resource_principal' | 'config_file'; REENCRYPT_OCI_CONFIG_FILE: string; REENCRYPT_OCI_CONFIG_PROFILE: string;
  REENCRYPT_OBJECTSTORAGE_ENDPOINT: string; REENCRYPT_KMS_VAULT_ENDPOINT: string; REENCRYPT_KMS_MANAGEMENT_ENDPOINT: string;
  REENCRYPT_SECRETS_ENDPOINT: string; REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: string; REENCRYPT_FUNCTIONS_ENDPOINT: string;
  REENCRYPT_STATE_BUCKET: string; REENCRYPT_CHECKPOINT_SECONDS: number; REENCRYPT_NO_PROGRESS_LIMIT: number; REENCRYPT_MAX_INVOCATIONS: number;
  REENCRYPT_MAX_WORKERS: number; REENCRYPT_RANGE_SIZE: number; REENCRYPT_STRATEGY: StrategyName; REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS: number;
  REENCRYPT_METRICS_NAMESPACE: string; REENCRYPT_METRICS_COMPARTMENT_ID: string; REENCRYPT_MONITORING_ENDPOINT: string;
  REENCRYPT_RESUME_TOPIC_ID: string; REENCRYPT_NOTIFICATIONS_ENDPOINT: string;
};

// Environment values are strings: this profile coerces "16" to 16 and "true" to true, and fills in defaults.
const validateRaw = compile<RawConfig>(CONFIG_SCHEMA, 'environment');

/** Parses the environment once. Throws InvalidConfigurationError naming every bad key. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = env[key]?.trim();
    if (value) raw[key] = value; // empty means "use the default"
  }
  if (!validateRaw(raw)) {
    const details = toFieldProblems(validateRaw.errors);
    throw new InvalidConfigurationError(
      `The function configuration is invalid: ${details.map((d) => `${d.field}=${JSON.stringify(String(raw[d.field] ?? ''))} ${d.problem}`).join('; ')}`,
      details,
    );
  }
  const c = raw as RawConfig;
  if (c.REENCRYPT_METRICS_NAMESPACE && !c.REENCRYPT_METRICS_COMPARTMENT_ID) {
    throw new InvalidConfigurationError(
      `REENCRYPT_METRICS_NAMESPACE=${JSON.stringify(c.REENCRYPT_METRICS_NAMESPACE)} needs REENCRYPT_METRICS_COMPARTMENT_ID: metrics are posted in a compartment`,
      [{ field: 'REENCRYPT_METRICS_COMPARTMENT_ID', problem: 'is required when REENCRYPT_METRICS_NAMESPACE is set' }],
    );
  }
  if (c.REENCRYPT_RESUME_TOPIC_ID && !c.REENCRYPT_NOTIFICATIONS_ENDPOINT) {
    throw new InvalidConfigurationError(
      `REENCRYPT_RESUME_TOPIC_ID=${JSON.stringify(c.REENCRYPT_RESUME_TOPIC_ID)} needs REENCRYPT_NOTIFICATIONS_ENDPOINT: PublishMessage goes to the topic's API endpoint`,
      [{ field: 'REENCRYPT_NOTIFICATIONS_ENDPOINT', problem: 'is required when REENCRYPT_RESUME_TOPIC_ID is set (the topic\'s apiEndpoint)' }],
    );
  }
  const optional = (v: string) => (v ? v : undefined);
  return {
    compartmentIds: splitList(c.REENCRYPT_COMPARTMENT_IDS),
    ...(c.REENCRYPT_NAMESPACE && { namespace: c.REENCRYPT_NAMESPACE }),
    vaultIds: splitList(c.REENCRYPT_VAULT_IDS),
    allowedKmsKeyIds: splitList(c.REENCRYPT_ALLOWED_KMS_KEY_IDS),
    allowedSseCustomerKeySecretIds: splitList(c.REENCRYPT_ALLOWED_SSE_C_SECRET_IDS),
    concurrency: c.REENCRYPT_CONCURRENCY,
    safetyMarginMs: c.REENCRYPT_SAFETY_MARGIN_SECONDS * 1000,
    clockSkewMs: c.REENCRYPT_CLOCK_SKEW_SECONDS * 1000,
    maxAttempts: c.REENCRYPT_MAX_ATTEMPTS,
    handleUpdateObject: c.REENCRYPT_HANDLE_UPDATE_OBJECT,
    selfInvoke: c.REENCRYPT_SELF_INVOKE,
    ...(c.REENCRYPT_STATE_BUCKET && { stateBucket: c.REENCRYPT_STATE_BUCKET }),
    checkpointMs: c.REENCRYPT_CHECKPOINT_SECONDS * 1000,
    noProgressLimit: c.REENCRYPT_NO_PROGRESS_LIMIT,
    maxInvocations: c.REENCRYPT_MAX_INVOCATIONS,
    maxWorkers: c.REENCRYPT_MAX_WORKERS,
    rangeSize: c.REENCRYPT_RANGE_SIZE,
    maxFailuresReported: c.REENCRYPT_MAX_FAILURES_REPORTED,
    strategy: c.REENCRYPT_STRATEGY,
    bucketStrategyMinObjects: c.REENCRYPT_BUCKET_STRATEGY_MIN_OBJECTS,
    logLevel: c.REENCRYPT_LOG_LEVEL,
    auth: c.REENCRYPT_AUTH === 'config_file'
      ? { type: 'config_file', profile: c.REENCRYPT_OCI_CONFIG_PROFILE, ...(c.REENCRYPT_OCI_CONFIG_FILE && { file: c.REENCRYPT_OCI_CONFIG_FILE }) }
      : { type: 'resource_principal' },
    endpoints: stripUndefined({
      objectStorage: optional(c.REENCRYPT_OBJECTSTORAGE_ENDPOINT),
      kmsVault: optional(c.REENCRYPT_KMS_VAULT_ENDPOINT),
      kmsManagement: optional(c.REENCRYPT_KMS_MANAGEMENT_ENDPOINT),
      secrets: optional(c.REENCRYPT_SECRETS_ENDPOINT),
      functionsInvoke: optional(c.REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT),
      functions: optional(c.REENCRYPT_FUNCTIONS_ENDPOINT),
      monitoring: optional(c.REENCRYPT_MONITORING_ENDPOINT),
    }),
    ...(c.REENCRYPT_METRICS_NAMESPACE && { metrics: { namespace: c.REENCRYPT_METRICS_NAMESPACE, compartmentId: c.REENCRYPT_METRICS_COMPARTMENT_ID } }),
    ...(c.REENCRYPT_RESUME_TOPIC_ID && { resumeTopic: { topicId: c.REENCRYPT_RESUME_TOPIC_ID, endpoint: c.REENCRYPT_NOTIFICATIONS_ENDPOINT } }),
    ...(env.FN_FN_ID && { functionId: env.FN_FN_ID }),
  };
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function stripUndefined<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}
