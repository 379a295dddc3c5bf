import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OCI_OPERATIONS, type OciOperation } from '../../src/oci/operations';
import {
  EXAMPLE_DIR,
  TERRAFORM_DIR,
  blocks,
  isObject,
  loadConfig,
  locals,
  strings,
  tfPaths,
  type Json,
  type TfConfig,
} from './hcl';

type Verb = OciOperation['verb'];
const VERB_RANK: Record<Verb, number> = { inspect: 0, read: 1, use: 2, manage: 3 };

/** Policy groups that exist only with an optional feature, and the local that switches each. */
const FEATURE_GROUPS: Record<NonNullable<OciOperation['feature']>, { group: string; toggle: string }> = {
  'sse-c': { group: 'sse_c', toggle: 'local.sse_c_enabled' },
  'self-invoke': { group: 'self_invoke', toggle: 'local.self_invoke_enabled' },
  'manual-kms-key': { group: 'manual_kms_keys', toggle: 'local.manual_keys_enabled' },
  state: { group: 'run_state', toggle: 'local.state_enabled' },
  metrics: { group: 'metrics', toggle: 'local.metrics_enabled' },
  'bucket-strategy': { group: 'bucket_strategy', toggle: 'local.bucket_strategy_enabled' },
  // The resume topic is the failure destination's topic: the same grant serves the platform's failure records.
  'resume-topic': { group: 'failure_destination', toggle: 'local.failure_destination_enabled' },
};

/** The grants that are not the function's own, and exactly what each may be. */
const SERVICE_GRANTS = [
  { principal: 'service objectstorage-${var.region}', verb: 'use', resourceType: 'keys', group: 'object_storage_service_keys' },
  { principal: 'service cloudEvents', verb: 'use', resourceType: 'functions-family', group: 'events_invoke' },
  { principal: 'service objectstorage-${var.region}', verb: 'manage', resourceType: 'object-family', group: 'object_storage_service_lifecycle' },
] as const;

interface Statement {
  readonly group: string;
  readonly principal: string;
  readonly verb: Verb;
  readonly resourceType: string;
  /** The local naming the compartments (`watched_scopes`, ...), or `function_scope`. */
  readonly scope: string;
  /** The local holding the `where` clause, if any. */
  readonly clause: string | undefined;
}

let config: TfConfig;
let groups: Map<string, string>;
let statements: Statement[];

const STATEMENT = /allow (\$\{local\.[a-z_]+\}|service [A-Za-z-]+(?:\$\{var\.region\})?) to (inspect|read|use|manage) ([a-z-]+) in \$\{([a-z_.]+)\}(?:\$\{local\.([a-z_]+)\})?"/g;

function parseGroup(group: string, text: string, principals: Map<string, string>): Statement[] {
  // Statements are written as HCL string templates; in hcl2json's output they
  // appear quoted inside the group's expression (or as literal list items).
  const quoted = text.startsWith('${') ? text : `"${text}"`;
  const out: Statement[] = [];
  for (const m of quoted.matchAll(STATEMENT)) {
    const [, principalExpr = '', verb = '', resourceType = '', scopeExpr = '', clause] = m;
    const principal = principals.get(principalExpr) ?? principalExpr;
    let scope = scopeExpr.replace(/^local\./, '');
    if (scopeExpr === 's') {
      const loop = /for s in local\.([a-z_]+)/.exec(text);
      if (!loop?.[1]) throw new Error(`${group}: \${s} outside a for expression`);
      scope = loop[1];
    }
    out.push({ group, principal, verb: verb as Verb, resourceType, scope, clause });
  }
  const written = (quoted.match(/allow /g) ?? []).length;
  if (written !== out.length) throw new Error(`${group}: ${written} statements written, ${out.length} understood: ${text}`);
  return out;
}

beforeAll(async () => {
  config = await loadConfig(TERRAFORM_DIR);
  const allLocals = locals(config);
  const ps = allLocals.get('policy_statements');
  if (!isObject(ps)) throw new Error('local.policy_statements should be an object of statement lists');
  const principals = new Map<string, string>();
  for (const name of ['dynamic_group', 'objectstorage_s']) {
    const v = allLocals.get(name);
    if (typeof v === 'string') principals.set(`\${local.${name}}`, v);
  }
  groups = new Map(Object.entries(ps).map(([g, v]) => [g, Array.isArray(v) ? v.map(String).join('\n') : String(v)]));
  statements = [...groups].flatMap(([g, text]) => parseGroup(g, text, principals));
});

