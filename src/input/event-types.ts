/**
 * The OCI event types this function receives, and what it does with each.
 * One list, read by the classifier and by the Terraform tests (every event
 * rule must name only types from here, and together they must cover TRIGGERED).
 */
export const EventTypes = {
  createObject: 'com.oraclecloud.objectstorage.createobject',
  updateObject: 'com.oraclecloud.objectstorage.updateobject',
  updateBucket: 'com.oraclecloud.objectstorage.updatebucket',
  autoKeyRotateBegin: 'com.oraclecloud.keymanagementservice.autokeyrotate.begin',
  autoKeyRotateEnd: 'com.oraclecloud.keymanagementservice.autokeyrotate.end',
  createKeyVersionBegin: 'com.oraclecloud.keymanagementservice.createkeyversion.begin',
  createKeyVersionEnd: 'com.oraclecloud.keymanagementservice.createkeyversion.end',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** Object events: the compliance hook. `updateobject` only when REENCRYPT_HANDLE_UPDATE_OBJECT=true. */
export const OBJECT_EVENT_TYPES: readonly EventType[] = [EventTypes.createObject, EventTypes.updateObject];
/** Key rotation finished (success or failure: the `.end` event is sent for both). */
export const KEY_ROTATION_END_TYPES: readonly EventType[] = [EventTypes.autoKeyRotateEnd, EventTypes.createKeyVersionEnd];
/** Key rotation started: acknowledged, nothing to do yet. */
export const KEY_ROTATION_BEGIN_TYPES: readonly EventType[] = [EventTypes.autoKeyRotateBegin, EventTypes.createKeyVersionBegin];
export const BUCKET_EVENT_TYPES: readonly EventType[] = [EventTypes.updateBucket];

/** Every event type the handler accepts. */
export const ACCEPTED_EVENT_TYPES: readonly EventType[] = Object.values(EventTypes);

/**
 * The event types a deployment should route to the function: each of the three
 * triggers (upload, key rotation, bucket key change). `.begin` and `updateobject`
 * are accepted but need no rule.
 */
export const TRIGGER_EVENT_TYPES = {
  upload: [EventTypes.createObject],
  keyRotation: [...KEY_ROTATION_END_TYPES],
  bucketKeyChange: [EventTypes.updateBucket],
} as const;
