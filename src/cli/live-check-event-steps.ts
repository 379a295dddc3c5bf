import { DEFAULT_ASSUMPTIONS } from '../../emulator/src/assumptions';
import { KEY_VERSION_STAYS, type LiveCheckResult } from './live-check';
import {
  EVENT_OBJECTS, expectedKeyEventLayout, expectedOverwriteEvent, expectedReencryptEvents, keyEventLayout, keyEventsFor, objectEvents,
  objectEventsOf, overwriteEvent, phaseEvent, reencryptEvents, sources, type KeyVersionFacts,
} from './live-check-event-probes';
import { pause, type EventTap, type ReceivedEvent } from './live-check-events';
import type { ProbeKit } from './live-check-kit';

/** The test key as live-check found it (--create-key-version), before its new version. */
export type TestKey = KeyVersionFacts & { readonly compartmentId: string; readonly managementEndpoint: string };

/**
 * The event probes: operations on the scratch bucket whose events are read
 * back from the stream (A6, A7, A19), and with a test key one key version and
 * its events (A8, A19); without, those probes are skipped.
 */
export async function eventProbes(k: ProbeKit, events: EventTap, keyFacts: TestKey | undefined, onKeyVersion: (created: NonNullable<LiveCheckResult['keyVersionCreated']>) => void): Promise<void> {
  const { step, probe, notRun, call, reencrypt, put, oci, o, bucket, waitUntil } = k;
  const a = DEFAULT_ASSUMPTIONS;
  const overwriteEtag = await step('A6, A7: write and re-encrypt one object, write another twice, then the sentinel', async () => {
    await put(EVENT_OBJECTS.reencrypted);
    await reencrypt(EVENT_OBJECTS.reencrypted);
    await put(EVENT_OBJECTS.overwritten);
    const second = await put(EVENT_OBJECTS.overwritten);
    await put(EVENT_OBJECTS.sentinel);
    return second.eTag;
  });
  await step('A6, A7, A19: read the object events from the stream', async () => {
    const arrived = await events.waitFor((got) => objectEventsOf(got, bucket, EVENT_OBJECTS.sentinel).length > 0, waitUntil(), o.pollMs, o.signal);
    const rows: [string, string, string, () => string][] = [
      ['A6', 'ReencryptObject emits (object events after its createobject)', expectedReencryptEvents(a), () => reencryptEvents(events.received, bucket)],
      ['A7', 'Overwriting an object (versioned bucket) emits', expectedOverwriteEvent(a), () => overwriteEvent(events.received, bucket, overwriteEtag)],
      ['A19', 'Object event `source`', a.eventSource.objectStorage, () => sources(objectEvents(events.received, bucket))],
    ];
    if (!arrived) {
      if (o.signal.aborted) throw new Error('interrupted');
      const seen = `no event within ${o.waitMs / 1000} s`;
      for (const [id, behaviour, emulator] of rows) notRun(id, behaviour, emulator, 'unsettled', seen, noEventsNote(events));
      return;
    }
    // The sentinel came last; events that should not exist get a while longer to show up anyway.
    await pause(o.graceMs, o.signal);
    await events.poll();
    for (const [id, behaviour, emulator, observe] of rows) probe(id, behaviour, emulator, observe());
  });
  const keyRows: [string, string, string][] = [
    ['A8', 'createkeyversion.begin layout', expectedKeyEventLayout(a)],
    ['A8', 'createkeyversion.end layout', expectedKeyEventLayout(a)],
    ['A19', 'Key Management event `source`', a.eventSource.keyManagement],
  ];
  if (keyFacts) {
    const facts = keyFacts;
    const version = await step('A8: create one key version on the test key', async () => {
      const { keyVersion } = await call('CreateKeyVersion', () => oci.kmsManagement(facts.managementEndpoint).createKeyVersion({ keyId: facts.keyId }));
      onKeyVersion({ keyId: facts.keyId, keyVersionId: keyVersion.id, note: KEY_VERSION_STAYS });
      return keyVersion.id;
    });
    const withVersion: KeyVersionFacts = { ...facts, newVersionId: version };
    await step('A8, A19: read the key-version events from the stream', async () => {
      const both = (got: readonly ReceivedEvent[]) => { const k = keyEventsFor(got, withVersion); return phaseEvent(k, 'begin') !== undefined && phaseEvent(k, 'end') !== undefined; };
      await events.waitFor(both, waitUntil(), o.pollMs, o.signal);
      if (o.signal.aborted) throw new Error('interrupted');
      const mine = keyEventsFor(events.received, withVersion);
      const observed = [keyEventLayout(phaseEvent(mine, 'begin'), withVersion), keyEventLayout(phaseEvent(mine, 'end'), withVersion), sources(mine)];
      keyRows.forEach(([id, behaviour, emulator], i) => {
        const seen = observed[i] as string;
        if (seen === 'no event') notRun(id, behaviour, emulator, 'unsettled', `no event within ${o.waitMs / 1000} s`, noEventsNote(events));
        else probe(id, behaviour, emulator, seen);
      });
    });
  } else {
    for (const [id, behaviour, emulator] of keyRows) {
      notRun(id, behaviour, emulator, 'skipped', 'not probed', 'creates a key version on the test key: run with --create-key-version --vault-id <the key\'s vault>');
    }
  }
}

function noEventsNote(tap: EventTap): string {
  return `${tap.received.length} event(s) read from the stream${tap.unreadable ? `, ${tap.unreadable} unreadable message(s)` : ''}; Events needs a policy to put messages on the stream, and delivery can take longer than --wait`;
}
