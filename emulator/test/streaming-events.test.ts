import * as common from 'oci-common';
import { EventsClient } from 'oci-events';
import { StreamAdminClient, StreamClient, models } from 'oci-streaming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, startEmulator } from '../src/index';
import { COMPARTMENT, clientsFor, rawConfig } from './helpers';

/** Streaming and Events through the real SDK clients: a rule with an OSS action fills a stream. */
describe('Streaming and Events (the APIs live-check uses)', () => {
  let emu: Emulator;
  afterEach(async () => {
    vi.useRealTimers();
    await emu?.stop();
  });

  async function setUp(options: Parameters<typeof startEmulator>[0] = {}) {
    emu = await startEmulator(options);
    const c = clientsFor(emu);
    const make = <T extends { endpoint: string }>(C: new (p: { authenticationDetailsProvider: common.AuthenticationDetailsProvider }, cfg?: common.ClientConfiguration) => T): T => {
      const client = new C({ authenticationDetailsProvider: c.provider }, rawConfig);
      client.endpoint = emu.url;
      return client;
    };
    return { ...c, admin: make(StreamAdminClient), events: make(EventsClient), stream: make(StreamClient) };
  }

  it('a stream goes CREATING → ACTIVE, an OSS rule delivers matching events as base64 JSON messages, a cursor reads them in order', async () => {
    // The lifecycle states last 1 s of Date, which stands still here and is moved by hand (sockets and
    // timers are real): a state is read before or after its end as the test says, however slow the
    // machine (with real time, a loaded machine read ACTIVE where CREATING was meant, DELETED for DELETING).
    const LIFECYCLE_MS = 1000;
    const c = await setUp({ events: { lifecycleDelayMs: LIFECYCLE_MS } });
    vi.useFakeTimers({ toFake: ['Date'] });
    const later = () => vi.setSystemTime(Date.now() + LIFECYCLE_MS);
    const created = await c.admin.createStream({ createStreamDetails: { name: 'events', partitions: 1, compartmentId: COMPARTMENT } });
    expect(created.stream).toMatchObject({ lifecycleState: 'CREATING', partitions: 1, retentionInHours: 24, messagesEndpoint: emu.url });
    const streamId = created.stream.id;
    expect((await c.admin.getStream({ streamId })).stream.lifecycleState).toBe('CREATING');
    later();
    expect((await c.admin.getStream({ streamId })).stream.lifecycleState).toBe('ACTIVE');
    const condition = JSON.stringify({ eventType: ['com.oraclecloud.objectstorage.createobject'], data: { additionalDetails: { bucketName: ['b'] } } });
    const rule = await c.events.createRule({ createRuleDetails: {
      displayName: 'to-stream', isEnabled: true, condition, compartmentId: COMPARTMENT,
      actions: { actions: [{ actionType: 'OSS', isEnabled: true, streamId } as { actionType: string; isEnabled: boolean }] },
    } });
    expect(rule.rule).toMatchObject({ lifecycleState: 'CREATING', condition, actions: { actions: [{ actionType: 'OSS', streamId }] } });
    // Events published while the rule is CREATING are not delivered.
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'b', objectEventsEnabled: true });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'other', objectEventsEnabled: true });
    await c.os.putObject({ namespaceName: 'emulatorns', bucketName: 'b', objectName: 'early.txt', putObjectBody: 'x', contentLength: 1 });
    later();
    expect((await c.events.getRule({ ruleId: rule.rule.id })).rule.lifecycleState).toBe('ACTIVE');
    for (const [bucketName, objectName] of [['b', 'one.txt'], ['other', 'ignored.txt'], ['b', 'two+three.txt']] as const) {
      await c.os.putObject({ namespaceName: 'emulatorns', bucketName, objectName, putObjectBody: 'x', contentLength: 1 });
    }
    await emu.whenIdle();
    const cursor = await c.stream.createCursor({ streamId, createCursorDetails: { partition: '0', type: models.CreateCursorDetails.Type.TrimHorizon } });
    // Cursors are standard base64: the SDK does not encode query values, so the caller does.
    const got = await c.stream.getMessages({ streamId, cursor: encodeURIComponent(cursor.cursor.value), limit: 10 });
    const events = got.items.map((m) => JSON.parse(Buffer.from(m.value, 'base64').toString('utf8')) as { eventType: string; data: { resourceName: string } });
    expect(events.map((e) => e.data.resourceName)).toEqual(['one.txt', 'two+three.txt']);
    expect(got.items.map((m) => [m.offset, m.key, m.partition])).toEqual([[0, null, '0'], [1, null, '0']]);
    const more = await c.stream.getMessages({ streamId, cursor: encodeURIComponent(got.opcNextCursor as string) });
    expect(more.items).toEqual([]);

    await c.events.deleteRule({ ruleId: rule.rule.id });
    expect((await c.events.getRule({ ruleId: rule.rule.id })).rule.lifecycleState).toBe('DELETING');
    await c.admin.deleteStream({ streamId });
    const deleting = (await c.admin.getStream({ streamId })).stream.lifecycleState;
    expect(deleting).toBe('DELETING');
    await expect(c.stream.getMessages({ streamId, cursor: encodeURIComponent(got.opcNextCursor as string) })).rejects.toMatchObject({ statusCode: 404 });
    await expect(c.admin.deleteStream({ streamId })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('refuses what the API reference refuses: a condition that is not JSON, an unknown stream, both or neither of compartmentId and streamPoolId', async () => {
    const c = await setUp();
    const actions = (streamId: string) => ({ actions: [{ actionType: 'OSS', isEnabled: true, streamId } as { actionType: string; isEnabled: boolean }] });
    await expect(c.events.createRule({ createRuleDetails: { displayName: 'r', isEnabled: true, condition: '{eventType', compartmentId: COMPARTMENT, actions: actions('x') } }))
      .rejects.toMatchObject({ statusCode: 400, serviceCode: 'InvalidParameter' });
    await expect(c.events.createRule({ createRuleDetails: { displayName: 'r', isEnabled: true, condition: '{}', compartmentId: COMPARTMENT, actions: actions('ocid1.stream.oc1..none') } }))
      .rejects.toMatchObject({ statusCode: 400 });
    await expect(c.admin.createStream({ createStreamDetails: { name: 's', partitions: 1 } })).rejects.toMatchObject({ statusCode: 400 });
    const s = await c.admin.createStream({ createStreamDetails: { name: 's', partitions: 1, compartmentId: COMPARTMENT } });
    await expect(c.admin.createStream({ createStreamDetails: { name: 's2', partitions: 1, compartmentId: COMPARTMENT, streamPoolId: s.stream.streamPoolId } })).rejects.toMatchObject({ statusCode: 400 });
    const inPool = await c.admin.createStream({ createStreamDetails: { name: 's3', partitions: 2, streamPoolId: s.stream.streamPoolId } });
    expect(inPool.stream).toMatchObject({ compartmentId: COMPARTMENT, streamPoolId: s.stream.streamPoolId, partitions: 2 });
    await expect(c.stream.createCursor({ streamId: inPool.stream.id, createCursorDetails: { partition: '2', type: models.CreateCursorDetails.Type.Latest } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(c.stream.getMessages({ streamId: inPool.stream.id, cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('with eventStreamMessageKey "eventID" (A30 flipped) each message carries the event id as its key', async () => {
    const c = await setUp({ assumptions: { eventStreamMessageKey: 'eventID' } });
    const { stream } = await c.admin.createStream({ createStreamDetails: { name: 's', partitions: 1, compartmentId: COMPARTMENT } });
    await c.events.createRule({ createRuleDetails: {
      displayName: 'r', isEnabled: true, condition: '{"eventType":"com.oraclecloud.objectstorage.createobject"}', compartmentId: COMPARTMENT,
      actions: { actions: [{ actionType: 'OSS', isEnabled: true, streamId: stream.id } as { actionType: string; isEnabled: boolean }] },
    } });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'b', objectEventsEnabled: true });
    await c.os.putObject({ namespaceName: 'emulatorns', bucketName: 'b', objectName: 'k.txt', putObjectBody: 'x', contentLength: 1 });
    await emu.whenIdle();
    const cursor = await c.stream.createCursor({ streamId: stream.id, createCursorDetails: { partition: '0', type: models.CreateCursorDetails.Type.TrimHorizon } });
    const got = await c.stream.getMessages({ streamId: stream.id, cursor: encodeURIComponent(cursor.cursor.value) });
    const event = JSON.parse(Buffer.from(got.items[0]!.value, 'base64').toString('utf8')) as { eventID: string };
    expect(Buffer.from(got.items[0]!.key, 'base64').toString('utf8')).toBe(event.eventID);
  });
});
