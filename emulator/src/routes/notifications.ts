import { randomUUID } from 'node:crypto';
import { ApiError, invalidParameter } from '../errors';
import { type Route, header } from '../http';
import type { Services } from '../services';

/** "Message size limit per request: 64KB" (PublishMessage, API reference). */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Notifications data plane: PublishMessage (`POST /20181201/topics/{topicId}/messages`, body
 * MessageDetails `{title?, body}`, header `messageType` RAW_TEXT or the deprecated JSON). Answers
 * PublishResult `{messageId, timeStamp}`. Each function subscribed to the topic is invoked with the
 * message's `body` (A33), retried as Notifications retries (A29). OCI serves it on the topic's
 * `apiEndpoint`; the emulator serves every service on one address. Not modelled: the per-topic
 * rate limit (60 messages a minute), other protocols.
 */
export function notificationsRoutes(services: Services): Route[] {
  const { functions } = services;
  return [
    {
      method: 'POST', pattern: /^\/20181201\/topics\/([^/]+)\/messages$/, operation: 'PublishMessage', write: true,
      handler: (ctx) => {
        const topicId = ctx.params[0] as string;
        const messageType = header(ctx, 'messagetype') ?? 'RAW_TEXT';
        if (messageType !== 'RAW_TEXT' && messageType !== 'JSON') throw invalidParameter(`Invalid messageType '${messageType}': RAW_TEXT or JSON`);
        // A33: the size limit's answer is not documented.
        if (ctx.body.length > MAX_MESSAGE_BYTES) throw invalidParameter(`The message is ${ctx.body.length} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
        let details: unknown;
        try {
          details = JSON.parse(ctx.body.toString('utf8'));
        } catch {
          throw new ApiError(400, 'CannotParseRequest', 'The request body is not valid JSON');
        }
        if (details === null || typeof details !== 'object' || Array.isArray(details)) throw new ApiError(400, 'CannotParseRequest', 'The request body must be a JSON object');
        const { body, title } = details as { body?: unknown; title?: unknown };
        if (body === undefined) throw new ApiError(400, 'MissingParameter', 'body is required');
        if (typeof body !== 'string') throw invalidParameter('body must be a string');
        if (title !== undefined && typeof title !== 'string') throw invalidParameter('title must be a string');
        // JSON (deprecated) needs a "default" key in the body.
        if (messageType === 'JSON') {
          let parsed: unknown;
          try {
            parsed = JSON.parse(body);
          } catch {
            parsed = undefined;
          }
          if (parsed === null || typeof parsed !== 'object' || !('default' in parsed)) throw invalidParameter('messageType JSON needs a JSON body with a "default" key');
        }
        functions.publish(topicId, body, 'PublishMessage');
        return { status: 200, body: { messageId: randomUUID(), timeStamp: new Date().toISOString() } };
      },
    },
  ];
}
