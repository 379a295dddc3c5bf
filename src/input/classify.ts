import { createHash } from 'node:crypto';
import { isNameableCallId } from '../call-id';
import requestSchema from '../../schemas/reencrypt-request.schema.json';
import { InvalidInputError, type FieldProblem } from '../errors';
import type { ErrorObject } from 'ajv';
import { compile, passes, takeErrors, toFieldProblems } from './ajv';
import {
  ACCEPTED_EVENT_TYPES, BUCKET_EVENT_TYPES, KEY_ROTATION_BEGIN_TYPES, OBJECT_EVENT_TYPES, type EventType,
} from './event-types';
import { KEY_FILE_PROBLEMS, MAX_OBJECT_NAME_BYTES, resolveCliAliases, withoutUnsetCliFields } from './cli-skeleton';
import { findKeyReference } from './key-reference';
import {
  BUCKET_EVENT_DATA_SCHEMA, CLOUDEVENTS_01_SCHEMA, CLOUDEVENTS_10_SCHEMA, KEY_EVENT_DATA_SCHEMA, OBJECT_EVENT_DATA_SCHEMA,
} from './schemas';
import type { EventOrigin, ManualRequest, ManualRequestBody, ManualScope, ReencryptRequest } from './types';

/** Larger bodies are refused before parsing: OCI events are a few KB, a manual request less. */
export const MAX_BODY_BYTES = 256 * 1024;

const validateCe01 = compile<Record<string, unknown>>(CLOUDEVENTS_01_SCHEMA);
const validateCe10 = compile<Record<string, unknown>>(CLOUDEVENTS_10_SCHEMA);
const validateObjectData = compile<ObjectEventData>(OBJECT_EVENT_DATA_SCHEMA);
const validateBucketData = compile<BucketEventData>(BUCKET_EVENT_DATA_SCHEMA);
const validateKeyData = compile<Record<string, unknown>>(KEY_EVENT_DATA_SCHEMA);
const validateManual = compile<ManualRequestBody>(requestSchema);
/**
 * A failure destination's record of a failed detached invocation. Oracle does not document
 * its fields; it is recognised by naming a function OCID and a status, and no field of a
 * manual request. Nothing else in it is read.
 */
const validateInvocationRecord = compile<{ functionId: string }>({
  type: 'object',
  required: ['functionId', 'status'],
  properties: {
    functionId: { type: 'string', maxLength: 255, pattern: '^ocid1\\.fnfunc\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[A-Za-z0-9._-]+$' },
    status: { type: 'string', maxLength: 64 },
  },
  not: { anyOf: [{ required: ['bucketName'] }, { required: ['kmsKeyId'] }, { required: ['continuation'] }, { required: ['resume'] }, { required: ['runId'] }] },
});


interface ObjectEventData {
  compartmentId?: string;
  resourceName: string;
  additionalDetails: { namespace: string; bucketName: string; versionId?: string; archivalState?: string };
}
interface BucketEventData {
  compartmentId?: string;
  additionalDetails: { namespace: string; bucketName: string };
}

