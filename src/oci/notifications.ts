/**
 * OCI Notifications, PublishMessage only: how the invocation that started a run hands it on when
 * Functions refuses its successor (src/runs/lifecycle.ts). The request is composed here, as
 * NotificationDataPlaneClient#publishMessage (oci-ons 2.139.1) composes it, and sent through the
 * project's signed direct-call path (direct-call.ts): one operation, rarely made, does not justify
 * a fifth SDK package in the bundle (it would also need a place among the lazily loaded chunks of
 * scripts/build.mjs), and this way nothing is loaded at start or kept in memory for it.
 */
import type { HttpRequest } from 'oci-common';
// The SDK's own helpers for the headers every request carries (opc-request-id, User-Agent): its index does not export them.
import { addOpcRequestId, addUserAgent } from 'oci-common/lib/headers';
import type { CallOptions, Oci } from './clients';
import type { SdkOperation } from './direct-call';

/** PublishMessage as NotificationDataPlaneClient#publishMessage names it to its retrier. */
export const PUBLISH_MESSAGE: SdkOperation = {
  targetService: 'NotificationDataPlane',
  operationName: 'publishMessage',
  apiReferenceLink: 'https://docs.oracle.com/iaas/api/#/en/notification/20181201/NotificationTopic/PublishMessage',
};

/** The API reference's limit: "Message size limit per request: 64KB". */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/** A topic and the endpoint to publish to it (the topic's `apiEndpoint`: the API reference says PublishMessage needs it). */
export interface TopicTarget {
  readonly topicId: string;
  readonly endpoint: string;
}

/** MessageDetails: `body` required, `title` optional (used as an email's subject; other protocols ignore it). */
export interface MessageDetails {
  readonly title?: string;
  readonly body: string;
}

/**
 * The request publishMessage composes: `POST {endpoint}/20181201/topics/{topicId}/messages`, JSON
 * MessageDetails, `messageType: RAW_TEXT` (the other value, JSON, is deprecated). The endpoint is
 * taken with or without the API version the SDK's endpoint setter appends.
 */
export function publishMessageRequest(target: TopicTarget, message: MessageDetails): HttpRequest {
  const body = JSON.stringify(message.title === undefined ? { body: message.body } : { title: message.title, body: message.body });
  if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) throw new Error(`the message is ${Buffer.byteLength(body)} bytes; Notifications takes at most ${MAX_MESSAGE_BYTES}`);
  const base = target.endpoint.replace(/\/+$/, '');
  const versioned = base.endsWith('/20181201') ? base : `${base}/20181201`;
  const headers = new Headers();
  headers.append('Content-Type', 'application/json');
  headers.append('messageType', 'RAW_TEXT');
  addOpcRequestId(headers);
  addUserAgent(headers);
  return { method: 'POST', headers, uri: `${versioned}/topics/${encodeURIComponent(target.topicId)}/messages`, body };
}

/** Publishes `message` to the topic; resolves with the message's id (PublishResult.messageId). Throws OciCallError. */
export async function publishMessage(oci: Oci, target: TopicTarget, message: MessageDetails, options?: CallOptions): Promise<string> {
  const response = await oci.callDirect('PublishMessage', PUBLISH_MESSAGE, () => publishMessageRequest(target, message), options);
  const result = (await response.json()) as { messageId?: unknown };
  return typeof result.messageId === 'string' ? result.messageId : '';
}
