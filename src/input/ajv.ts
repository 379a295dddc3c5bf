import { createHash } from 'node:crypto';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import type { FieldProblem } from '../errors';
import { PRECOMPILED_VALIDATORS } from './precompiled-validators';

/**
 * The ajv settings a schema is compiled with. `input` for request and event
 * bodies; `environment` for the configuration: environment values are
 * strings, so it coerces "16" to 16 and "true" to true, and fills in defaults.
 */
export const AJV_PROFILES = {
  // allowUnionTypes: a schema may type a field as ["string", "null"] (the OCI CLI's skeleton allows null).
  input: { options: { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }, formats: ['date-time'] },
  environment: { options: { allErrors: true, coerceTypes: true, useDefaults: true, strict: true }, formats: [] },
} as const satisfies Record<string, { options: Options; formats: readonly string[] }>;
export type AjvProfile = keyof typeof AJV_PROFILES;

/**
 * A validator's errors from its last run, taken off it. ajv keeps them on the validator, which is
 * built once per container; with allErrors a 256 KB body of 120,000 wrong items leaves about 20 MB
 * of error objects there until that validator next runs.
 */
export function takeErrors(validate: ValidateFunction<unknown>): ErrorObject[] {
  const errors = validate.errors ?? [];
  validate.errors = null;
  return errors;
}

/** Whether `value` is valid, for a caller that does not read the errors (they are not kept either). */
export function passes<T>(validate: ValidateFunction<T>, value: unknown): value is T {
  const valid = validate(value);
  if (!valid) validate.errors = null;
  return valid;
}

/** Turns ajv's errors into `{field, problem}` pairs that name the field in dotted form. */
export function toFieldProblems(errors: readonly ErrorObject[] | null | undefined, root = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    // anyOf/oneOf/if wrappers repeat what their branches already said.
    if (e.keyword === 'anyOf' && e.schemaPath !== '#/anyOf') continue;
    let field = pointerToPath(e.instancePath, root);
    let problem = e.message ?? 'is invalid';
    if (e.keyword === 'required' || e.keyword === 'dependencies') {
      const missing = (e.params as { missingProperty?: string }).missingProperty;
      if (missing) {
        field = join(field, missing);
        problem = e.keyword === 'dependencies'
          ? `is required when ${(e.params as { property?: string }).property} is given`
          : 'is required';
      }
    } else if (e.keyword === 'additionalProperties') {
      field = join(field, fieldName((e.params as { additionalProperty: string }).additionalProperty));
      problem = 'is not a known field';
    } else if (e.keyword === 'type') {
      // ajv says "must be string,null" for a union type.
      const type = (e.params as { type: string | string[] }).type;
      problem = `must be ${Array.isArray(type) ? type.join(' or ') : type}`;
    } else if (e.keyword === 'pattern') {
      problem = `has an invalid format (must match ${(e.params as { pattern: string }).pattern})`;
    } else if (e.keyword === 'format') {
      problem = `must be ${(e.params as { format: string }).format === 'date-time' ? 'an RFC 3339 date-time' : (e.params as { format: string }).format}`;
    }
    const key = `${field}\u0000${problem}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ field: field || '(body)', problem });
    }
  }
  return problems;
}

function pointerToPath(pointer: string, root: string): string {
  const parts = pointer.split('/').slice(1).map((p) => fieldName(p.replace(/~1/g, '/').replace(/~0/g, '~')));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : join(acc, p)), root);
}

/** The longest field name an answer quotes: names come from the body, where a key may be 250 KB long. */
export const MAX_FIELD_NAME_CHARS = 64;

/**
 * A field name from the body as an answer and a log line quote it: no control characters, bounded
 * length. A long one keeps its start and its end, so that names that differ only at the end stay
 * apart (and are each listed).
 */
function fieldName(name: string): string {
  const cleaned = name.replace(/[\u0000-\u001f\u007f]/g, '?');
  if (cleaned.length <= MAX_FIELD_NAME_CHARS) return cleaned;
  const end = Math.floor((MAX_FIELD_NAME_CHARS - 3) / 3);
  return `${cleaned.slice(0, MAX_FIELD_NAME_CHARS - 3 - end)}...${cleaned.slice(-end)}`;
}

function join(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

/** The key a validator is stored under: the profile and the schema's exact JSON. */
export function validatorKey(profile: AjvProfile, schema: object): string {
  return `${profile}:${createHash('sha256').update(JSON.stringify(schema)).digest('base64url')}`;
}

/** Every schema compile() was asked for, in order: scripts/build-validators.mjs compiles these at build time. */
export const requestedSchemas: { profile: AjvProfile; schema: object; key: string }[] = [];

/**
 * A validator for `schema`. The bundle (dist/func.js) carries every validator
 * compiled at build time (ajv standalone code, the same ajv and options, so the
 * same errors) and no ajv compiler; run from source (tests, tsx), schemas are
 * compiled here, once per module load.
 */
export function compile<T>(schema: object, profile: AjvProfile = 'input'): ValidateFunction<T> {
  const key = validatorKey(profile, schema);
  requestedSchemas.push({ profile, schema, key });
  const prebuilt = PRECOMPILED_VALIDATORS.get(key);
  if (prebuilt) return prebuilt as ValidateFunction<T>;
  if (process.env.OCI_REENCRYPT_BUNDLE !== 'precompiled') {
    // Required here, not imported: in the bundle this branch is a constant false, and ajv's compiler stays out.
    return runtimeAjv(profile, require('ajv') as typeof import('ajv'), require('ajv-formats') as typeof import('ajv-formats')).compile<T>(schema);
  }
  // The build compiles every schema a module asks for at load; reaching this is a build defect.
  throw new Error(`validator ${key} was not compiled at build time`);
}

const runtimeInstances = new Map<AjvProfile, import('ajv').default>();

function runtimeAjv(profile: AjvProfile, ajvModule: typeof import('ajv'), formatsModule: typeof import('ajv-formats')): import('ajv').default {
  let instance = runtimeInstances.get(profile);
  if (!instance) {
    const { options, formats } = AJV_PROFILES[profile];
    instance = new ajvModule.default({ ...options });
    if (formats.length) formatsModule.default(instance, [...formats]);
    runtimeInstances.set(profile, instance);
  }
  return instance;
}
