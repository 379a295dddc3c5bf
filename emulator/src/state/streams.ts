import { randomBytes } from 'node:crypto';
import { ApiError, invalidParameter } from '../errors';
import type { EmulatorState } from '../state';
import { newOcid } from '../util';

/**
 * Streaming (StreamAdminClient / StreamClient): streams in a compartment's
 * default stream pool, their messages, and cursors. Lifecycle changes take
 * `lifecycleDelayMs` (CREATING → ACTIVE, DELETING → DELETED), as on OCI where
 * a stream needs a moment before it takes messages.
 */
export interface StreamMessageRec {
  readonly key: Buffer | null;
  readonly value: Buffer;
  readonly offset: number;
  readonly timestamp: number;
}

export interface StreamRec {
  readonly id: string;
  readonly name: string;
  readonly compartmentId: string;
  readonly streamPoolId: string;
  readonly partitions: number;
  readonly retentionInHours: number;
  readonly timeCreated: number;
  readonly freeformTags: Record<string, string>;
  /** When CREATING becomes ACTIVE. */
  readonly activeAt: number;
  /** Set by DeleteStream: DELETING until then, DELETED after. */
  deletedAt: number | undefined;
  /** One list per partition; offsets start at 0 in each. */
  readonly messages: StreamMessageRec[][];
}

export type StreamState = 'CREATING' | 'ACTIVE' | 'DELETING' | 'DELETED';

export function streamState(s: StreamRec, now = Date.now()): StreamState {
  if (s.deletedAt !== undefined) return now >= s.deletedAt ? 'DELETED' : 'DELETING';
  return now >= s.activeAt ? 'ACTIVE' : 'CREATING';
}

export interface CreateStreamInput {
  name?: unknown;
  partitions?: unknown;
  compartmentId?: unknown;
  streamPoolId?: unknown;
  retentionInHours?: unknown;
  freeformTags?: unknown;
}

/** The default stream pool of a compartment: one per compartment, created with its first stream. */
export function defaultPoolId(state: EmulatorState, compartmentId: string): string {
  let id = state.defaultStreamPools.get(compartmentId);
  if (!id) {
    id = newOcid('streampool', state.region);
    state.defaultStreamPools.set(compartmentId, id);
  }
  return id;
}

/** CreateStream: the limits are the API reference's (name 1..255, partitions ≥ 1, retention 24..168 hours, default 24). */
export function createStream(state: EmulatorState, input: CreateStreamInput, lifecycleDelayMs: number): StreamRec {
  const { name, partitions, compartmentId, streamPoolId } = input;
  if (typeof name !== 'string' || name.length < 1 || name.length > 255) throw invalidParameter('name must be a string of 1 to 255 characters');
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) throw invalidParameter('partitions must be an integer of at least 1');
  if ((compartmentId === undefined) === (streamPoolId === undefined)) throw invalidParameter('Exactly one of compartmentId and streamPoolId must be given');
  const retention = input.retentionInHours ?? 24;
  if (typeof retention !== 'number' || !Number.isInteger(retention) || retention < 24 || retention > 168) throw invalidParameter('retentionInHours must be between 24 and 168');
  let compartment: string;
  let pool: string;
  if (typeof compartmentId === 'string') {
    compartment = state.compartment(compartmentId).id;
    pool = defaultPoolId(state, compartment);
  } else {
    const owner = [...state.defaultStreamPools].find(([, id]) => id === streamPoolId);
    if (!owner) throw ApiError.from(state.assumptions.notFoundGeneric, `Stream pool ${String(streamPoolId)} not found or not authorized`);
    [compartment, pool] = owner;
  }
  const now = Date.now();
  const rec: StreamRec = {
    id: newOcid('stream', state.region), name, compartmentId: compartment, streamPoolId: pool, partitions, retentionInHours: retention,
    timeCreated: now, freeformTags: isStringRecord(input.freeformTags) ? { ...input.freeformTags } : {},
    activeAt: now + lifecycleDelayMs, deletedAt: undefined, messages: Array.from({ length: partitions }, () => []),
  };
  state.streams.set(rec.id, rec);
  return rec;
}

export function getStream(state: EmulatorState, id: string): StreamRec {
  const s = state.streams.get(id);
  if (!s) throw ApiError.from(state.assumptions.notFoundGeneric, `Stream ${id} not found or not authorized`);
  return s;
}

