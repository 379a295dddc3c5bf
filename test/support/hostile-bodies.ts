/**
 * Generated request bodies for the handler's contract: valid events (every
 * accepted type, CloudEvents 0.1 and 1.0) and manual requests, then mutated
 * the way a hostile or broken sender would: fields dropped, retyped, copied or
 * moved (into and out of additionalDetails), prototype keys, huge and unicode
 * values, duplicate keys and damaged JSON text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { KEY_ROTATION_BEGIN_TYPES, KEY_ROTATION_END_TYPES, OBJECT_EVENT_TYPES } from '../../src/input/event-types';
import { asCloudEvents10, bucketEvent, KEY, keyEvent, objectEvent } from './events';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** What exists in the target tenancy, so that some generated requests do real work. */
export interface Tenancy {
  readonly namespace: string;
  readonly buckets: readonly string[];
  readonly keyId: string;
  readonly vaultId: string;
  readonly compartmentId: string;
  /** Continuations the function issued for this tenancy. */
  readonly continuations: readonly string[];
}

const FIXTURES = ['createobject.json', 'autokeyrotate-end.json'].map((name) => JSON.parse(readFileSync(join(__dirname, '../fixtures/events', name), 'utf8')) as JsonObject);
const objectNames = fc.oneof(fc.constantFrom('seed/0', 'seed/1', 'a b/c&d#e+f%g?h', 'données/日本語/✓'), fc.string({ minLength: 1, maxLength: 40 }));
const instant = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());

function validEvent(t: Tenancy): fc.Arbitrary<JsonObject> {
  const namespace = fc.constantFrom(t.namespace, t.namespace, 'examplens');
  const bucketName = fc.constantFrom(...t.buckets, 'no-such-bucket');
  const event = fc.oneof(
    fc.record({ eventType: fc.constantFrom(...OBJECT_EVENT_TYPES), namespace, bucketName, objectName: objectNames, eventTime: instant })
      .map((o) => objectEvent(o)),
    fc.record({ namespace, bucketName, eventTime: instant }).map((o) => bucketEvent(o)),
    fc.record({ eventType: fc.constantFrom(...KEY_ROTATION_END_TYPES, ...KEY_ROTATION_BEGIN_TYPES), keyId: fc.constantFrom(t.keyId, KEY), eventTime: instant })
      .map((o) => keyEvent({ ...o, vaultId: t.vaultId, compartmentId: t.compartmentId })),
    fc.constantFrom(...FIXTURES).map((e) => structuredClone(e)),
  );
  return fc.tuple(event, fc.boolean()).map(([e, ce10]) => (ce10 ? asCloudEvents10(e) : e) as JsonObject);
}

function validManual(t: Tenancy): fc.Arbitrary<JsonObject> {
  const bucketName = fc.constantFrom(...t.buckets, 'no-such-bucket');
  const dryRun = fc.boolean();
  return fc.oneof(
    fc.record({ bucketName, dryRun }),
    fc.record({ bucketName, prefix: fc.constantFrom('seed/', 'x'), dryRun: fc.constant(true) }),
    fc.record({ bucketName, before: instant, dryRun }),
    fc.record({ bucketName, force: fc.constant(true), dryRun: fc.constant(true), namespaceName: fc.constantFrom(t.namespace, 'otherns') }),
    fc.record({ bucketName, objectName: objectNames, dryRun }),
    fc.record({ bucketName, objectName: objectNames, kmsKeyId: fc.constant(t.keyId) }),
    fc.record({ bucketName, objectName: objectNames, sseCustomerKeySecretId: fc.constant('ocid1.vaultsecret.oc1.phx.amaaaa.nosuchsecret') }),
    fc.record({ kmsKeyId: fc.constantFrom(t.keyId, KEY), compartmentIds: fc.constant([t.compartmentId]), force: fc.constant(true), dryRun: fc.constant(true) }),
    fc.record({ kmsKeyId: fc.constant(t.keyId), vaultId: fc.constant(t.vaultId), dryRun: fc.constant(true) }),
    fc.record({ continuation: fc.constantFrom(...t.continuations) }),
  ).map((body) => body as JsonObject);
}

