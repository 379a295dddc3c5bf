/**
 * Every resource/data type, argument and nested block name in the module and
 * the example must exist in the oracle/oci provider's documentation at v8.28.0
 * (fixtures/oci-terraform-provider-args.json, a copy of
 * ../shared/reference/oci-terraform-provider-args.json), and none may be
 * deprecated. A wrong name fails `terraform plan` for every user.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, TERRAFORM_DIR, blocks, isObject, loadConfig, type Block, type Json, type JsonObject } from './hcl';
import reference from './fixtures/oci-terraform-provider-args.json';

interface ArgSpec {
  readonly required?: boolean | null;
  readonly deprecated?: boolean;
  readonly block?: boolean;
  readonly children?: Readonly<Record<string, ArgSpec>>;
}
interface SchemaCheck {
  readonly schema_args_not_in_doc?: readonly string[];
  readonly doc_args_not_settable_in_schema?: readonly string[];
  readonly deprecated_in_doc_only?: readonly string[];
}
interface Entry {
  readonly args: Readonly<Record<string, ArgSpec>>;
  readonly timeouts?: readonly string[];
  readonly schema_check?: SchemaCheck;
}

const CATALOG: Record<Block['kind'], Record<string, Entry>> = {
  resource: reference.resources as unknown as Record<string, Entry>,
  data: reference.data_sources as unknown as Record<string, Entry>,
};

/** Terraform's own meta-arguments and blocks, valid on every resource. */
const META = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle']);
/** The generic filter block of plural data sources (see the reference's notes). */
const PLURAL_FILTER: Record<string, ArgSpec> = {
  filter: { block: true, children: { name: { required: true }, values: { required: true }, regex: {} } },
};

interface Finding {
  readonly where: string;
  readonly problem: string;
}

/** Checks a block body against the spec of its arguments; `path` is dotted from the resource. */
function check(entry: Entry, specs: Readonly<Record<string, ArgSpec>>, body: JsonObject, path: string, where: string): Finding[] {
  const out: Finding[] = [];
  const extra = new Set(entry.schema_check?.schema_args_not_in_doc ?? []);
  const notSettable = new Set(entry.schema_check?.doc_args_not_settable_in_schema ?? []);
  const deprecatedInDoc = new Set(entry.schema_check?.deprecated_in_doc_only ?? []);
  const entries = Object.entries(body).flatMap(([k, v]): [string, Json][] => {
    if (k !== 'dynamic' || !isObject(v)) return [[k, v]];
    // dynamic "x" { content { ... } } is block x.
    return Object.entries(v).map(([name, list]) => {
      const d = Array.isArray(list) && isObject(list[0]) ? list[0] : {};
      return [name, d['content'] ?? []];
    });
  });
  for (const [name, value] of entries) {
    const full = path ? `${path}.${name}` : name;
    if (!path && META.has(name)) continue;
    if (!path && name === 'timeouts' && (entry.timeouts?.length ?? 0) > 0) continue;
    const spec = specs[name];
    if (!spec) {
      if (!extra.has(full)) out.push({ where, problem: `unknown argument ${full}` });
      continue;
    }
    if (notSettable.has(full)) out.push({ where, problem: `${full} is not settable (Go schema)` });
    if (spec.deprecated || deprecatedInDoc.has(full)) out.push({ where, problem: `${full} is deprecated` });
    const isBlockValue = Array.isArray(value) && value.every(isObject) && value.length > 0;
    if (isBlockValue) {
      for (const item of value) {
        if (isObject(item)) out.push(...check(entry, spec.children ?? {}, item, full, where));
      }
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required === true && !(name in body) && !(isObject(body['dynamic']) && name in body['dynamic'])) {
      const full = path ? `${path}.${name}` : name;
      out.push({ where, problem: `required argument ${full} is missing` });
    }
  }
  return out;
}

function findings(b: Block): Finding[] {
  const entry = CATALOG[b.kind][b.type];
  const where = `${b.kind} ${b.type}.${b.name} (${b.file.replace(/^.*terraform\//, 'terraform/')})`;
  if (!entry) return [{ where, problem: `${b.type} is not in the provider reference` }];
  const specs = b.kind === 'data' && entry.schema_check?.schema_args_not_in_doc?.includes('filter') ? { ...entry.args, ...PLURAL_FILTER } : entry.args;
  return check(entry, specs, b.body, '', where);
}

const all: Block[] = [];

beforeAll(async () => {
  for (const dir of [TERRAFORM_DIR, EXAMPLE_DIR]) {
    const c = await loadConfig(dir);
    all.push(...blocks(c, 'resource'), ...blocks(c, 'data'));
  }
});

describe('provider names', () => {
  it('the module and example declare the resources this project relies on', () => {
    const types = new Set(all.map((b) => b.type));
    for (const t of ['oci_functions_application', 'oci_functions_function', 'oci_events_rule', 'oci_identity_dynamic_group', 'oci_identity_policy', 'oci_kms_vault', 'oci_kms_key', 'oci_objectstorage_bucket']) {
      expect(types.has(t), t).toBe(true);
    }
  });

  it('every resource and data source type, argument and block exists in the v8.28.0 docs, none deprecated, none required missing', () => {
    expect(all.length).toBeGreaterThan(10);
    expect(all.flatMap(findings)).toEqual([]);
  });

  it('the checker catches a wrong name, a deprecated block and a missing required argument', () => {
    const rule: Block = {
      kind: 'resource',
      type: 'oci_events_rule',
      name: 'probe',
      file: 'probe.tf',
      body: {
        compartment_id: 'x',
        is_enabled: true,
        conditions: '{}',
        actions: [{ actions: [{ action_type: 'FAAS', is_enabled: true }] }],
      },
    };
    const problems = findings(rule).map((f) => f.problem);
    expect(problems).toContain('unknown argument conditions');
    expect(problems).toContain('actions.actions is deprecated');
    expect(problems).toContain('required argument display_name is missing');
    expect(findings({ ...rule, type: 'oci_event_rule' }).map((f) => f.problem)).toEqual(['oci_event_rule is not in the provider reference']);
  });
});
