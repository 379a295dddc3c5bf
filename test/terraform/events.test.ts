import { beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTED_EVENT_TYPES, TRIGGER_EVENT_TYPES } from '../../src/input/event-types';
import {
  TERRAFORM_DIR,
  blocks,
  callArguments,
  evaluateLiteral,
  first,
  isObject,
  loadConfig,
  locals,
  plainLocalRef,
  type Json,
  type JsonObject,
  type TfConfig,
} from './hcl';

/** Values for the variables a condition may mention. */
const SAMPLE_VARS: Record<string, Json> = {
  watched_bucket_names: ['bucket-a', 'bucket-b'],
  watched_key_ids: ['ocid1.key.oc1.iad.exampleexample.abc', 'ocid1.key.oc1.iad.exampleexample.def'],
};

interface Rule {
  readonly name: string;
  readonly body: JsonObject;
  /** Every JSON document the rule's condition can evaluate to (one per branch). */
  readonly conditions: readonly JsonObject[];
}

let config: TfConfig;
let rules: Rule[];

async function conditionsOf(conditionExpr: Json | undefined, allLocals: Map<string, Json>): Promise<JsonObject[]> {
  const localName = plainLocalRef(conditionExpr);
  if (!localName) throw new Error(`condition should be a local (readable by tests), got ${JSON.stringify(conditionExpr)}`);
  const expr = allLocals.get(localName);
  if (typeof expr !== 'string') throw new Error(`local.${localName} is not an expression`);
  const resolveRef = (ref: string): Json => {
    const [scope, name = ''] = ref.split('.');
    const v = scope === 'var' ? SAMPLE_VARS[name] : allLocals.get(name);
    if (v === undefined || (typeof v === 'string' && v.includes('${'))) throw new Error(`no literal value for ${ref}`);
    return v;
  };
  const docs: JsonObject[] = [];
  for (const arg of callArguments(expr, 'jsonencode')) {
    const value = await evaluateLiteral(arg, resolveRef);
    // What the Events service receives: the JSON text, parsed back.
    const parsed = JSON.parse(JSON.stringify(value)) as Json;
    if (!isObject(parsed)) throw new Error(`condition of local.${localName} is not a JSON object`);
    docs.push(parsed);
  }
  if (docs.length === 0) throw new Error(`local.${localName} has no jsonencode(...)`);
  return docs;
}

function eventTypes(doc: JsonObject): string[] {
  const t = doc['eventType'];
  return Array.isArray(t) ? t.map(String) : [String(t)];
}

beforeAll(async () => {
  config = await loadConfig(TERRAFORM_DIR);
  const allLocals = locals(config);
  rules = await Promise.all(
    blocks(config, 'resource')
      .filter((b) => b.type === 'oci_events_rule')
      .map(async (b) => ({ name: b.name, body: b.body, conditions: await conditionsOf(b.body['condition'], allLocals) })),
  );
});

function rule(name: string): Rule {
  const r = rules.find((x) => x.name === name);
  if (!r) throw new Error(`no oci_events_rule.${name}`);
  return r;
}

describe('event rules', () => {
  it('exist for uploads, key rotation, bucket key changes (and optional object updates)', () => {
    expect(rules.map((r) => r.name).sort()).toEqual(['bucket_key_change', 'key_rotation', 'update_object', 'upload']);
  });

  it('every condition branch is a JSON object with only accepted event types', () => {
    for (const r of rules) {
      for (const doc of r.conditions) {
        const types = eventTypes(doc);
        expect(types.length, r.name).toBeGreaterThan(0);
        for (const t of types) expect(ACCEPTED_EVENT_TYPES, `${r.name}: ${t}`).toContain(t);
        expect(Object.keys(doc).every((k) => k === 'eventType' || k === 'data'), `${r.name} keys`).toBe(true);
      }
    }
  });

  it('together cover every trigger event type (with the optional bucket rule on)', () => {
    const covered = new Set(rules.flatMap((r) => r.conditions.flatMap(eventTypes)));
    for (const [trigger, types] of Object.entries(TRIGGER_EVENT_TYPES)) {
      for (const t of types) expect(covered.has(t), `${trigger}: ${t}`).toBe(true);
    }
  });

  it.each([
    ['upload', TRIGGER_EVENT_TYPES.upload],
    ['key_rotation', TRIGGER_EVENT_TYPES.keyRotation],
    ['bucket_key_change', TRIGGER_EVENT_TYPES.bucketKeyChange],
  ] as const)('%s rule matches exactly its trigger types in every branch', (name, types) => {
    for (const doc of rule(name).conditions) expect(eventTypes(doc).sort()).toEqual([...types].sort());
  });

  it.each(['upload', 'update_object', 'bucket_key_change'])(
    '%s rule filters on data.additionalDetails.bucketName when buckets are listed, and has an unfiltered branch',
    (name) => {
      const docs = rule(name).conditions;
      const filtered = docs.filter((d) => 'data' in d);
      expect(filtered).toHaveLength(1);
      expect(filtered[0]?.['data']).toEqual({ additionalDetails: { bucketName: SAMPLE_VARS['watched_bucket_names'] } });
      expect(docs.filter((d) => !('data' in d))).toHaveLength(1);
    },
  );

  it('key rotation rule filters on the key OCID only as an opt-in (its place in key events is unverified)', () => {
    const docs = rule('key_rotation').conditions;
    expect(docs.filter((d) => !('data' in d))).toHaveLength(1);
    expect(docs.filter((d) => 'data' in d).map((d) => d['data'])).toEqual([{ resourceId: SAMPLE_VARS['watched_key_ids'] }]);
    const expr = String(locals(config).get('key_rotation_condition'));
    expect(expr.startsWith('${var.filter_key_events_by_resource_id ?')).toBe(true);
  });

  it('bucket key change rule is switched by create_bucket_key_change_rule, update_object by reencrypt_handle_update_object', () => {
    expect(String(rule('bucket_key_change').body['for_each'])).toContain('var.create_bucket_key_change_rule ?');
    expect(String(rule('update_object').body['for_each'])).toContain('var.reencrypt_handle_update_object ?');
    expect(rule('upload').body['for_each']).toBe('${toset(var.watched_compartment_ids)}');
    expect(rule('key_rotation').body['for_each']).toBe('${toset(local.key_compartment_ids)}');
  });

  it('every rule is enabled and invokes this function with the current actions { action { ... } } form', () => {
    for (const r of rules) {
      expect(r.body['is_enabled'], r.name).toBe(true);
      const actions = first(r.body['actions']);
      expect(Object.keys(actions), r.name).toEqual(['action']);
      const action = first(actions['action']);
      expect(action, r.name).toEqual({ action_type: 'FAAS', is_enabled: true, function_id: '${oci_functions_function.this.id}' });
    }
  });
});
