import { createHash } from 'node:crypto';

/**
 * The longest call id the function keeps. The platform's are ULIDs (26
 * characters); the FDK passes on whatever Fn-Call-Id the socket's caller sent,
 * up to its header limit (16 KB), and the id goes into every log line of the
 * invocation and, as the holder of a durable run's units, into state records.
 */
export const MAX_CALL_ID_CHARS = 96;

/** What a platform call id is made of (ULID, UUID): kept as it is. */
const PLAIN_ID = /^[A-Za-z0-9._:-]+$/;
/** Room for a readable start when an id has to be rewritten: `<start>~<hash>`. */
const KEPT_START = MAX_CALL_ID_CHARS - 1 - 43;

/**
 * The call id as the function uses it: a plain id of at most
 * MAX_CALL_ID_CHARS is kept; any other becomes its plain start and a SHA-256
 * of all of it, so that two different headers stay two different holders
 * (a run compares holders by equality) and the same header stays the same.
 */
export function callIdOf(header: string | null | undefined): string {
  if (!header) return '';
  if (header.length <= MAX_CALL_ID_CHARS && PLAIN_ID.test(header)) return header;
  const start = header.slice(0, KEPT_START).replace(/[^A-Za-z0-9._:-]/g, '_');
  return `${start}~${createHash('sha256').update(header, 'utf8').digest('base64url')}`;
}

/**
 * A call id a request may carry to name an invocation (`handedOverBy`, `replaces`; the request
 * schema's pattern) and a failure record's id is read as. Platform ids (ULIDs) are; an id
 * callIdOf had to keep whole with `.` or `:`, or rewrite, is not, and its handovers go without
 * the name (a failure record of it then resumes the run as before chains were tracked).
 */
const NAMEABLE_CALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isNameableCallId(id: string): boolean {
  return NAMEABLE_CALL_ID.test(id);
}
