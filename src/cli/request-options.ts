import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidInputError } from '../errors';
import { classify } from '../input/classify';
import type { ReencryptRequest } from '../input/types';

/**
 * The request flags: one per field of the manual request (the published
 * schema, schemas/reencrypt-request.schema.json), spelled the OCI CLI way.
 * Nothing here validates: the body goes through the function's own
 * classifier, so the CLI accepts exactly what the function accepts.
 */
const STRING_FLAGS = [
  ['--namespace <name>', 'namespaceName', 'Object Storage namespace (default: GetNamespace)'],
  ['--bucket-name <name>', 'bucketName', 'bucket to sweep, or the bucket of --object-name'],
  ['--object-name <name>', 'objectName', 'one object (with --bucket-name)'],
  ['--version-id <id>', 'versionId', 'one version of --object-name'],
  ['--prefix <prefix>', 'prefix', 'only names starting with this (bucket sweeps)'],
  ['--kms-key-id <ocid>', 'kmsKeyId', 'alone: sweep every bucket using this key; with --object-name: the target key'],
  ['--sse-customer-key-secret-id <ocid>', 'sseCustomerKeySecretId', 'Vault secret holding the SSE-C key to re-encrypt --object-name under'],
  ['--source-sse-customer-key-secret-id <ocid>', 'sourceSseCustomerKeySecretId', 'Vault secret holding the SSE-C key --object-name is under now'],
  ['--before <date-time>', 'before', 'RFC 3339 time: versions created before it are old (instead of the key version\'s time)'],
  ['--vault-id <ocid>', 'vaultId', 'vault of the key, when REENCRYPT_VAULT_IDS is not set'],
  ['--run-id <id>', 'runId', 'alone: a stored run\'s status, or its final report once ended; with a scope: the new run\'s id (needs REENCRYPT_STATE_BUCKET)'],
  ['--resume <run-id>', 'resume', 'take the next turn of a stored run (needs REENCRYPT_STATE_BUCKET)'],
  ['--strategy <name>', 'strategy', 'sweeps: objects (a call per version), bucket (one ReencryptBucket per bucket, needs REENCRYPT_STATE_BUCKET) or auto; default REENCRYPT_STRATEGY'],
] as const;

export function addRequestOptions(command: Command): Command {
  for (const [flags, , description] of STRING_FLAGS) command.option(flags, description);
  return command
    .option('--force', 'every version is old: re-encrypt them all')
    .option('--list-runs', 'list the stored runs that have not ended (needs REENCRYPT_STATE_BUCKET)')
    .option('--compartment-id <ocid>', 'compartment to search for buckets using --kms-key-id (repeatable)', collect)
    .option('--from-json <json>', 'the request as the function takes it: inline JSON or file://path; flags given too override its fields');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export interface RequestOptions {
  readonly [flag: string]: unknown;
  readonly fromJson?: string;
  readonly force?: boolean;
  readonly listRuns?: boolean;
  readonly compartmentId?: string[];
}

/** The JSON body a request's flags stand for (what `invoke` sends). */
export function requestBody(options: RequestOptions, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = options.fromJson === undefined ? {} : readJson(options.fromJson);
  const fromFlags: Record<string, unknown> = {};
  for (const [flags, field] of STRING_FLAGS) {
    const value = options[optionKey(flags)];
    if (typeof value === 'string') fromFlags[field] = value;
  }
  if (options.force) fromFlags.force = true;
  if (options.listRuns) fromFlags.listRuns = true;
  if (options.compartmentId && options.compartmentId.length > 0) fromFlags.compartmentIds = options.compartmentId;
  const isEvent = 'eventType' in base || 'cloudEventsVersion' in base || 'specversion' in base;
  if (isEvent && Object.keys(fromFlags).length > 0) {
    throw new InvalidInputError('Request flags cannot be combined with an event in --from-json', [
      { field: Object.keys(fromFlags)[0] as string, problem: 'cannot be combined with an event given in --from-json' },
    ]);
  }
  // `namespace` and `namespaceName` are the same field: the flag replaces either.
  if ('namespaceName' in fromFlags) delete base.namespace;
  return { ...base, ...fromFlags, ...(isEvent ? {} : extra) };
}

/** Parses and classifies the body exactly as the function would. Throws InvalidInputError. */
export function requestFrom(options: RequestOptions, extra: Record<string, unknown> = {}): { body: Record<string, unknown>; request: ReencryptRequest } {
  const body = requestBody(options, extra);
  return { body, request: classify(body) };
}

/** `--namespace <name>` is stored by commander as `namespace`. */
function optionKey(flags: string): string {
  const long = flags.split(' ')[0]!.slice(2);
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** OCI CLI style: `file://path` or the JSON itself. */
function readJson(value: string): Record<string, unknown> {
  let text = value;
  let where = '--from-json';
  if (value.startsWith('file://')) {
    where = value.slice('file://'.length);
    try {
      text = readFileSync(where, 'utf8');
    } catch (err) {
      throw new InvalidInputError(`Cannot read ${where}: ${(err as Error).message}`, [{ field: '--from-json', problem: `names a file that cannot be read (${where})` }]);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`${where} is not valid JSON: ${(err as Error).message}`, [{ field: '--from-json', problem: 'is not valid JSON' }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError(`${where} must hold a JSON object`, [{ field: '--from-json', problem: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}
