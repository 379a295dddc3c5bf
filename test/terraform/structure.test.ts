import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_DIR,
  TERRAFORM_DIR,
  blocks,
  expressions,
  isObject,
  loadConfig,
  locals,
  moduleNames,
  parseFile,
  tfPaths,
  variables,
  type Json,
  type TfConfig,
} from './hcl';
import reference from './fixtures/oci-terraform-provider-args.json';

interface RefEntry {
  readonly attrs: readonly string[];
  readonly list_element_attrs?: Readonly<Record<string, readonly string[]>>;
}
const REF_RESOURCES = reference.resources as unknown as Record<string, RefEntry>;
const REF_DATA = reference.data_sources as unknown as Record<string, RefEntry>;

/** Names that look like references inside an expression. */
interface Refs {
  readonly vars: Set<string>;
  readonly locals: Set<string>;
  readonly modules: Set<string>;
  /** "type.name" or "type.name.attr" */
  readonly resources: Set<string>;
  readonly data: Set<string>;
}

function collectRefs(config: TfConfig): Refs {
  const refs: Refs = { vars: new Set(), locals: new Set(), modules: new Set(), resources: new Set(), data: new Set() };
  for (const f of config.files) {
    for (const expr of expressions(f.json as Json)) {
      // Quoted strings inside an expression are text, not references.
      const code = expr.replace(/"(?:[^"\\$]|\\.|\$(?!\{))*"/g, '""');
      for (const m of code.matchAll(/\bvar\.([A-Za-z0-9_]+)/g)) if (m[1]) refs.vars.add(m[1]);
      for (const m of code.matchAll(/\blocal\.([A-Za-z0-9_]+)/g)) if (m[1]) refs.locals.add(m[1]);
      for (const m of code.matchAll(/\bmodule\.([A-Za-z0-9_]+)/g)) if (m[1]) refs.modules.add(m[1]);
      for (const m of code.matchAll(/\bdata\.(oci_[a-z0-9_]+)\.([A-Za-z0-9_]+)(?:\[[^\]]*\])?(?:\.([a-z0-9_]+)(?:\[[^\]]*\])?(?:\.([a-z0-9_]+))?)?/g)) {
        refs.data.add([m[1], m[2], m[3], m[4]].filter(Boolean).join('.'));
      }
      for (const m of code.matchAll(/(?<![.\w])(oci_[a-z0-9_]+)\.([A-Za-z0-9_]+)(?:\[[^\]]*\]|\[\*\])?(?:\.([a-z0-9_]+))?/g)) {
        refs.resources.add(m[3] ? `${m[1]}.${m[2]}.${m[3]}` : `${m[1]}.${m[2]}`);
      }
    }
  }
  return refs;
}

const configs: Record<string, TfConfig> = {};

beforeAll(async () => {
  configs['module'] = await loadConfig(TERRAFORM_DIR);
  configs['example'] = await loadConfig(EXAMPLE_DIR);
});

function config(name: string): TfConfig {
  const c = configs[name];
  if (!c) throw new Error(`config ${name} not loaded`);
  return c;
}

