/**
 * JSON Schemas for what OCI Events delivers. Matching is loose where real
 * payloads differ from Oracle's reference (source spelling, availabilityDomain,
 * freeformTags vs freeFormTags): only the fields the function reads are
 * required, and unknown fields are allowed because OCI adds them over time.
 */
const NON_EMPTY = { type: 'string', minLength: 1 } as const;
/** Lone UTF-16 surrogates (`\ud800` in JSON text) are not characters: no UTF-8 name or id holds one, and encodeURIComponent throws on them. */
const NO_CONTROL_CHARS = '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]+$';
const OCID_PATTERN = '^ocid1\\.[a-z0-9_]+\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[A-Za-z0-9._-]+$';
/**
 * The longest OCID accepted from input (OCIDs Oracle issues are about 90 characters; 255 is the
 * bound OCI's API specifications give OCID fields, unverified for every service: OCI-NOTES.md).
 */
export const MAX_OCID_CHARS = 255;
const OCID = { type: 'string', maxLength: MAX_OCID_CHARS, pattern: OCID_PATTERN } as const;

/**
 * Oracle's object naming rules exclude only NUL, line feed and carriage return
 * (a tab is a legal name character), so an event about such an object must be
 * accepted. 1,024 characters bounds a name of 1,024 UTF-8 bytes; the byte
 * limit itself is checked where the name is read (classify). A name is UTF-8:
 * a lone surrogate is refused as NO_CONTROL_CHARS says.
 */
const OBJECT_NAME = { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000\\n\\r\\ud800-\\udfff]+$' } as const;
const BUCKET_NAME = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9._-]+$' } as const;
const NAMESPACE = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' } as const;

/** CloudEvents 0.1, as OCI Events sends today. */
export const CLOUDEVENTS_01_SCHEMA = {
  $id: 'oci-reencrypt/cloudevents-0.1',
  type: 'object',
  // eventID is required and non-empty, as CloudEvents 0.1 says: a durable run is named after it
  // (runIdForEvent), and every event without one would otherwise be taken for the same event.
  required: ['eventType', 'cloudEventsVersion', 'eventID', 'eventTime', 'data'],
  properties: {
    eventType: { type: 'string', minLength: 1, maxLength: 256 },
    cloudEventsVersion: { type: 'string', pattern: '^0\\.' },
    eventTypeVersion: { type: 'string' },
    source: { type: 'string' },
    eventID: { type: 'string', minLength: 1, maxLength: 256 },
    eventTime: { type: 'string', format: 'date-time' },
    contentType: { type: 'string' },
    extensions: {
      type: 'object',
      properties: { compartmentId: OCID },
    },
    data: { type: 'object' },
  },
} as const;

/** CloudEvents 1.0, as newer OCI services emit. */
export const CLOUDEVENTS_10_SCHEMA = {
  $id: 'oci-reencrypt/cloudevents-1.0',
  type: 'object',
  required: ['specversion', 'type', 'source', 'id', 'data'],
  properties: {
    specversion: { type: 'string', pattern: '^1\\.' },
    type: { type: 'string', minLength: 1, maxLength: 256 },
    source: { type: 'string' },
    id: { type: 'string', minLength: 1, maxLength: 256 },
    time: { type: 'string', format: 'date-time' },
    subject: { type: 'string' },
    compartmentid: OCID,
    data: { type: 'object' },
  },
} as const;

/** `data` of an object event (createobject / updateobject). */
export const OBJECT_EVENT_DATA_SCHEMA = {
  $id: 'oci-reencrypt/object-event-data',
  type: 'object',
  required: ['resourceName', 'additionalDetails'],
  properties: {
    compartmentId: OCID,
    resourceName: OBJECT_NAME,
    resourceId: { type: 'string' },
    additionalDetails: {
      type: 'object',
      required: ['namespace', 'bucketName'],
      properties: {
        namespace: NAMESPACE,
        bucketName: BUCKET_NAME,
        bucketId: OCID,
        versionId: { type: 'string', minLength: 1, maxLength: 256, pattern: NO_CONTROL_CHARS },
        archivalState: { type: 'string' },
        eTag: { type: 'string' },
      },
    },
  },
} as const;

/** `data` of a bucket event (updatebucket): no kmsKeyId in it, GetBucket tells. */
export const BUCKET_EVENT_DATA_SCHEMA = {
  $id: 'oci-reencrypt/bucket-event-data',
  type: 'object',
  required: ['additionalDetails'],
  properties: {
    compartmentId: OCID,
    resourceName: BUCKET_NAME,
    additionalDetails: {
      type: 'object',
      required: ['namespace', 'bucketName'],
      properties: { namespace: NAMESPACE, bucketName: BUCKET_NAME },
    },
  },
} as const;

/**
 * `data` of a Key Management event. Its layout is not published, so only
 * the types of the fields we might read are checked; the key OCID is found
 * by `findKeyReference`.
 */
export const KEY_EVENT_DATA_SCHEMA = {
  $id: 'oci-reencrypt/key-event-data',
  type: 'object',
  properties: {
    compartmentId: OCID,
    resourceId: NON_EMPTY,
    resourceName: { type: 'string' },
    additionalDetails: { type: 'object' },
  },
} as const;