const FUNCTION_PRINCIPAL = 'dynamic-group ${local.dynamic_group_name}';
const functionStatements = (): Statement[] => statements.filter((s) => s.principal === FUNCTION_PRINCIPAL);

describe('IAM statements', () => {
  it('are all understood (principal, verb, resource type, scope)', () => {
    expect(statements.length).toBeGreaterThanOrEqual(8);
    for (const s of statements) {
      expect([FUNCTION_PRINCIPAL, ...SERVICE_GRANTS.map((g) => g.principal)], JSON.stringify(s)).toContain(s.principal);
    }
  });

  it.each(OCI_OPERATIONS.map((op) => [op.operation, op] as const))('cover %s', (_name, op) => {
    const group = op.feature ? FEATURE_GROUPS[op.feature].group : undefined;
    const granting = functionStatements().filter(
      (s) => s.resourceType === op.resourceType && VERB_RANK[s.verb] >= VERB_RANK[op.verb] && (group === undefined || s.group === group),
    );
    expect(granting, `${op.verb} ${op.resourceType}`).not.toEqual([]);
  });

  it('grant the function nothing broader than the verbs and resource types OCI_OPERATIONS needs', () => {
    const maxVerb = new Map<string, number>();
    for (const op of OCI_OPERATIONS) maxVerb.set(op.resourceType, Math.max(maxVerb.get(op.resourceType) ?? -1, VERB_RANK[op.verb]));
    for (const s of functionStatements()) {
      const allowed = maxVerb.get(s.resourceType);
      expect(allowed, `resource type ${s.resourceType} is not needed`).toBeDefined();
      expect(VERB_RANK[s.verb], `${s.verb} ${s.resourceType} is broader than needed`).toBeLessThanOrEqual(allowed ?? -1);
    }
  });

  it('give services exactly Object Storage `use keys` (and lifecycle deletes in the state bucket) and Events invoke', () => {
    const services = statements.filter((s) => s.principal !== FUNCTION_PRINCIPAL);
    expect(services.map((s) => [s.principal, s.verb, s.resourceType, s.group]).sort()).toEqual(
      SERVICE_GRANTS.map((g) => [g.principal, g.verb, g.resourceType, g.group]).sort(),
    );
    expect(locals(config).get('objectstorage_s')).toBe('service objectstorage-${var.region}');
  });

  it('put feature-only permissions in their own policy group, switched by the feature', () => {
    for (const op of OCI_OPERATIONS.filter((o) => o.feature)) {
      const { group, toggle } = FEATURE_GROUPS[op.feature ?? 'sse-c'];
      const text = groups.get(group) ?? '';
      expect(text.startsWith(`\${${toggle} ?`), `${group} is switched by ${toggle}`).toBe(true);
      expect(text.endsWith(': []}'), `${group} is empty when off`).toBe(true);
      // ...and never granted outside it, unless an operation without the feature needs the same
      // resource type (objects: the watched buckets' and the state bucket's, each by its own clause).
      if (OCI_OPERATIONS.some((o) => !o.feature && o.resourceType === op.resourceType)) continue;
      const elsewhere = functionStatements().filter((s) => s.resourceType === op.resourceType && s.group !== group);
      expect(elsewhere).toEqual([]);
    }
  });

  it('scope every grant to the watched compartments, buckets, keys, vaults and secrets', () => {
    const expected: Record<string, { scope: string; clause: string | undefined }> = {
      'inspect buckets': { scope: 'watched_scopes', clause: undefined }, // ListBuckets spans buckets: no name condition possible
      'read buckets': { scope: 'watched_scopes', clause: 'bucket_clause' },
      'use objects': { scope: 'watched_scopes', clause: 'bucket_clause' },
      'use buckets': { scope: 'watched_scopes', clause: 'bucket_clause' },
      'read objects': { scope: 'watched_scopes', clause: 'bucket_clause' },
      'read vaults': { scope: 'key_scopes', clause: 'vault_clause' },
      'read keys': { scope: 'key_scopes', clause: 'key_clause' },
      'read secret-bundles': { scope: 'secret_scopes', clause: 'secret_clause' },
      'use fn-invocation': { scope: 'function_scope', clause: undefined },
      'use key-delegate': { scope: 'key_scopes', clause: 'manual_key_clause' },
      'read fn-function': { scope: 'function_scope', clause: undefined },
      'manage objects': { scope: 'state_scope', clause: 'state_clause' },
      'manage object-family': { scope: 'state_scope', clause: 'state_clause' },
      'use ons-topics': { scope: 'function_scope', clause: 'topic_clause' },
      'use keys': { scope: 'key_scopes', clause: 'service_key_clause' },
      'use functions-family': { scope: 'function_scope', clause: undefined },
      'use metrics': { scope: 'metrics_scope', clause: 'metrics_clause' },
    };
    for (const s of statements) {
      expect({ scope: s.scope, clause: s.clause }, `${s.verb} ${s.resourceType}`).toEqual(expected[`${s.verb} ${s.resourceType}`]);
    }
  });

  it('build the where clauses from the watched names and OCIDs, with the documented variables', () => {
    const l = locals(config);
    expect(String(l.get('bucket_clause'))).toMatch(/^\$\{local\.filter_buckets \? " where any \{.*for b in var\.watched_bucket_names : "target\.bucket\.name = '\$\{b\}'".*: ""\}$/);
    expect(String(l.get('key_clause'))).toContain(`for k in var.watched_key_ids : "target.key.id = '\${k}'"`);
    expect(String(l.get('vault_clause'))).toContain(`for v in var.watched_vault_ids : "target.vault.id = '\${v}'"`);
    expect(String(l.get('secret_clause'))).toContain(`for s in var.sse_c_secret_ids : "target.secret.id = '\${s}'"`);
    expect(String(l.get('manual_key_clause'))).toContain(`for k in var.manual_kms_key_ids : "target.key.id = '\${k}'"`);
    // Object Storage uses the watched keys and the keys a manual request may name.
    expect(String(l.get('service_key_clause'))).toContain(`for k in distinct(concat(var.watched_key_ids, var.manual_kms_key_ids)) : "target.key.id = '\${k}'"`);
    expect(l.get('state_clause')).toBe(" where target.bucket.name = '${local.state_bucket_name}'");
    expect(l.get('state_scope')).toBe('${local.function_scope}');
    expect(l.get('metrics_clause')).toBe(" where target.metrics.namespace = '${local.metrics_namespace}'");
    expect(l.get('dynamic_group')).toBe('dynamic-group ${local.dynamic_group_name}');
    for (const scope of ['watched_scopes', 'key_scopes', 'secret_scopes']) {
      expect(String(l.get(scope)), scope).toMatch(/\? "tenancy" : "compartment id \$\{c\}"\]\}$/);
    }
  });

  it('each group is one policy, and the optional ones exist only with their feature', () => {
    const policies = blocks(config, 'resource').filter((b) => b.type === 'oci_identity_policy');
    const used = policies.map((p) => /^\$\{local\.policy_statements\.([a-z_]+)\}$/.exec(String(p.body['statements']))?.[1]);
    expect(used.sort()).toEqual([...groups.keys()].sort());
    for (const p of policies) {
      const count = String(p.body['count']);
      expect(count, p.name).toContain('var.create_iam');
      const feature = Object.values(FEATURE_GROUPS).find((f) => `\${local.policy_statements.${f.group}}` === p.body['statements']);
      if (feature) expect(count, p.name).toContain(feature.toggle);
    }
  });

  it('every policy is in the identity_policy_ids output', () => {
    const outputs = config.files.flatMap((f) => (isObject(f.json['output']) ? [f.json['output']] : []));
    const value = JSON.stringify(outputs.map((o) => o['identity_policy_ids']));
    const policies = blocks(config, 'resource').filter((b) => b.type === 'oci_identity_policy');
    expect(policies.length).toBeGreaterThanOrEqual(7);
    for (const p of policies) expect(value, p.name).toMatch(new RegExp(`\\b${p.name}\\s*=\\s*oci_identity_policy\\.${p.name}\\b`));
  });

  it('grant publishing (the platform\'s failure records, the function\'s resumes) only with the failure destination, and nothing else on topics', () => {
    const text = groups.get('failure_destination') ?? '';
    expect(text.startsWith('${local.failure_destination_enabled ?')).toBe(true);
    expect(text.endsWith(': []}')).toBe(true);
    // Notifications' policy reference documents only the general variables for ons-topics (no target.topic.id):
    // the grant is limited to PublishMessage's permission in the function's compartment.
    expect(locals(config).get('topic_clause')).toBe(" where request.permission = 'ONS_TOPIC_PUBLISH'");
    // The function publishes to the same topic it is subscribed to and that is its failure destination.
    const fnConfig = String(locals(config).get('function_config') ? JSON.stringify(locals(config).get('function_config')) : '');
    expect(fnConfig).toContain('oci_ons_notification_topic.failures[*].topic_id');
    expect(fnConfig).toContain('oci_ons_notification_topic.failures[*].api_endpoint');
    const fn = blocks(config, 'resource').find((b) => b.type === 'oci_functions_function' && b.name === 'this');
    expect(JSON.stringify(fn?.body['dynamic'])).toContain('"kind":"NOTIFICATION"');
    const sub = blocks(config, 'resource').find((b) => b.type === 'oci_ons_subscription' && b.name === 'failures');
    expect(sub?.body).toMatchObject({ protocol: 'ORACLE_FUNCTIONS', endpoint: '${oci_functions_function.this.id}' });
  });

  it('match this function only in the dynamic group', () => {
    const dg = blocks(config, 'resource').find((b) => b.type === 'oci_identity_dynamic_group');
    expect(dg?.body['compartment_id']).toBe('${var.tenancy_id}');
    expect(dg?.body['matching_rule']).toBe("ALL {resource.type = 'fnfunc', resource.id = '${oci_functions_function.this.id}'}");
  });
});

