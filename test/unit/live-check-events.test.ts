import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamClient } from 'oci-streaming';
import { describe, expect, it } from 'vitest';
import { captureEvents, fixtureName } from '../../src/cli/live-check-capture';
import { keyEventLayout, overwriteEvent, reencryptEvents, sources } from '../../src/cli/live-check-event-probes';
import { EventTap, type ReceivedEvent } from '../../src/cli/live-check-events';
import type { Oci } from '../../src/oci/clients';

const received = (event: Record<string, unknown>, offset = 0): ReceivedEvent => ({ event, eventType: event['eventType'] as string, offset });
const objectEvent = (type: string, name: string, eTag: string, source = 'ObjectStorage') => received({
  eventType: `com.oraclecloud.objectstorage.${type}`, source, eventID: `${type}-${name}-${eTag}`,
  data: { resourceName: name, additionalDetails: { bucketName: 'scratch', eTag } },
});

/** A StreamClient answering from a fixed list of message values, one page; the probe's Oci runs calls as they are. */
function tapOver(values: unknown[]): EventTap {
  const client = {
    createCursor: async () => ({ cursor: { value: 'c+/=' } }),
    getMessages: async (r: { cursor: string }) => {
      expect(r.cursor).toBe(encodeURIComponent('c+/=')); // the SDK sends query values as given
      return { items: values.map((value, offset) => ({ value, offset })), opcNextCursor: 'next' };
    },
  } as unknown as StreamClient;
  const oci = { call: (_operation: string, fn: () => Promise<unknown>) => fn() } as unknown as Oci;
  return new EventTap(oci, client, 'ocid1.stream.oc1..s');
}
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');

describe('live-check reading events', () => {
  it('keeps only messages whose value is base64 JSON of an object with a string eventType, once per eventID', async () => {
    const good = { eventType: 'com.oraclecloud.objectstorage.createobject', eventID: 'e1' };
    const tap = tapOver([b64(good), b64(good), b64('not json'), b64([good]), b64({ eventType: 7 }), 'not base64 at all', null, 42, b64({ eventType: 'x.y', eventID: '__proto__' })]);
    await tap.poll();
    expect(tap.received.map((e) => e.event['eventID'])).toEqual(['e1', '__proto__']);
    expect(tap.unreadable).toBe(6);
  });

  it('A6: the events after an object\'s first createobject; A7: the overwrite\'s event found by its ETag; A19: the sources seen', () => {
    const events = [
      objectEvent('createobject', 'events/reencrypt.txt', 'a'), objectEvent('createobject', 'events/overwrite.txt', 'b'),
      objectEvent('updateobject', 'events/overwrite.txt', 'c', 'objectstorage'), objectEvent('createobject', 'other.txt', 'd'),
    ];
    expect(reencryptEvents(events, 'scratch')).toBe('no event');
    expect(reencryptEvents([...events, objectEvent('updateobject', 'events/reencrypt.txt', 'a')], 'scratch')).toBe('updateobject');
    expect(overwriteEvent(events, 'scratch', 'c')).toBe('updateobject');
    expect(overwriteEvent(events, 'scratch', 'zz')).toBe('updateobject'); // no ETag match: the second event of the name
    expect(overwriteEvent(events.slice(0, 2), 'scratch', 'zz')).toBe('no event');
    expect(overwriteEvent(events, 'another-bucket', 'c')).toBe('no event');
    expect(sources(events)).toBe('ObjectStorage, objectstorage');
    expect(sources([received({ eventType: 't', source: { nested: true } })])).toBe('(object)');
  });

  it('A8: names each OCID of a key event by what it is, whatever the layout', () => {
    const facts = { keyId: 'K', vaultId: 'V', keyName: 'test-key', newVersionId: 'NEW', previousVersionId: 'OLD' };
    const asVersion = received({ eventType: 'com.oraclecloud.keymanagementservice.createkeyversion.end', data: { resourceId: 'NEW', resourceName: 'test-key', additionalDetails: { vaultId: 'V', oddity: ['x'], currentVersion: 'OLD', extra: 'zzz' } } });
    expect(keyEventLayout(asVersion, facts)).toBe('resourceId=new version; resourceName=key name; additionalDetails: currentVersion=previous version, extra=other, oddity=(array), vaultId=vault');
    expect(keyEventLayout(received({ eventType: 'x', data: 'not an object' }), facts)).toBe('resourceId=(undefined); resourceName=(undefined); additionalDetails: none');
    expect(keyEventLayout(undefined, facts)).toBe('no event');
  });

  it('--capture-events: file names are the event type\'s tail, never a path, and existing files are kept', () => {
    expect(fixtureName('com.oraclecloud.keymanagementservice.createkeyversion.end')).toBe('createkeyversion-end');
    expect(fixtureName('../../etc/passwd')).toBe('--_--_etc_passwd');
    expect(fixtureName('')).toBe('event');
    const dir = mkdtempSync(join(tmpdir(), 'capture-'));
    const e = objectEvent('createobject', 'a', 'b');
    captureEvents(dir, [e, e]);
    captureEvents(dir, [e]);
    expect(readdirSync(dir).sort()).toEqual(['createobject-2.json', 'createobject-3.json', 'createobject.json']);
  });
});
