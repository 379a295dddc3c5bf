/**
 * PublishMessage as the function sends it (src/oci/notifications.ts), signed by the SDK's signer
 * with the emulator's resource principal, against the emulator's route: the request the SDK's
 * NotificationDataPlaneClient#publishMessage composes (oci-ons 2.139.1: POST
 * {endpoint}/20181201/topics/{topicId}/messages, JSON MessageDetails, `messageType`), and what a
 * subscribed function then receives (A33).
 */
import { DefaultRequestSigner } from 'oci-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { COMPARTMENT, providerFromEnv } from '../../emulator/test/helpers';
import { loadConfig } from '../../src/config';
import { InvalidConfigurationError } from '../../src/errors';
import { WireHttpClient } from '../../src/oci/http-client';
import { MAX_MESSAGE_BYTES, publishMessageRequest } from '../../src/oci/notifications';

const TOPIC = 'ocid1.onstopic.oc1.phx.aaaaaaaatopic';

describe('publishMessageRequest', () => {
  it('composes the SDK\'s request: version path, the topic, JSON MessageDetails, messageType RAW_TEXT', () => {
    for (const endpoint of ['https://cell1.notification.us-phoenix-1.oci.oraclecloud.com', 'https://cell1.notification.us-phoenix-1.oci.oraclecloud.com/', 'https://cell1.notification.us-phoenix-1.oci.oraclecloud.com/20181201']) {
      const r = publishMessageRequest({ topicId: TOPIC, endpoint }, { body: '{"resume":"r1"}' });
      expect(r.method).toBe('POST');
      expect(r.uri).toBe(`https://cell1.notification.us-phoenix-1.oci.oraclecloud.com/20181201/topics/${TOPIC}/messages`);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('messagetype')).toBe('RAW_TEXT');
      expect(r.headers.get('opc-request-id')).toMatch(/\S/);
      expect(JSON.parse(String(r.body))).toEqual({ body: '{"resume":"r1"}' });
    }
    expect(JSON.parse(String(publishMessageRequest({ topicId: TOPIC, endpoint: 'http://x' }, { title: 't', body: 'b' }).body))).toEqual({ title: 't', body: 'b' });
  });

  it('refuses a message over the documented 64 KB before sending it', () => {
    expect(() => publishMessageRequest({ topicId: TOPIC, endpoint: 'http://x' }, { body: 'x'.repeat(MAX_MESSAGE_BYTES) })).toThrow(/at most 65536/);
  });
});

describe('the resume topic\'s configuration', () => {
  it('is off by default, and read with its endpoint', () => {
    expect(loadConfig({}).resumeTopic).toBeUndefined();
    expect(loadConfig({ REENCRYPT_RESUME_TOPIC_ID: TOPIC, REENCRYPT_NOTIFICATIONS_ENDPOINT: 'https://cell1.notification.us-phoenix-1.oci.oraclecloud.com' }).resumeTopic)
      .toEqual({ topicId: TOPIC, endpoint: 'https://cell1.notification.us-phoenix-1.oci.oraclecloud.com' });
  });

  it.each<[string, Record<string, string>, string]>([
    ['a topic without its endpoint', { REENCRYPT_RESUME_TOPIC_ID: TOPIC }, 'REENCRYPT_NOTIFICATIONS_ENDPOINT'],
    ['another resource\'s OCID', { REENCRYPT_RESUME_TOPIC_ID: 'ocid1.fnfunc.oc1.phx.aaaa', REENCRYPT_NOTIFICATIONS_ENDPOINT: 'https://n' }, 'REENCRYPT_RESUME_TOPIC_ID'],
    ['no OCID at all', { REENCRYPT_RESUME_TOPIC_ID: 'topic; rm -rf', REENCRYPT_NOTIFICATIONS_ENDPOINT: 'https://n' }, 'REENCRYPT_RESUME_TOPIC_ID'],
    ['an endpoint that is no http(s) URL', { REENCRYPT_RESUME_TOPIC_ID: TOPIC, REENCRYPT_NOTIFICATIONS_ENDPOINT: 'ftp://n' }, 'REENCRYPT_NOTIFICATIONS_ENDPOINT'],
  ])('refuses %s, naming the key', (_name, env, key) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigurationError);
      expect((err as InvalidConfigurationError).details.map((d) => d.field)).toContain(key);
    }
  });
});

describe('PublishMessage against the emulator (signed)', () => {
  let emu: Emulator;
  let http: WireHttpClient;
  let topicId: string;
  beforeAll(async () => {
    emu = await startEmulator();
    http = new WireHttpClient(new DefaultRequestSigner(providerFromEnv(emu.issueResourcePrincipal({ compartmentId: COMPARTMENT }))));
    // No function subscribed: nothing is invoked, the message is only recorded.
    topicId = emu.functions.createTopic([]);
  });
  afterAll(async () => emu?.stop());

  const send = async (topic: string, body: string | object, messageType?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const req = publishMessageRequest({ topicId: topic, endpoint: emu.url }, { body: 'placeholder' });
    if (typeof body === 'object') req.body = JSON.stringify(body);
    else req.body = body;
    if (messageType !== undefined) req.headers.set('messageType', messageType);
    const r = await http.send(req);
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  it('answers PublishResult and records the message body as published', async () => {
    const r = await send(topicId, { body: '{"resume":"r1"}' });
    expect(r.status).toBe(200);
    expect(r.json['messageId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(String(r.json['timeStamp'])))).toBe(false);
    expect(emu.functions.published.at(-1)).toEqual({ topicId, message: '{"resume":"r1"}', via: 'PublishMessage' });
  });

  it.each<[string, () => [string, string | object, string?], number, string]>([
    ['an unknown topic', () => ['ocid1.onstopic.oc1.phx.aaaaaaaanone', { body: 'x' }], 404, 'NotAuthorizedOrNotFound'],
    ['no body', () => [topicId, { title: 't' }], 400, 'MissingParameter'],
    ['a body that is not a string', () => [topicId, { body: { resume: 'r' } }], 400, 'InvalidParameter'],
    ['no JSON', () => [topicId, 'not json'], 400, 'CannotParseRequest'],
    ['an unknown messageType', () => [topicId, { body: 'x' }, 'XML'], 400, 'InvalidParameter'],
    ['messageType JSON without a "default" key', () => [topicId, { body: '{"resume":"r"}' }, 'JSON'], 400, 'InvalidParameter'],
    ['a message over 64 KB (A33)', () => [topicId, { body: 'x'.repeat(MAX_MESSAGE_BYTES) }], 400, 'InvalidParameter'],
  ])('refuses %s', async (_name, args, status, code) => {
    const before = emu.functions.published.length;
    const r = await send(...args());
    expect(r.status).toBe(status);
    expect(r.json['code']).toBe(code);
    expect(emu.functions.published.length).toBe(before);
  });
});
