import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_SCHEMA, type ConfigKey } from '../../src/config/schema';
import { TERRAFORM_DIR, isObject, loadConfig, locals, plainLocalRef, resource, variables, type JsonObject, type TfConfig } from './hcl';

interface PropertySchema {
  readonly type: 'string' | 'integer' | 'boolean';
  readonly default: string | number | boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly enum?: readonly string[];
}

function schemaOf(key: ConfigKey): PropertySchema {
  return CONFIG_SCHEMA.properties[key] as PropertySchema;
}

const TF_TYPE: Record<PropertySchema['type'], string> = { string: '${string}', integer: '${number}', boolean: '${bool}' };

let config: TfConfig;
let functionConfig: JsonObject;

beforeAll(async () => {
  config = await loadConfig(TERRAFORM_DIR);
  const fn = resource(config, 'oci_functions_function', 'this');
  const localName = plainLocalRef(fn['config']);
  if (!localName) throw new Error('oci_functions_function.this.config should be a plain local');
  const value = locals(config).get(localName);
  if (!isObject(value)) throw new Error(`local.${localName} should be an object literal`);
  functionConfig = value;
});

/** The variable that sets a configuration key: its name in lower case. */
function variableFor(key: ConfigKey): string {
  return key.toLowerCase();
}

/**
 * Allowlists have no variable of their own: each is the list variable that
 * also writes the IAM statements, so the two cannot disagree (issue 14).
 */
const FROM_IAM_VARIABLES: Partial<Record<ConfigKey, { variable: string; clause: string; policyGroup: string; grant: string }>> = {
  REENCRYPT_ALLOWED_KMS_KEY_IDS: { variable: 'manual_kms_key_ids', clause: 'manual_key_clause', policyGroup: 'manual_kms_keys', grant: 'use key-delegate' },
  REENCRYPT_ALLOWED_SSE_C_SECRET_IDS: { variable: 'sse_c_secret_ids', clause: 'secret_clause', policyGroup: 'sse_c', grant: 'read secret-bundles' },
};
const OWN_VARIABLE_KEYS = CONFIG_KEYS.filter((k) => FROM_IAM_VARIABLES[k] === undefined);

