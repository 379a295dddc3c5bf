import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldProblem } from '../errors';

/** One ajv instance for the whole function: schemas are compiled once, at module load. */
// allowUnionTypes: the request schema types the OCI CLI's skeleton fields as ["string", "null"].
export const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv, ['date-time']);

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
      field = join(field, (e.params as { additionalProperty: string }).additionalProperty);
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
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : join(acc, p)), root);
}

function join(base: string, name: string): string {
  return base ? `${base}.${name}` : name;
}

export function compile<T>(schema: object): ValidateFunction<T> {
  return ajv.compile<T>(schema);
}
