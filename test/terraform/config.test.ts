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

describe('function configuration', () => {
  it('has exactly the keys of CONFIG_SCHEMA', () => {
    expect(Object.keys(functionConfig).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it.each(CONFIG_KEYS)('%s is set from its own variable, as a string', (key) => {
    const expr = String(functionConfig[key]);
    expect(expr).toContain(`var.${variableFor(key)}`);
    const schema = schemaOf(key);
    if (schema.type === 'integer') expect(expr).toBe(`\${tostring(var.${variableFor(key)})}`);
    if (schema.type === 'boolean') expect(expr).toBe(`\${var.${variableFor(key)} ? "true" : "false"}`);
  });

  it.each(CONFIG_KEYS)('%s: the variable has the schema default and a matching type', (key) => {
    const v = variables(config).get(variableFor(key));
    expect(v, variableFor(key)).toBeDefined();
    const schema = schemaOf(key);
    expect(v?.['type']).toBe(TF_TYPE[schema.type]);
    expect(v?.['default']).toBe(schema.default);
    expect(String(v?.['description'])).toContain(key);
  });

  it.each(CONFIG_KEYS.filter((k) => schemaOf(k).type === 'integer'))('%s: the variable validates the schema range', (key) => {
    const schema = schemaOf(key);
    const name = variableFor(key);
    const v = variables(config).get(name);
    const validation = Array.isArray(v?.['validation']) ? v['validation'][0] : undefined;
    const condition = isObject(validation) ? String(validation['condition']) : '';
    expect(condition).toContain(`var.${name} >= ${schema.minimum}`);
    expect(condition).toContain(`var.${name} <= ${schema.maximum}`);
  });

  it.each(CONFIG_KEYS.filter((k) => schemaOf(k).enum !== undefined && k !== 'REENCRYPT_AUTH'))('%s: the variable validates the schema enum', (key) => {
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
