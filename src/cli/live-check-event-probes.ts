import type { Assumptions } from '../../emulator/src/assumptions';
import type { ReceivedEvent } from './live-check-events';

/**
 * What live-check concludes from the events its temporary rule delivered
 * (A6, A7, A8, A19). Pure: the events in, the observations out; the
 * emulator's side is read from its default assumptions.
 */
export const OBJECT_EVENT_TYPES = ['createobject', 'updateobject', 'deleteobject'].map((t) => `com.oraclecloud.objectstorage.${t}`);
export const KEY_EVENT_TYPES = ['begin', 'end'].map((p) => `com.oraclecloud.keymanagementservice.createkeyversion.${p}`);

/** Objects written only for the event probes (their events are read back). */
export const EVENT_OBJECTS = {
  reencrypted: 'events/reencrypt.txt',
  overwritten: 'events/overwrite.txt',
  /** Written last: once its createobject event arrived, the events before it had their chance to. */
  sentinel: 'events/sentinel.txt',
} as const;

const data = (e: ReceivedEvent): Record<string, unknown> => (e.event['data'] && typeof e.event['data'] === 'object' ? e.event['data'] as Record<string, unknown> : {});
const details = (e: ReceivedEvent): Record<string, unknown> => {
  const d = data(e)['additionalDetails'];
  return d && typeof d === 'object' && !Array.isArray(d) ? d as Record<string, unknown> : {};
};

/** Object events of the scratch bucket. */
export function objectEvents(events: readonly ReceivedEvent[], bucket: string): ReceivedEvent[] {
  return events.filter((e) => OBJECT_EVENT_TYPES.includes(e.eventType) && details(e)['bucketName'] === bucket);
}

export function objectEventsOf(events: readonly ReceivedEvent[], bucket: string, objectName: string): ReceivedEvent[] {
  return objectEvents(events, bucket).filter((e) => data(e)['resourceName'] === objectName);
}

const short = (eventType: string): string => eventType.slice(eventType.lastIndexOf('.') + 1);

/** A6: the events of an object written once, then re-encrypted, other than its first createobject. */
export function reencryptEvents(events: readonly ReceivedEvent[], bucket: string): string {
  const own = objectEventsOf(events, bucket, EVENT_OBJECTS.reencrypted);
  const first = own.findIndex((e) => short(e.eventType) === 'createobject');
  const rest = own.filter((_, i) => i !== first).map((e) => short(e.eventType));
  return rest.length === 0 ? 'no event' : [...new Set(rest)].join(', ');
}

export const expectedReencryptEvents = (a: Assumptions): string => (a.reencryptEmitsUpdateObject ? 'updateobject' : 'no event');

/** A7: the event of the second PutObject of the same name, found by the ETag that PutObject answered. */
export function overwriteEvent(events: readonly ReceivedEvent[], bucket: string, secondEtag: string | undefined): string {
  const own = objectEventsOf(events, bucket, EVENT_OBJECTS.overwritten);
  const match = own.find((e) => secondEtag !== undefined && details(e)['eTag'] === secondEtag) ?? (own.length >= 2 ? own[1] : undefined);
  return match ? short(match.eventType) : 'no event';
}

export const expectedOverwriteEvent = (a: Assumptions): string => (a.overwriteEmitsCreateObject ? 'createobject' : 'updateobject');

/** A19: the `source` values seen on a set of events. */
export function sources(events: readonly ReceivedEvent[]): string {
  const values = [...new Set(events.map((e) => (typeof e.event['source'] === 'string' ? e.event['source'] : `(${typeof e.event['source']})`)))];
  return values.length === 0 ? 'no event' : values.join(', ');
}

export interface KeyVersionFacts {
  readonly keyId: string;
  readonly vaultId: string;
  readonly keyName: string;
  readonly newVersionId: string;
  readonly previousVersionId: string;
}

/** Key-version events that concern the test key: any string in them names the key or the new version. */
export function keyEventsFor(events: readonly ReceivedEvent[], facts: KeyVersionFacts): ReceivedEvent[] {
  return events.filter((e) => KEY_EVENT_TYPES.includes(e.eventType)
    && (JSON.stringify(e.event).includes(facts.keyId) || JSON.stringify(e.event).includes(facts.newVersionId)));
}

/**
 * A8: the layout of a key-version event, with each OCID named by what it is
 * (`key`, `new version`, `previous version`, `vault`, else `other`):
 * `resourceId=key; resourceName=key name; additionalDetails: keyId=key, keyVersionId=new version, vaultId=vault`.
 */
export function keyEventLayout(e: ReceivedEvent | undefined, f: KeyVersionFacts): string {
  if (!e) return 'no event';
  const what = (v: unknown): string => {
    if (typeof v !== 'string') return `(${Array.isArray(v) ? 'array' : typeof v})`;
    return v === f.keyId ? 'key' : v === f.newVersionId ? 'new version' : v === f.previousVersionId ? 'previous version' : v === f.vaultId ? 'vault' : v === f.keyName ? 'key name' : 'other';
  };
  const d = data(e);
  const extra = Object.keys(details(e)).sort().map((k) => `${k}=${what(details(e)[k])}`);
  return `resourceId=${what(d['resourceId'])}; resourceName=${what(d['resourceName'])}; additionalDetails: ${extra.length ? extra.join(', ') : 'none'}`;
}

/** What the emulator emits (events.ts keyVersionCreated), in keyEventLayout's words. */
export const expectedKeyEventLayout = (a: Assumptions): string =>
  `resourceId=${a.keyEventResourceIsKey ? 'key' : 'new version'}; resourceName=key name; additionalDetails: keyId=key, keyVersionId=new version, vaultId=vault`;

export const phaseEvent = (events: readonly ReceivedEvent[], phase: 'begin' | 'end'): ReceivedEvent | undefined =>
  events.find((e) => e.eventType.endsWith(`.createkeyversion.${phase}`));