/** A stream that takes reads and writes: ACTIVE ("the stream becomes inaccessible for read or write operations" once deleting). */
export function activeStream(state: EmulatorState, id: string): StreamRec {
  const s = getStream(state, id);
  const lifecycle = streamState(s);
  if (lifecycle !== 'ACTIVE') throw ApiError.from(state.assumptions.notFoundGeneric, `Stream ${id} is ${lifecycle}, not ACTIVE`);
  return s;
}

export function deleteStream(state: EmulatorState, id: string, lifecycleDelayMs: number): void {
  const s = getStream(state, id);
  if (s.deletedAt !== undefined) throw ApiError.from(state.assumptions.notFoundGeneric, `Stream ${id} not found or not authorized`);
  s.deletedAt = Date.now() + lifecycleDelayMs;
  // "Stream contents are deleted immediately."
  for (const partition of s.messages) partition.length = 0;
}

/** Appends one message; the partition follows the key (no key: partition 0 here). */
export function appendMessage(s: StreamRec, key: Buffer | null, value: Buffer): StreamMessageRec {
  const partition = key === null ? 0 : key.reduce((h, b) => (h * 31 + b) >>> 0, 7) % s.partitions;
  const list = s.messages[partition] as StreamMessageRec[];
  const message = { key, value, offset: list.length, timestamp: Date.now() };
  list.push(message);
  return message;
}

interface CursorState {
  /** The stream it reads. */
  s: string;
  p: number;
  /** The next offset it returns. */
  o: number;
  /** Random bytes: OCI's cursors are opaque base64 (with `+`, `/`, `=`), and so are these. */
  r: string;
}

/** A cursor as OCI hands it out: an opaque standard-base64 string (a query value the client must encode). */
export function encodeCursor(streamId: string, partition: number, offset: number): string {
  const c: CursorState = { s: streamId, p: partition, o: offset, r: randomBytes(9).toString('base64') };
  return Buffer.from(JSON.stringify(c)).toString('base64');
}

export function decodeCursor(s: StreamRec, cursor: string | undefined): { partition: number; offset: number } {
  if (!cursor) throw new ApiError(400, 'MissingParameter', 'The cursor query parameter is required');
  let c: Partial<CursorState>;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as Partial<CursorState>;
  } catch {
    throw invalidParameter('Invalid cursor');
  }
  if (c.s !== s.id || typeof c.p !== 'number' || typeof c.o !== 'number') throw invalidParameter('Invalid cursor');
  return { partition: c.p, offset: c.o };
}

/** CreateCursor: the position the cursor type names, in one partition. */
export function cursorPosition(s: StreamRec, details: { partition?: unknown; type?: unknown; offset?: unknown; time?: unknown }): { partition: number; offset: number } {
  const partition = typeof details.partition === 'string' && /^\d+$/.test(details.partition) ? Number(details.partition) : NaN;
  if (!(partition >= 0 && partition < s.partitions)) throw invalidParameter(`partition must be "0".."${s.partitions - 1}"`);
  const list = s.messages[partition] as StreamMessageRec[];
  const first = list[0]?.offset ?? 0;
  const next = list.length;
  const offset = (): number => {
    if (typeof details.offset !== 'number' || !Number.isInteger(details.offset) || details.offset < 0) throw invalidParameter('offset must be a non-negative integer for AT_OFFSET / AFTER_OFFSET');
    return details.offset;
  };
  switch (details.type) {
    case 'TRIM_HORIZON': return { partition, offset: first };
    case 'LATEST': return { partition, offset: next };
    case 'AT_OFFSET': return { partition, offset: offset() };
    case 'AFTER_OFFSET': return { partition, offset: offset() + 1 };
    case 'AT_TIME': {
      const t = typeof details.time === 'string' ? Date.parse(details.time) : NaN;
      if (Number.isNaN(t)) throw invalidParameter('time must be an RFC 3339 date-time for AT_TIME');
      const at = list.find((m) => m.timestamp >= t);
      return { partition, offset: at ? at.offset : next };
    }
    default: throw invalidParameter(`type must be one of AFTER_OFFSET, AT_OFFSET, AT_TIME, LATEST, TRIM_HORIZON`);
  }
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}
