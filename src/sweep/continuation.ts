import { createHash } from 'node:crypto';
import { InvalidContinuationError } from '../errors';
import requestSchema from '../../schemas/reencrypt-request.schema.json';
import { WATERMARK_SOURCES, type WatermarkSource } from '../decide/watermark';
import { compile, passes } from '../input/ajv';
import { PAGE_LIMIT } from '../oci/object-storage';
import { SWEEP_TRIGGERS, type SweepTrigger } from './sweep-trigger';

/** Where a bucket's sweep stands: the page it was in, and how many of that page's items are done. */
export interface SweepPosition {
  /** The page's start: a name for ListObjects, a page token for ListObjectVersions; absent = the first page. */
  readonly start?: string;
  readonly offset: number;
  /**
   * The first item not yet done (set when offset > 0). The page can change
   * before the continuation is used (a done object deleted by a user or a
   * lifecycle rule shifts the rest left), so the resume finds this item in the
   * re-listed page instead of trusting `offset` alone.
   */
  readonly anchor?: { readonly name: string; readonly versionId?: string };
}

export interface PendingBucket {
  readonly name: string;
  readonly prefix?: string;
  readonly position: SweepPosition;
}

/** Everything a later invocation needs to resume a sweep exactly where this one stopped. */
export interface ContinuationState {
  readonly v: 1;
  readonly trigger: SweepTrigger;
  readonly namespace: string;
  readonly dryRun: boolean;
  /** RFC 3339, or null for "every version" (force). */
  readonly before: string | null;
  readonly watermarkSource: WatermarkSource;
  readonly buckets: readonly PendingBucket[];
  /** When the run's first invocation started (epoch ms): the age of an unfinished run, for its metric. Absent in older tokens. */
  readonly runStartedAt?: number;
}

/**
 * Every limit here comes from where the value comes from, so that each
 * continuation the function issues is one it accepts: the trigger and
 * watermark source are enums of what the code writes; namespace, bucket and
 * prefix follow the request schema that admitted them (bucket names from
 * ListBuckets obey the same OCI naming rule); offsets stay within one listing
 * page. Values OCI hands back (page tokens, listed names and version ids) have
 * no documented bound: only the token's own length (the request schema's
 * `continuation.maxLength`) bounds them, as it bounds the number of buckets.
 */
const { namespace: NAMESPACE } = requestSchema.definitions;
const { bucketName: BUCKET_NAME, prefix: PREFIX } = requestSchema.properties;
const STATE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['v', 'trigger', 'namespace', 'dryRun', 'before', 'watermarkSource', 'buckets'],
  properties: {
    v: { const: 1 },
    trigger: { enum: SWEEP_TRIGGERS },
    namespace: NAMESPACE,
    dryRun: { type: 'boolean' },
    before: { type: ['string', 'null'], format: 'date-time' },
    watermarkSource: { enum: WATERMARK_SOURCES },
    runStartedAt: { type: 'integer', minimum: 0 },
    buckets: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'position'],
        properties: {
          name: BUCKET_NAME,
          prefix: PREFIX,
          position: {
            type: 'object', additionalProperties: false, required: ['offset'],
            properties: {
              start: { type: 'string' },
              // An item's index within one listing page, which holds at most PAGE_LIMIT items.
              offset: { type: 'integer', minimum: 0, maximum: PAGE_LIMIT },
              anchor: {
                type: 'object', additionalProperties: false, required: ['name'],
                properties: { name: { type: 'string', minLength: 1 }, versionId: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
} as const;
const validateState = compile<ContinuationState>(STATE_SCHEMA);

/** Opaque to callers: base64url JSON with a checksum that catches truncation and edits. */
export function encodeContinuation(state: ContinuationState): string {
  const body = JSON.stringify(state);
  return Buffer.from(JSON.stringify({ s: state, c: checksum(body) })).toString('base64url');
}

export function decodeContinuation(token: string): ContinuationState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a continuation this function issued (it does not decode)');
  }
  const { s, c } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { s?: unknown; c?: unknown };
  if (typeof c !== 'string' || c !== checksum(JSON.stringify(s))) {
    throw invalid('is damaged or was edited (its checksum does not match)');
  }
  if (!passes(validateState, s)) throw invalid('is from an incompatible version of this function');
  if (!usable(s)) throw invalid('carries a time this function never issues (it was edited)');
  return s;
}

/** The first instant whose ISO form has a five-digit year (which the date-time format refuses). */
const YEAR_10000 = Date.UTC(10_000, 0, 1);
/** The first instant of year 0000: an earlier one's ISO form has a six-digit negative year (which the format refuses too). */
const YEAR_0 = Date.parse('0000-01-01T00:00:00Z');
/** How far ahead of this container's clock another container's may have been when it issued a token. */
const CLOCK_AHEAD_MS = 10 * 60_000;

/**
 * The checksum catches damage, not forgery. The schema's date-time format admits a leap second
 * (no Date holds it: the sweep failed with "Invalid time value") and offsets that move 9999-12-31
 * into year 10000 or 0000-01-01 into year -1 (the next continuation would be refused); a run cannot
 * have started later than now.
 */
function usable(s: ContinuationState): boolean {
  if (s.before !== null) {
    const at = Date.parse(s.before);
    if (Number.isNaN(at) || at >= YEAR_10000 || at < YEAR_0) return false;
  }
  return s.runStartedAt === undefined || s.runStartedAt <= Date.now() + CLOCK_AHEAD_MS;
}

function checksum(body: string): string {
  return createHash('sha256').update(`oci-reencrypt/continuation/v1\n${body}`).digest('base64url').slice(0, 22);
}

function invalid(problem: string): InvalidContinuationError {
  return new InvalidContinuationError(`The continuation ${problem}`, [{ field: 'continuation', problem }]);
}