describe('forbidden grants', () => {
  const files = [...tfPaths(TERRAFORM_DIR), ...tfPaths(EXAMPLE_DIR)];

  it.each(files)('%s grants no `manage all-resources`, uses no `any-user`, and the function manages only objects in the state bucket', (path) => {
    const text = readFileSync(path, 'utf8');
    expect(text).not.toMatch(/manage\s+all-resources/i);
    expect(text).not.toMatch(/any-user/i);
    const manages = [...text.matchAll(/allow\s+\S+\s+to\s+manage\b[^"]*/gi)].map((m) => m[0]);
    const allowed = [
      'allow ${local.dynamic_group} to manage objects in ${local.state_scope}${local.state_clause}',
      'allow ${local.objectstorage_s} to manage object-family in ${local.state_scope}${local.state_clause}',
    ];
    for (const m of manages) expect(allowed).toContain(m);
  });

  it('the state bucket is private, unversioned, optionally under a Vault key, and its old runs expire', () => {
    const bucket = blocks(config, 'resource').find((b) => b.type === 'oci_objectstorage_bucket' && b.name === 'state');
    expect(bucket?.body).toMatchObject({
      count: '${var.create_state_bucket ? 1 : 0}', access_type: 'NoPublicAccess', versioning: 'Disabled', name: '${local.state_bucket_name}',
      kms_key_id: '${var.state_bucket_kms_key_id != "" ? var.state_bucket_kms_key_id : null}',
    });
    const policy = blocks(config, 'resource').find((b) => b.type === 'oci_objectstorage_object_lifecycle_policy' && b.name === 'state');
    expect(JSON.stringify(policy?.body['rules'])).toContain('"action":"DELETE"');
    expect(JSON.stringify(policy?.body['rules'])).toContain('"time_amount":"${var.run_state_retention_days}"');
    const fn = blocks(config, 'resource').find((b) => b.type === 'oci_functions_function' && b.name === 'this');
    expect(fn?.body['detached_mode_timeout_in_seconds']).toBe('${var.function_detached_timeout_in_seconds}');
  });

  it('policy statements are written only in local.policy_statements', async () => {
    for (const c of [config, await loadConfig(EXAMPLE_DIR)]) {
      for (const f of c.files) {
        const json = { ...f.json };
        const withoutStatements: Json = JSON.parse(
          JSON.stringify(json, (k, v: unknown) => (k === 'policy_statements' ? undefined : v)),
        ) as Json;
        const stray = strings(withoutStatements).filter((s) => /\ballow\s+(dynamic-group|service|group|any-user|\$\{)/i.test(s));
        expect(stray, f.path).toEqual([]);
      }
    }
  });
});
