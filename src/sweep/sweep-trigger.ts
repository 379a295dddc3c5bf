import { KEY_ROTATION_BEGIN_TYPES, KEY_ROTATION_END_TYPES, type EventType } from '../input/event-types';
import type { ReencryptRequest } from '../input/types';

/**
 * What started a sweep, as a continuation records it (and a resumed run
 * carries on). One function names it for every request, and the continuation
 * schema accepts exactly the names listed here, so the two cannot drift apart
 * (a 64-character limit once refused `rotation:…createkeyversion.end`).
 */
export const ManualSweepTriggers = { bucket: 'manual:bucket', key: 'manual:key' } as const;
export const BUCKET_KEY_CHANGE_TRIGGER = 'bucket-key-change';

const rotationTrigger = <T extends EventType>(eventType: T) => `rotation:${eventType}` as const;
export type SweepTrigger =
  | ReturnType<typeof rotationTrigger<EventType>>
  | typeof BUCKET_KEY_CHANGE_TRIGGER
  | (typeof ManualSweepTriggers)[keyof typeof ManualSweepTriggers];

/** Every trigger a continuation can carry: the schema's enum. */
export const SWEEP_TRIGGERS: readonly SweepTrigger[] = [
  // `.begin` is only acknowledged today; listed so that acting on it later cannot make tokens unreadable.
  ...[...KEY_ROTATION_END_TYPES, ...KEY_ROTATION_BEGIN_TYPES].map(rotationTrigger),
  BUCKET_KEY_CHANGE_TRIGGER,
  ...Object.values(ManualSweepTriggers),
];

/** The trigger a request's sweep is recorded under; undefined for requests that never sweep or that resume one. */
export function sweepTriggerOf(request: ReencryptRequest): SweepTrigger | undefined {
  switch (request.kind) {
    case 'key-rotation': return rotationTrigger(request.eventType);
    case 'bucket-key-change': return BUCKET_KEY_CHANGE_TRIGGER;
    case 'object-event': return undefined;
    case 'invocation-failed': return undefined;
    case 'manual':
      if (request.scope.type === 'bucket') return ManualSweepTriggers.bucket;
      if (request.scope.type === 'key') return ManualSweepTriggers.key;
      return undefined;
  }
}