describe('terraform layout', () => {
  it.each([
    ['module', TERRAFORM_DIR, ['versions.tf', 'variables.tf', 'outputs.tf', 'locals.tf', 'function.tf', 'network.tf', 'events.tf', 'iam.tf', 'README.md']],
    ['example', EXAMPLE_DIR, ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md', 'terraform.tfvars.example']],
  ])('%s has the expected files', (_name, dir, files) => {
    for (const f of files) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it.each([...tfPaths(TERRAFORM_DIR), ...tfPaths(EXAMPLE_DIR)])('%s parses', async (path) => {
    const file = await parseFile(path);
    expect(Object.keys(file.json).length).toBeGreaterThan(0);
  });

  it('the parser rejects broken HCL (the parse test can fail)', async () => {
    const { parse } = await import('@cdktf/hcl2json');
    await expect(parse('broken.tf', 'resource "a" "b" {\n  x = \n')).rejects.toThrow();
  });

  it('pins Terraform and the oci provider to a range that includes 8.28', () => {
    const tf = config('module').files.find((f) => f.path.endsWith('versions.tf'));
    const block = tf && Array.isArray(tf.json['terraform']) ? tf.json['terraform'][0] : undefined;
    expect(isObject(block)).toBe(true);
    if (!isObject(block)) return;
    expect(block['required_version']).toBe('>= 1.5.0');
    const providers = Array.isArray(block['required_providers']) ? block['required_providers'][0] : undefined;
    const oci = isObject(providers) ? providers['oci'] : undefined;
    expect(oci).toEqual({ source: 'oracle/oci', version: '>= 8.28.0, < 9.0.0' });
  });
});

describe.each(['module', 'example'])('references in the %s', (name) => {
  it('every var.* used is declared, and every declared variable is used', () => {
    const c = config(name);
    const used = collectRefs(c).vars;
    const declared = new Set(variables(c).keys());
    expect([...used].filter((v) => !declared.has(v)), 'used but not declared').toEqual([]);
    expect([...declared].filter((v) => !used.has(v)), 'declared but never used').toEqual([]);
  });

  it('every variable has a type and a description', () => {
    for (const [v, body] of variables(config(name))) {
      expect(typeof body['type'], `${v}.type`).toBe('string');
      expect(String(body['description'] ?? '').length, `${v}.description`).toBeGreaterThan(10);
    }
  });

  it('every local.* used is defined, and every local is used', () => {
    const c = config(name);
    const used = collectRefs(c).locals;
    const defined = new Set(locals(c).keys());
    expect([...used].filter((l) => !defined.has(l)), 'used but not defined').toEqual([]);
    expect([...defined].filter((l) => !used.has(l)), 'defined but never used').toEqual([]);
  });

  it('every module reference names a module block', () => {
    const c = config(name);
    const mods = moduleNames(c);
    expect([...collectRefs(c).modules].filter((m) => !mods.has(m))).toEqual([]);
  });

  it('every resource reference resolves, to an attribute the provider exports', () => {
    const c = config(name);
    const declared = new Set(blocks(c, 'resource').map((b) => `${b.type}.${b.name}`));
    for (const ref of collectRefs(c).resources) {
      const [type = '', rname = '', attr] = ref.split('.');
      expect(declared.has(`${type}.${rname}`), `${ref} is declared`).toBe(true);
      if (attr) expect([...(REF_RESOURCES[type]?.attrs ?? []), 'id'], `${ref} is an attribute`).toContain(attr);
    }
  });

  it('every data reference resolves, to an attribute the provider exports', () => {
    const c = config(name);
    const declared = new Set(blocks(c, 'data').map((b) => `${b.type}.${b.name}`));
    for (const ref of collectRefs(c).data) {
      const [type = '', dname = '', attr, sub] = ref.split('.');
      expect(declared.has(`${type}.${dname}`), `data.${ref} is declared`).toBe(true);
      if (attr) expect([...(REF_DATA[type]?.attrs ?? []), 'id'], `data.${ref} is an attribute`).toContain(attr);
      const elements = Object.values(REF_DATA[type]?.list_element_attrs ?? {}).flat();
      if (sub && elements.length > 0) expect(elements, `data.${ref} is an element attribute`).toContain(sub);
    }
  });
});

describe('example', () => {
  it('passes every required module variable (those without a default), and only declared ones', () => {
    const moduleVars = variables(config('module'));
    const mainTf = config('example').files.find((f) => f.path.endsWith('main.tf'));
    const mods = mainTf?.json['module'];
    const call = isObject(mods) && Array.isArray(mods['reencrypt']) ? mods['reencrypt'][0] : undefined;
    expect(isObject(call)).toBe(true);
    if (!isObject(call)) return;
    expect(call['source']).toBe('../..');
    const passed = Object.keys(call).filter((k) => k !== 'source');
    expect(passed.filter((k) => !moduleVars.has(k)), 'not module variables').toEqual([]);
    const required = [...moduleVars].filter(([, v]) => !('default' in v)).map(([k]) => k);
    expect(required.filter((k) => !passed.includes(k)), 'required but not passed').toEqual([]);
  });

  it('creates an auto-rotating key and a versioned and an unversioned bucket encrypted with it, with object events on', () => {
    const buckets = blocks(config('example'), 'resource').filter((b) => b.type === 'oci_objectstorage_bucket');
    expect(buckets.map((b) => b.body['versioning']).sort()).toEqual(['Disabled', 'Enabled']);
    for (const b of buckets) {
      expect(b.body['object_events_enabled'], b.name).toBe(true);
      expect(b.body['kms_key_id'], b.name).toBe('${oci_kms_key.this.id}');
    }
    const key = blocks(config('example'), 'resource').find((b) => b.type === 'oci_kms_key');
    expect(key?.body['is_auto_rotation_enabled']).toBe(true);
    expect(key?.body['auto_key_rotation_details']).toBeDefined();
  });
});

describe.each([
  ['module', TERRAFORM_DIR],
  ['example', EXAMPLE_DIR],
])('README of the %s', (name, dir) => {
  it('lists every input with its default, and every output', async () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const [v, body] of variables(config(name))) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${v}\` |`));
      expect(row, `input ${v}`).toBeDefined();
      if ('default' in body) expect(row, `default of ${v}`).toContain(`\`${JSON.stringify(body['default'])}\``);
    }
    const outputsFile = config(name).files.find((f) => f.path.endsWith('outputs.tf'));
    const outputs = outputsFile && isObject(outputsFile.json['output']) ? Object.keys(outputsFile.json['output']) : [];
    expect(outputs.length).toBeGreaterThan(0);
    for (const o of outputs) expect(readme, `output ${o}`).toContain(`| \`${o}\` |`);
  });
});
