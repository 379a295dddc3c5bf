/**
 * What `oci os object reencrypt --from-json` sends, made into one request.
 *
 * The CLI's skeleton (`--generate-full-command-json-input`) lists every
 * option name, aliases included: `name` beside `objectName`, `namespace`
 * beside `namespaceName`, plus `encryptionKeyFile` / `sourceEncryptionKeyFile`.
 * `--from-json` treats a `null` value as "not given", and the ReencryptObject
 * API treats an empty `kmsKeyId` as "the bucket's key". These rules live
 * here so that the published schema can stay a plain JSON Schema.
 */
import { InvalidInputError, type FieldProblem } from '../errors';

/** The fields of the CLI's skeleton for `oci os object reencrypt` (verified in oci-cli's sources). */
export const CLI_SKELETON_FIELDS = [
  'bucketName', 'encryptionKeyFile', 'kmsKeyId', 'name', 'namespace', 'namespaceName', 'objectName', 'sourceEncryptionKeyFile', 'versionId',
] as const;

/** Pairs of names the CLI accepts for one option: [canonical, alias]. */
const ALIASES = [['objectName', 'name'], ['namespaceName', 'namespace']] as const;

/** OCI's object name limit counts bytes of UTF-8, not characters. */
export const MAX_OBJECT_NAME_BYTES = 1024;

/**
 * A copy of the body without what `--from-json` would not pass on: the CLI's
 * fields set to `null`, and an empty `kmsKeyId` (the bucket's key, which is
 * what naming no key means). Other fields keep their value, null included,
 * so that the schema still refuses e.g. `dryRun: null`.
 */
export function withoutUnsetCliFields(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const cliField = (CLI_SKELETON_FIELDS as readonly string[]).includes(field);
    if (cliField && value === null) continue;
    if (field === 'kmsKeyId' && value === '') continue;
    // defineProperty: a field named __proto__ stays a field (and the schema names it) instead of becoming the prototype.
    Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export interface ResolvedNames {
  /** The object name, from objectName or name. */
  readonly objectName?: string;
  /** Which field carried it, for error messages. */
  readonly objectNameField: 'objectName' | 'name';
  readonly namespace?: string;
}

/**
 * One value per aliased option: equal aliases are one value, different ones
 * are refused naming both (the CLI itself would silently keep one of them).
 * Runs after schema validation, so the values are strings or absent.
 */
export function resolveCliAliases(body: { readonly [field: string]: unknown }): ResolvedNames {
  const problems: FieldProblem[] = [];
  for (const [canonical, alias] of ALIASES) {
    const a = body[canonical];
    const b = body[alias];
    if (typeof a === 'string' && typeof b === 'string' && a !== b) {
      problems.push(
        { field: alias, problem: `is the CLI's alias of ${canonical} but differs from it: give one of them, or both with the same value` },
        { field: canonical, problem: `differs from ${alias} (its CLI alias): give one of them, or both with the same value` },
      );
    }
  }
  const objectNameField = typeof body.objectName === 'string' ? 'objectName' : 'name';
  const objectName = body[objectNameField] as string | undefined;
  if (objectName !== undefined) {
    const bytes = Buffer.byteLength(objectName, 'utf8');
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      problems.push({ field: objectNameField, problem: `is ${bytes} bytes of UTF-8; OCI allows at most ${MAX_OBJECT_NAME_BYTES} bytes` });
    }
  }
  if (typeof body.prefix === 'string') {
    // A prefix longer than any object name matches nothing: say so rather than sweep nothing and answer complete.
    const bytes = Buffer.byteLength(body.prefix, 'utf8');
    if (bytes > MAX_OBJECT_NAME_BYTES) {
      problems.push({ field: 'prefix', problem: `is ${bytes} bytes of UTF-8; no object name is longer than ${MAX_OBJECT_NAME_BYTES} bytes, so it would match nothing` });
    }
  }
  if (problems.length > 0) {
    throw new InvalidInputError(`The manual request is invalid: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`, problems);
  }
  const namespace = (body.namespaceName ?? body.namespace) as string | undefined;
  return { objectNameField, ...(objectName !== undefined && { objectName }), ...(namespace !== undefined && { namespace }) };
}

/** What to say instead of "must be null" when a CLI key-file field carries a value. */
export const KEY_FILE_PROBLEMS: Readonly<Record<string, FieldProblem>> = {
  encryptionKeyFile: {
    field: 'encryptionKeyFile',
    problem: 'cannot carry an SSE-C key: keys never travel in a request. Store the base64 AES-256 key in a Vault secret and name it in sseCustomerKeySecretId (or set encryptionKeyFile to null)',
  },
  sourceEncryptionKeyFile: {
    field: 'sourceEncryptionKeyFile',
    problem: 'cannot carry an SSE-C key: keys never travel in a request. Store the object\'s base64 AES-256 key in a Vault secret and name it in sourceSseCustomerKeySecretId (or set sourceEncryptionKeyFile to null)',
  },
};