/** RFC 3339 edge cases: leap seconds, extreme offsets and years, lowercase separators, fractions, and near misses. */
const timeLike: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('2016-12-31T23:59:60Z', '2016-12-31T22:59:60-01:00', '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z', '9998-12-31T23:59:59Z',
    '2026-01-01t00:00:00z', '2026-01-01 00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00.123456789+23:59', '2026-01-01', 'now', ''),
  fc.record({
    y: fc.integer({ min: 0, max: 9999 }), mo: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }),
    h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 60 }),
    off: fc.constantFrom('Z', '+00:00', '-23:59', '+23:59', '+05:30'),
  }).map(({ y, mo, d, h, mi, s: sec, off }) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${p(y, 4)}-${p(mo)}-${p(d)}T${p(h)}:${p(mi)}:${p(sec)}${off}`;
  }),
);

/** Values that break naive code: wrong types, prototype-shaped objects, huge and odd text. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.integer({ min: 1_000, max: 120_000 }).map((n) => 'é'.repeat(n)),
  timeLike,
  fc.constantFrom<Json>(
    null, 0, -1, 1e308, true, [], {}, '', ' ', 'null', '2016-12-31T23:59:60Z', '9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00Z',
    'ocid1.key.oc1.phx.x.y', 'manual', 'key-rotation', 'bucket-key-change', 'com.oraclecloud.keymanagementservice.createkeyversion.end',
    JSON.parse('{"__proto__": {"polluted": "yes", "kind": "manual"}}') as Json, { constructor: { prototype: { polluted: 'yes' } } },
  ),
);
const fieldName = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'kind', 'eventType', 'eventTime', 'eventID', 'type', 'time', 'id', 'specversion', 'cloudEventsVersion',
    'data', 'additionalDetails', 'namespace', 'bucketName', 'objectName', 'resourceName', 'resourceId', 'keyId', 'phase', 'scope',
    'continuation', 'kmsKeyId', 'dryRun', 'force', 'before', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.string({ maxLength: 12 }),
);

/** Fields of the parsed request and of the envelope: what an injected field would try to override. */
const REQUEST_FIELDS = ['kind', 'eventTime', 'eventType', 'eventId', 'eventID', 'keyId', 'keyVersionId', 'vaultId', 'phase', 'namespace', 'bucketName',
  'objectName', 'versionId', 'archivalState', 'compartmentId', 'scope', 'watermark', 'dryRun', 'continuation', ...PROTOTYPE_KEYS] as const;
const injectedValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>('manual', 'key-rotation', 'object-event', 'begin', 'end', '2020-01-01T00:00:00Z', 'ocid1.key.oc1.phx.aaaa.injectedkey',
    'com.oraclecloud.keymanagementservice.createkeyversion.end', 'com.oraclecloud.objectstorage.createobject', 'other-bucket',
    { type: 'bucket', bucketName: 'props-kms' }, { type: 'force' }),
  hostileValue,
);

type Mutation =
  /** The body's time (eventTime, time or before) replaced by an edge case. */
  | { readonly op: 'time'; readonly value: Json }
  /** A request field written into additionalDetails (or data, or the top), where the parser must ignore it. */
  | { readonly op: 'inject'; readonly key: string; readonly value: Json }
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'retype'; readonly at: number; readonly value: Json }
  | { readonly op: 'set'; readonly at: number; readonly key: string; readonly value: Json }
  | { readonly op: 'copy' | 'move'; readonly from: number; readonly to: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('time' as const), value: timeLike }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('inject' as const), key: fc.constantFrom(...REQUEST_FIELDS), value: injectedValue }) },
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), key: fieldName, value: hostileValue }),
  fc.record({ op: fc.constantFrom('copy' as const, 'move' as const), from: fc.nat(), to: fc.nat() }),
);

interface Slot { readonly parent: JsonObject | Json[]; readonly key: string }

/** Every field of every object and array, depth first. */
function slots(value: Json, out: Slot[] = []): Slot[] {
  if (value === null || typeof value !== 'object') return out;
  for (const key of Object.keys(value)) {
    out.push({ parent: value, key });
    slots((value as JsonObject)[key] ?? null, out);
  }
  return out;
}

function containers(value: Json): JsonObject[] {
  const all = [value, ...slots(value).map((s) => (s.parent as JsonObject)[s.key] ?? null)];
  return all.filter((v): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v));
}

/** An own, enumerable property even for `__proto__` (as JSON.parse makes it). */
function put(target: JsonObject | Json[], key: string, value: Json): void {
  // A copy: fast-check hands out the same constant objects again, and one instance in two places can become a cycle.
  // (Through JSON, so an own `__proto__` key stays an own key.)
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  Object.defineProperty(target, key, { value: copy, enumerable: true, writable: true, configurable: true });
}

function apply(body: JsonObject, m: Mutation): void {
  const all = slots(body);
  const pick = (n: number) => all[n % Math.max(all.length, 1)];
  switch (m.op) {
    case 'time': {
      const field = ['eventTime', 'time'].find((k) => Object.hasOwn(body, k))
        ?? (Object.hasOwn(body, 'specversion') ? 'time' : Object.hasOwn(body, 'eventType') ? 'eventTime' : 'before');
      put(body, field, m.value);
      return;
    }
    case 'inject': {
      const data = body.data;
      const details = data !== null && typeof data === 'object' && !Array.isArray(data) ? data.additionalDetails : undefined;
      const target = [details, data, body].find((v): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v))!;
      put(target, m.key, m.value);
      return;
    }
    case 'drop': { const s = pick(m.at); if (s) delete (s.parent as JsonObject)[s.key]; return; }
    case 'retype': { const s = pick(m.at); if (s) put(s.parent, s.key, m.value); return; }
    case 'set': { const objects = containers(body); put(objects[m.at % objects.length]!, m.key, m.value); return; }
    case 'copy':
    case 'move': {
      const s = pick(m.from);
      const objects = containers(body);
      const target = objects[m.to % objects.length]!;
      if (!s) return;
      const value = structuredClone((s.parent as JsonObject)[s.key] ?? null);
      if (m.op === 'move') delete (s.parent as JsonObject)[s.key];
      put(target, s.key, value);
    }
  }
}

/** How the mutated body is sent: as JSON, with a key repeated, or as damaged text. */
type Framing = 'json' | 'duplicate-key' | 'truncated' | 'trailing-garbage' | 'array';
function frame(body: JsonObject, framing: Framing, cut: number): string {
  const text = JSON.stringify(body);
  const keys = Object.keys(body);
  switch (framing) {
    case 'json': return text;
    case 'duplicate-key': {
      const key = keys[cut % Math.max(keys.length, 1)];
      return key === undefined ? text : `${text.slice(0, -1)}${keys.length > 0 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify({ kind: 'manual' })}}`;
    }
    case 'truncated': return text.slice(0, cut % Math.max(text.length, 1));
    case 'trailing-garbage': return `${text}}`;
    case 'array': return `[${text}]`;
  }
}

export interface GeneratedBody { readonly text: string; readonly mutated: boolean }

/** A valid request, or one mutated up to four times and framed, as text. */
export function hostileBodies(t: Tenancy): fc.Arbitrary<GeneratedBody> {
  return fc.record({
    base: fc.oneof(validEvent(t), validManual(t)),
    mutations: fc.oneof({ weight: 1, arbitrary: fc.constant([] as Mutation[]) }, { weight: 4, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) }),
    framing: fc.oneof({ weight: 12, arbitrary: fc.constant<Framing>('json') }, { weight: 1, arbitrary: fc.constantFrom<Framing>('duplicate-key', 'truncated', 'trailing-garbage', 'array') }),
    cut: fc.nat(),
  }).map(({ base, mutations, framing, cut }) => {
    // fast-check may hand the same constant to several cases: mutate a copy.
    const body = structuredClone(base);
    for (const m of mutations) apply(body, m);
    return { text: frame(body, framing, cut), mutated: mutations.length > 0 || framing !== 'json' };
  });
}

/** Own property names of the built-in prototypes, to see that nothing was added to them. */
export function prototypeSnapshot(): string {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((p) => Reflect.ownKeys(p).map(String).sort().join(',')).join('|');
}

export type ContractOutcome = 'ok' | 'invalid-input';

/**
 * The handler's contract: a JSON answer; ok:true, or ok:false with code
 * InvalidInput and details that each name a field. Never InternalError, never
 * an OCI failure passed off as the caller's (OciCallFailed, 502).
 */
export function expectContract(answer: unknown, context: string): ContractOutcome {
  const body = JSON.parse(JSON.stringify(answer)) as { ok?: unknown; error?: { code?: unknown; details?: { field?: unknown; problem?: unknown }[] } };
  if (body.ok === true) return 'ok';
  expect(body, context).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
  expect(body.error?.details?.length, context).toBeGreaterThan(0);
  for (const d of body.error?.details ?? []) {
    expect(typeof d.field === 'string' && d.field.length > 0, `${context}: ${JSON.stringify(d)}`).toBe(true);
    expect(typeof d.problem === 'string' && d.problem.length > 0, context).toBe(true);
  }
  return 'invalid-input';
}

const KIND_OF_EVENT: Record<string, string> = {
  ...Object.fromEntries(OBJECT_EVENT_TYPES.map((t) => [t, 'object-event'])),
  ...Object.fromEntries([...KEY_ROTATION_END_TYPES, ...KEY_ROTATION_BEGIN_TYPES].map((t) => [t, 'key-rotation'])),
  'com.oraclecloud.objectstorage.updatebucket': 'bucket-key-change',
};

/**
 * An accepted event is reported as what its envelope says it is: neither its
 * kind nor its type can come from anywhere else in the body.
 */
export function expectReportedAsSent(text: string, answer: unknown): void {
  let sent: unknown;
  try { sent = JSON.parse(text); } catch { return; }
  if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) return;
  const envelope = sent as Record<string, unknown>;
  const type = Object.hasOwn(envelope, 'eventType') || Object.hasOwn(envelope, 'cloudEventsVersion') ? envelope.eventType
    : Object.hasOwn(envelope, 'specversion') ? envelope.type : undefined;
  const report = answer as { ok?: boolean; trigger?: { kind?: string; eventType?: string } };
  if (report.ok !== true) return;
  if (typeof type === 'string') {
    expect(report.trigger, text.slice(0, 300)).toMatchObject({ kind: KIND_OF_EVENT[type], eventType: type });
  } else {
    expect(report.trigger?.kind, text.slice(0, 300)).toBe('manual');
  }
}