describe('function configuration', () => {
  it('has exactly the keys of CONFIG_SCHEMA', () => {
    expect(Object.keys(functionConfig).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it.each(OWN_VARIABLE_KEYS)('%s is set from its own variable, as a string', (key) => {
    const expr = String(functionConfig[key]);
    expect(expr).toContain(`var.${variableFor(key)}`);
    const schema = schemaOf(key);
    if (schema.type === 'integer') expect(expr).toBe(`\${tostring(var.${variableFor(key)})}`);
    if (schema.type === 'boolean') expect(expr).toBe(`\${var.${variableFor(key)} ? "true" : "false"}`);
  });

  it.each(OWN_VARIABLE_KEYS)('%s: the variable has the schema default and a matching type', (key) => {
    const v = variables(config).get(variableFor(key));
    expect(v, variableFor(key)).toBeDefined();
    const schema = schemaOf(key);
    expect(v?.['type']).toBe(TF_TYPE[schema.type]);
    expect(v?.['default']).toBe(schema.default);
    expect(String(v?.['description'])).toContain(key);
  });

  it.each(OWN_VARIABLE_KEYS.filter((k) => schemaOf(k).type === 'integer'))('%s: the variable validates the schema range', (key) => {
    const schema = schemaOf(key);
    const name = variableFor(key);
    const v = variables(config).get(name);
    const validation = Array.isArray(v?.['validation']) ? v['validation'][0] : undefined;
    const condition = isObject(validation) ? String(validation['condition']) : '';
    expect(condition).toContain(`var.${name} >= ${schema.minimum}`);
    expect(condition).toContain(`var.${name} <= ${schema.maximum}`);
  });

  it.each(OWN_VARIABLE_KEYS.filter((k) => schemaOf(k).enum !== undefined && k !== 'REENCRYPT_AUTH'))('%s: the variable validates the schema enum', (key) => {
    const schema = schemaOf(key);
    const v = variables(config).get(variableFor(key));
    const validation = Array.isArray(v?.['validation']) ? v['validation'][0] : undefined;
    const condition = isObject(validation) ? String(validation['condition']) : '';
    expect(condition).toContain(`contains(${JSON.stringify(schema.enum).replace(/,/g, ', ')}, var.${variableFor(key)})`);
  });

  it('authenticates with the resource principal in OCI', () => {
    expect(variables(config).get('reencrypt_auth')?.['default']).toBe('resource_principal');
    expect(functionConfig['REENCRYPT_AUTH']).toBe('${var.reencrypt_auth}');
  });
});

describe.each(Object.entries(FROM_IAM_VARIABLES))('%s and its IAM statement come from one variable', (key, from) => {
  const variable = () => variables(config).get(from?.variable ?? '');

  it('the configuration value is the variable\'s list, joined with commas, and nothing else', () => {
    expect(functionConfig[key]).toBe(`\${join(",", var.${from?.variable})}`);
    expect(variables(config).has(key.toLowerCase()), `no separate ${key.toLowerCase()} variable to disagree with`).toBe(false);
  });

  it('the IAM where clause is built from the same variable, one target per OCID', () => {
    const clause = String(locals(config).get(from?.clause ?? ''));
    expect(clause).toMatch(new RegExp(`for [a-z] in var\\.${from?.variable} : "target\\.(key|secret)\\.id = '\\$\\{[a-z]\\}'"`));
    // ...and the policy group that uses the clause grants exactly this, switched on by the same list.
    const group = locals(config).get('policy_statements');
    const statements = isObject(group) ? String(group[from?.policyGroup ?? '']) : '';
    expect(statements).toContain(`to ${from?.grant} in \${s}\${local.${from?.clause}}`);
    const toggle = /^\$\{local\.([a-z_]+) \?/.exec(statements)?.[1] ?? '';
    expect(String(locals(config).get(toggle))).toBe(`\${length(var.${from?.variable}) > 0}`);
  });

  it('the variable is a validated list of OCIDs of the right type, empty by default like the schema', () => {
    const v = variable();
    expect(v?.['type']).toBe('${list(string)}');
    expect(v?.['default']).toEqual([]);
    expect(schemaOf(key as ConfigKey).default).toBe('');
    expect(String(v?.['description'])).toContain(key);
    // The HCL source text of the regex: every element must be an OCID of this type.
    const type = key === 'REENCRYPT_ALLOWED_KMS_KEY_IDS' ? 'key' : 'vaultsecret';
    const validation = Array.isArray(v?.['validation']) ? v['validation'][0] : undefined;
    expect(isObject(validation) ? String(validation['condition']) : '').toContain(`can(regex("^ocid1\\\\.${type}\\\\.`);
  });
});

describe('function resource', () => {
  it('takes image, memory (string) and timeout from validated variables', () => {
    const fn = resource(config, 'oci_functions_function', 'this');
    expect(fn['image']).toBe('${var.function_image}');
    expect(fn['memory_in_mbs']).toBe('${tostring(var.function_memory_in_mbs)}');
    expect(fn['timeout_in_seconds']).toBe('${var.function_timeout_in_seconds}');
    const memory = variables(config).get('function_memory_in_mbs');
    const memCond = JSON.stringify(memory?.['validation']);
    expect(memCond).toContain('var.function_memory_in_mbs >= 128');
    expect(memCond).toContain('var.function_memory_in_mbs <= 3072');
    expect(JSON.stringify(variables(config).get('function_timeout_in_seconds')?.['validation'])).toContain('var.function_timeout_in_seconds <= 300');
  });

  it('runs on the given subnets or the created one', () => {
    const app = resource(config, 'oci_functions_application', 'this');
    expect(app['subnet_ids']).toBe('${local.subnet_ids}');
    expect(locals(config).get('subnet_ids')).toBe('${var.create_network ? oci_core_subnet.this[*].id : var.subnet_ids}');
  });
});
