import { invalidParameter } from '../errors';
import type { EventsOptions } from '../events';
import { type Route, iso, jsonBody } from '../http';
import type { Services } from '../services';
import {
  activeStream, createStream, cursorPosition, decodeCursor, deleteStream, encodeCursor, getStream, streamState,
  type CreateStreamInput, type StreamMessageRec, type StreamRec,
} from '../state/streams';

/**
 * Streaming: StreamAdminClient (CreateStream, GetStream, DeleteStream) and, on a stream's
 * `messagesEndpoint` (the emulator's url), StreamClient (CreateCursor, GetMessages). Paths as
 * the SDK builds them (base path /20180418).
 */
export function streamingRoutes(services: Services, options: Required<EventsOptions>): Route[] {
  const { state } = services;
  const streamJson = (s: StreamRec): Record<string, unknown> => ({
    id: s.id, name: s.name, partitions: s.partitions, retentionInHours: s.retentionInHours, compartmentId: s.compartmentId,
    streamPoolId: s.streamPoolId, lifecycleState: streamState(s), timeCreated: iso(s.timeCreated),
    messagesEndpoint: state.url, freeformTags: s.freeformTags, definedTags: {},
  });
  const messageJson = (s: StreamRec, partition: number, m: StreamMessageRec): Record<string, unknown> => ({
    stream: s.name, partition: String(partition), key: m.key === null ? null : m.key.toString('base64'), value: m.value.toString('base64'),
    offset: m.offset, timestamp: iso(m.timestamp),
  });
  const S = '/20180418/streams';
  return [
    {
      method: 'POST', pattern: new RegExp(`^${S}$`), operation: 'CreateStream', write: true,
      handler: (ctx) => {
        const s = createStream(state, jsonBody<CreateStreamInput>(ctx), options.lifecycleDelayMs);
        return { status: 200, body: streamJson(s), headers: { etag: s.id.slice(-12) } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${S}/([^/]+)$`), operation: 'GetStream',
      handler: (ctx) => {
        const s = getStream(state, ctx.params[0] as string);
        return { status: 200, body: streamJson(s), headers: { etag: s.id.slice(-12) } };
      },
    },
    {
      // "The lifecycleState parameter of the Stream object changes to DELETING and the stream
      // becomes inaccessible for read or write operations": GetStream then shows DELETED.
      method: 'DELETE', pattern: new RegExp(`^${S}/([^/]+)$`), operation: 'DeleteStream', write: true,
      handler: (ctx) => {
        deleteStream(state, ctx.params[0] as string, options.lifecycleDelayMs);
        return { status: 202 };
      },
    },
    {
      method: 'POST', pattern: new RegExp(`^${S}/([^/]+)/cursors$`), operation: 'CreateCursor',
      handler: (ctx) => {
        const s = activeStream(state, ctx.params[0] as string);
        const { partition, offset } = cursorPosition(s, jsonBody<Record<string, unknown>>(ctx));
        return { status: 200, body: { value: encodeCursor(s.id, partition, offset) } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${S}/([^/]+)/messages$`), operation: 'GetMessages',
      handler: (ctx) => {
        const s = activeStream(state, ctx.params[0] as string);
        const { partition, offset } = decodeCursor(s, ctx.query.get('cursor'));
        const limit = ctx.query.int('limit') ?? 10_000;
        if (limit < 1 || limit > 10_000) throw invalidParameter(`limit must be between 1 and 10000, got ${limit}`);
        const list = s.messages[partition] ?? [];
        const page = list.slice(offset, offset + limit);
        const next = offset + page.length;
        return {
          status: 200, body: page.map((m) => messageJson(s, partition, m)),
          headers: { 'opc-next-cursor': encodeCursor(s.id, partition, next) },
        };
      },
    },
  ];
}