/** The FDK hands the raw body over (inputMode 'buffer'): decode and parse it here, once. */
export function parseBody(raw: unknown): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw ?? ''));
  if (bytes.length === 0) throw invalid('The request body is empty: send a JSON object', '(body)', 'is empty');
  if (bytes.length > MAX_BODY_BYTES) {
    throw invalid(`The request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`, '(body)', `is larger than ${MAX_BODY_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('The request body is not valid UTF-8', '(body)', 'is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalid(`The request body is not valid JSON: ${(e as Error).message}`, '(body)', 'is not valid JSON');
  }
}

/** Classifies a parsed body into one typed request, or throws InvalidInputError naming the field. */
export function classify(body: unknown): ReencryptRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const what = Array.isArray(body) ? 'an array' : body === null ? 'null' : `a ${typeof body}`;
    throw invalid(`The request body must be a JSON object, not ${what}`, '(body)', `must be a JSON object, not ${what}`);
  }
  const record = body as Record<string, unknown>;
  // Own keys only: nothing inherited may decide what kind of input this is.
  if (Object.hasOwn(record, 'eventType') || Object.hasOwn(record, 'cloudEventsVersion')) return classifyEvent(fromCloudEvents01(record));
  if (Object.hasOwn(record, 'specversion')) return classifyEvent(fromCloudEvents10(record));
  if (passes(validateInvocationRecord, record)) {
    const recordKey = createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 40);
    // The failed call's id names a state object (chains.ts): taken only in the shape of an Fn call id, else ignored.
    const id = (record as Record<string, unknown>)['id'];
    const failedCallId = typeof id === 'string' && isNameableCallId(id) ? id : undefined;
    return { kind: 'invocation-failed', functionId: record.functionId, recordKey, ...(failedCallId && { failedCallId }) };
  }
  return classifyManual(record);
}

interface NormalisedEvent {
  readonly eventType: string;
  readonly eventId: string;
  readonly eventTime: Date;
  readonly compartmentId?: string;
  readonly data: Record<string, unknown>;
  /** Prefix of `data` in the original envelope, for error messages. */
  readonly dataPath: string;
  readonly typeField: string;
}

function fromCloudEvents01(event: Record<string, unknown>): NormalisedEvent {
  check(validateCe01, event, '', 'The event envelope (CloudEvents 0.1) is invalid');
  const data = event.data as Record<string, unknown>;
  const ext = event.extensions as { compartmentId?: string } | undefined;
  const compartmentId = (data.compartmentId as string | undefined) ?? ext?.compartmentId;
  return {
    eventType: event.eventType as string,
    eventId: event.eventID as string,
    eventTime: instantOf(event.eventTime as string, 'eventTime'),
    ...(compartmentId && { compartmentId }),
    data,
    dataPath: 'data',
    typeField: 'eventType',
  };
}

function fromCloudEvents10(event: Record<string, unknown>): NormalisedEvent {
  check(validateCe10, event, '', 'The event envelope (CloudEvents 1.0) is invalid');
  const data = event.data as Record<string, unknown>;
  const compartmentId = (data.compartmentId as string | undefined) ?? (event.compartmentid as string | undefined);
  const time = event.time as string | undefined;
  return {
    eventType: event.type as string,
    eventId: event.id as string,
    // CloudEvents 1.0 makes `time` optional; without it the receipt time is the best bound we have.
    eventTime: time ? instantOf(time, 'time') : new Date(),
    ...(compartmentId && { compartmentId }),
    data,
    dataPath: 'data',
    typeField: 'type',
  };
}

function classifyEvent(event: NormalisedEvent): ReencryptRequest {
  if (!(ACCEPTED_EVENT_TYPES as readonly string[]).includes(event.eventType)) {
    throw invalid(
      `${event.typeField} '${printable(event.eventType)}' is not an event type this function handles`,
      event.typeField,
      `must be one of ${ACCEPTED_EVENT_TYPES.join(', ')}`,
    );
  }
  const eventType = event.eventType as EventType;
  const origin: EventOrigin = {
    eventType, eventId: event.eventId, eventTime: event.eventTime,
    ...(event.compartmentId && { compartmentId: event.compartmentId }),
  };
  if (OBJECT_EVENT_TYPES.includes(eventType)) {
    const data = check(validateObjectData, event.data, event.dataPath, 'The object event is invalid');
    const { namespace, bucketName, versionId, archivalState } = data.additionalDetails;
    const nameBytes = Buffer.byteLength(data.resourceName, 'utf8');
    if (nameBytes > MAX_OBJECT_NAME_BYTES) {
      throw invalid(`The object event is invalid: ${event.dataPath}.resourceName is ${nameBytes} bytes of UTF-8`,
        `${event.dataPath}.resourceName`, `is ${nameBytes} bytes of UTF-8; OCI allows at most ${MAX_OBJECT_NAME_BYTES} bytes`);
    }
    return {
      kind: 'object-event', ...origin, namespace, bucketName, objectName: data.resourceName,
      ...(versionId && { versionId }), ...(archivalState && { archivalState }),
    };
  }
  if (BUCKET_EVENT_TYPES.includes(eventType)) {
    const data = check(validateBucketData, event.data, event.dataPath, 'The bucket event is invalid');
    // Named fields only: anything else in additionalDetails (kind, eventTime, keyId...) is ignored, never merged.
    const { namespace, bucketName } = data.additionalDetails;
    return { kind: 'bucket-key-change', ...origin, namespace, bucketName };
  }
  const data = check(validateKeyData, event.data, event.dataPath, 'The key event is invalid');
  const ref = findKeyReference(data);
  if (!ref.keyId) {
    throw invalid(
      'The key event names no key OCID (looked in data.additionalDetails.keyId, data.resourceId and every string in data)',
      `${event.dataPath}.resourceId`,
      'must be, or data must contain, a key OCID (ocid1.key...)',
    );
  }
  return {
    kind: 'key-rotation', ...origin,
    phase: KEY_ROTATION_BEGIN_TYPES.includes(eventType) ? 'begin' : 'end',
    keyId: ref.keyId,
    ...(ref.keyVersionId && { keyVersionId: ref.keyVersionId }),
    ...(ref.vaultId && { vaultId: ref.vaultId }),
  };
}

/** Two-field rules of the published schema, said in words (ajv only says "must NOT be valid"). */
const DEPENDENCY_MESSAGES: Record<string, FieldProblem> = {
  objectName: { field: 'objectName', problem: 'cannot be combined with prefix, before or force (those are for sweeps)' },
  name: { field: 'name', problem: 'cannot be combined with prefix, before or force (those are for sweeps)' },
  sseCustomerKeySecretId: { field: 'sseCustomerKeySecretId', problem: 'cannot be combined with kmsKeyId: name one target key' },
  before: { field: 'before', problem: 'cannot be combined with force' },
  continuation: { field: 'continuation', problem: 'cannot be combined with a new scope (bucketName, kmsKeyId, objectName, prefix, before, force, compartmentIds)' },
  runId: { field: 'runId', problem: 'names a run: alone (its status) or with a sweep (bucketName or kmsKeyId), not with objectName, continuation, resume or listRuns' },
  resume: { field: 'resume', problem: 'cannot be combined with a new scope, a continuation, listRuns or dryRun' },
  replaces: { field: 'replaces', problem: 'cannot be combined with handedOverBy (the function sets one or the other)' },
  listRuns: { field: 'listRuns', problem: 'cannot be combined with a scope, a continuation or dryRun' },
  strategy: { field: 'strategy', problem: 'applies to sweeps (bucketName or kmsKeyId): not with objectName, a continuation, resume or listRuns' },
};

function classifyManual(raw: Record<string, unknown>): ManualRequest {
  // The CLI's skeleton: null means "not given", an empty kmsKeyId the bucket's key.
  const body = withoutUnsetCliFields(raw);
  if (!validateManual(body)) {
    const details = listed(manualProblems(takeErrors(validateManual)));
    throw new InvalidInputError(`The manual request is invalid: ${summarise(details)}`, details);
  }
  const { objectName, namespace } = resolveCliAliases(body);
  const b: ManualRequestBody = { ...body, ...(objectName !== undefined && { objectName }) };
  const base = { kind: 'manual' as const, dryRun: b.dryRun ?? false, ...(namespace && { namespace }), ...(b.vaultId && { vaultId: b.vaultId }) };
  const watermark = b.force ? { type: 'force' as const }
    : b.before ? { type: 'before' as const, before: instantOf(b.before, 'before') }
      : { type: 'key-version' as const };
  let scope: ManualScope;
  if (b.continuation) scope = { type: 'continuation', token: b.continuation };
  else if (b.resume) scope = { type: 'resume', runId: b.resume, ...(b.handedOverBy && { handedOverBy: b.handedOverBy }), ...(b.replaces && { replaces: b.replaces }) };
  else if (b.listRuns) scope = { type: 'list-runs' };
  else if (b.runId && !b.bucketName && !b.kmsKeyId) scope = { type: 'run-status', runId: b.runId };
  else if (b.bucketName && objectName) {
    scope = {
      type: 'object', bucketName: b.bucketName, objectName,
      ...(b.versionId && { versionId: b.versionId }), ...(b.kmsKeyId && { kmsKeyId: b.kmsKeyId }),
      ...(b.sseCustomerKeySecretId && { sseCustomerKeySecretId: b.sseCustomerKeySecretId }),
      ...(b.sourceSseCustomerKeySecretId && { sourceSseCustomerKeySecretId: b.sourceSseCustomerKeySecretId }),
    };
  } else if (b.bucketName) {
    if (b.kmsKeyId) {
      throw invalid('kmsKeyId with bucketName needs objectName: a sweep re-encrypts with the bucket\'s own key', 'kmsKeyId',
        `cannot be combined with bucketName '${b.bucketName}' without objectName`);
    }
    if (b.strategy === 'bucket' && b.prefix) {
      throw invalid('strategy bucket re-encrypts the whole bucket (ReencryptBucket): it cannot be limited to a prefix', 'strategy',
        'cannot be bucket with prefix: ReencryptBucket covers the whole bucket (use objects or auto)');
    }
    scope = { type: 'bucket', bucketName: b.bucketName, ...(b.prefix && { prefix: b.prefix }) };
  } else {
    scope = { type: 'key', kmsKeyId: b.kmsKeyId as string, ...(b.compartmentIds && { compartmentIds: b.compartmentIds }) };
  }
  if (b.strategy === 'bucket' && b.before) {
    throw invalid('strategy bucket re-encrypts every version created before the call (ReencryptBucket): it cannot honour before', 'strategy',
      'cannot be bucket with before: ReencryptBucket covers every version created before the call (use objects or auto, or force)');
  }
  const sweep = scope.type === 'bucket' || scope.type === 'key';
  return { ...base, scope, watermark, ...(b.runId && sweep && { runId: b.runId }), ...(b.strategy && sweep && { strategy: b.strategy }) };
}

/** Maps ajv's errors on the published request schema to field problems, saying two-field rules in words. */
function manualProblems(errors: readonly ErrorObject[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const plain: ErrorObject[] = [];
  for (const e of errors) {
    const dependency = /^#\/dependencies\/([^/]+)\/not$/.exec(e.schemaPath)?.[1];
    const needsObjectName = /^#\/dependencies\/([^/]+)\/anyOf$/.exec(e.schemaPath)?.[1];
    const keyFile = /^#\/properties\/([^/]+)\/type$/.exec(e.schemaPath)?.[1];
    if (e.schemaPath === '#/dependencies/strategy/anyOf' || dependency === 'strategy') problems.push(DEPENDENCY_MESSAGES.strategy as FieldProblem);
    else if (dependency && DEPENDENCY_MESSAGES[dependency]) problems.push(DEPENDENCY_MESSAGES[dependency]);
    else if (needsObjectName) problems.push({ field: 'objectName', problem: `is required when ${needsObjectName} is given (or name, its CLI alias)` });
    else if (keyFile && KEY_FILE_PROBLEMS[keyFile]) problems.push(KEY_FILE_PROBLEMS[keyFile]);
    else if (e.schemaPath === '#/anyOf') problems.push(SCOPE_REQUIRED);
    else if (/^#\/dependencies\/[^/]+\/required$/.test(e.schemaPath)) {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      problems.push({ field: missing, problem: `is required when ${e.schemaPath.split('/')[2]} is given` });
    }
    else if (!/^#\/(anyOf|dependencies\/[^/]+\/(not|anyOf))\//.test(e.schemaPath)) plain.push(e);
  }
  return [...toFieldProblems(plain), ...problems];
}

const SCOPE_REQUIRED: FieldProblem = {
  field: 'bucketName',
  problem: 'is required (or kmsKeyId alone to sweep every bucket that uses a key, continuation to resume a token, runId for a run\'s status, resume, or listRuns)',
};

function check<T>(validate: ReturnType<typeof compile<T>>, value: unknown, root: string, message: string): T {
  if (validate(value)) return value;
  const details = listed(toFieldProblems(takeErrors(validate), root));
  throw new InvalidInputError(`${message}: ${summarise(details)}`, details);
}

/**
 * The latest instant accepted from input: later ones (after the clock skew is
 * added) would not print as a four-digit-year RFC 3339 time, which a
 * continuation must carry.
 */
const LATEST_INSTANT = Date.UTC(9999, 0, 1);
/** The earliest: a positive offset moves a year-0000 time into year -1, whose ISO form ('-000001-...') no date-time is. */
const EARLIEST_INSTANT = Date.parse('0000-01-01T00:00:00Z');

/**
 * A schema-valid RFC 3339 time as a Date. The format allows what a Date cannot
 * hold (a leap second, :60) and offsets that push 9999-12-31 into year 10000.
 */
function instantOf(text: string, field: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw invalid(`${field} '${printable(text)}' is not an instant this function can use`, field, 'must be an RFC 3339 date-time without a leap second');
  }
  if (at.getTime() >= LATEST_INSTANT) {
    throw invalid(`${field} '${printable(text)}' is too far in the future`, field, 'must be before 9999-01-01T00:00:00Z');
  }
  if (at.getTime() < EARLIEST_INSTANT) {
    throw invalid(`${field} '${printable(text)}' is before year 0000 in UTC`, field, 'must be 0000-01-01T00:00:00Z or later');
  }
  return at;
}

function invalid(message: string, field: string, problem: string): InvalidInputError {
  return new InvalidInputError(message, [{ field, problem }]);
}

function summarise(details: readonly FieldProblem[]): string {
  return details.map((d) => `${d.field} ${d.problem}`).join('; ');
}

/** The most problems an answer lists: 100,000 wrong array items in a 256 KB body would otherwise answer (and log) megabytes. */
export const MAX_PROBLEMS_LISTED = 20;

/** The first MAX_PROBLEMS_LISTED problems, then one line saying how many more there are. */
function listed(details: readonly FieldProblem[]): FieldProblem[] {
  if (details.length <= MAX_PROBLEMS_LISTED) return [...details];
  const more = details.length - MAX_PROBLEMS_LISTED;
  return [...details.slice(0, MAX_PROBLEMS_LISTED), { field: '(body)', problem: `has ${more} more problem${more === 1 ? '' : 's'}, not listed` }];
}

/** Echo untrusted text back safely: no control characters, bounded length. */
function printable(s: string): string {
  const cleaned = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return cleaned.length > 120 ? `${cleaned.slice(0, 117)}...` : cleaned;
}
