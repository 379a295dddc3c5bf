/**
 * Every behaviour of the emulator that could NOT be verified against OCI's
 * published documentation or the SDK lives here, in one place. Each entry is
 * the most plausible answer we could find; each must be confirmed against a
 * real tenancy (see emulator/README.md, "Assumptions", where A1..A19 and
 * A22..A28, A30 and A31 refer to the tags below, and so does A29's open part (whether a
 * delivery the function itself failed is retried); A20 (bodies over 8 MiB are not kept) and
 * A21 (the record a failed detached invocation sends to its failure
 * destination) and the rest of A29 (how Notifications delivers to a function)
 * are fixed choices documented where they are made:
 * routes/objectstorage/objects.ts and functions.ts), and so are A32, A33 and A34 below.
 *
 * A32: what an injected latency (`FaultConfig.latencyMs`, `jitterMs`) measures. OCI's
 * documentation does not define a service time; in the emulator it is a benchmark parameter
 * (C/L, calls in flight over latency, is the limit the benchmarks measure against). The
 * emulator answers `latencyMs` after the request arrived (its 'request' event), not after its
 * own checks, and asks the timer for that much less the lateness its timers have shown lately
 * (a running mean, at most 2 ms either way; whole ms, the rounding carried to the next request;
 * no busy-waiting), so answers go out on time on
 * average. Every check (signature, routing, faults) still runs, before the wait; the operation
 * itself runs after it, as before. Not switchable (emulator/src/latency.ts).
 *
 * A33: what Notifications delivers to an `ORACLE_FUNCTIONS` subscription for a message published
 * with PublishMessage, and two answers of PublishMessage. Documented: MessageDetails `{title?, body}`
 * sent to the topic's `apiEndpoint`, the deprecated `messageType` header (RAW_TEXT, or JSON with a
 * "default" key beside per-protocol keys), a 64 KB limit per message, 60 messages a minute per
 * topic, and that email and PagerDuty use the title while HTTPS, Slack and SMS do not (Functions is
 * not mentioned). Oracle's ONS-to-function sample reads an alarm message as the bare request body.
 * Chosen: the function is invoked with the message's `body`, as it was published, as its request
 * body (no title, no envelope; with JSON the whole document, not its "default" value); a missing
 * `messageType` is RAW_TEXT; a message over 64 KB is answered 400 `InvalidParameter`; the per-topic
 * rate is not enforced. Not switchable (emulator/src/routes/notifications.ts, FunctionsService.publish).
 *
 * A21 and A29 stay least certain (evidence in OCI-NOTES.md, sixth session): no field
 * of a failure record is documented, and Oracle writes that "the Notifications service has no
 * information about a function after it's invoked", so a retry of a delivery the function itself
 * answered with 5xx (which the emulator does) is not supported by the documentation.
 *
 * A34: objects and buckets named `.` or `..`. Oracle's naming rules do not exclude them; whether
 * OCI's front end removes such a path segment is not documented. The emulator accepts the names
 * and routes and verifies every request path exactly as received (no dot-segment removal), so a
 * client that sends `/o/..` reaches the object `..`, and one whose URL parser collapsed it (fetch)
 * fails the signature check. Not switchable (emulator/src/emulator.ts).
 *
 * `startEmulator({ assumptions: { ... } })` can override any of them, so a
 * test can check that client code copes with the other plausible answer.
 */

/** A status and service code that the emulator answers with. */
export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
}

export interface Assumptions {
  /** A1: ReencryptObject on an SSE-C object without `sourceSseCustomerKey`. */
  reencryptSseCWithoutSourceKey: ErrorAnswer;
  /** A2: ReencryptObject / HeadObject with an SSE-C key whose SHA-256 is not the object's. */
  sseCKeyMismatch: ErrorAnswer;
  /** A3: HeadObject on an SSE-C object without any SSE-C headers. */
  headSseCWithoutKey: ErrorAnswer;
  /**
   * A3: HeadObject on an object that is NOT SSE-C while SSE-C headers are sent:
   * `null` means the headers are ignored and the HEAD succeeds.
   */
  headSseCOnNonSseCObject: ErrorAnswer | null;
  /** A4: ReencryptObject on an object whose archivalState is Archived or Restoring. */
  reencryptArchived: ErrorAnswer;
  /** A12: ReencryptObject naming a version that is a delete marker. */
  reencryptDeleteMarker: ErrorAnswer;
  /** A11: A `kmsKeyId` (request body or header) that names no key, or a disabled key. */
  unknownKmsKey: ErrorAnswer;
  /** A6: Whether a successful ReencryptObject emits `com.oraclecloud.objectstorage.updateobject`. */
  reencryptEmitsUpdateObject: boolean;
  /** A5: Whether ReencryptObject sets a new `timeModified` (it rewraps the data key; data is unchanged). */
  reencryptChangesTimeModified: boolean;
  /** A5: Whether ReencryptObject gives the object version a new ETag. */
  reencryptChangesEtag: boolean;
  /** A7: Whether overwriting an existing object emits `createobject` (true) or `updateobject` (false). */
  overwriteEmitsCreateObject: boolean;
  /**
   * A9: ReencryptBucket on a bucket without a kmsKeyId: rejected synchronously with
   * this answer (OCI documents only that it "fails").
   */
  reencryptBucketWithoutKmsKey: ErrorAnswer;
  /** A10: ReencryptBucket skips SSE-C versions (it has no customer key) and archived versions. */
  reencryptBucketSkipsSseCAndArchived: boolean;
  /** A13: ListObjects / ListObjectVersions `limit` above 1000 (or below 1): rejected with this answer; null clamps to 1000. */
  listLimitOutOfRange: ErrorAnswer | null;
  /**
   * A14: Object names sort by Unicode code point (= UTF-8 byte order), not UTF-16
   * code units. The two differ only for characters above U+FFFF vs U+E000-U+FFFF.
   */
  sortByCodePoint: boolean;
  /** A15: `+` in a query string is decoded as a space (application/x-www-form-urlencoded). */
  plusInQueryIsSpace: boolean;
  /**
   * A8: Layout of the Key Management `createkeyversion.begin/.end` event data:
   * resourceId is the key OCID; additionalDetails carries vaultId and keyVersionId.
   */
  keyEventResourceIsKey: boolean;
  /**
   * A16: The SDK signs the request target as Node's legacy url.parse() escapes it
   * (it turns ' into %27, also space " < > \ ^ ` { | }) while fetch sends the
   * WHATWG form (' stays raw). With `false` (strict, as draft-cavage reads) the
   * signature of such a request does not verify and OCI answers 401; with
   * `true` the emulator also accepts a signature over the legacy-escaped target.
   */
  acceptLegacyEscapedTarget: boolean;
  /** A17: Functions invoke: the function's handler failed (FDK answered 502). */
  functionFailed: ErrorAnswer;
  /** A17: Functions invoke: the function did not answer before its timeout. */
  functionTimedOut: ErrorAnswer;
  /** A28: an invocation past the tenancy's concurrency quota (counted in invocations, not memory). */
  functionsTooManyRequests: ErrorAnswer;
  /** A18: GetWorkRequest / KMS / Secrets / Functions for an unknown OCID. */
  notFoundGeneric: ErrorAnswer;
  /**
   * A19: the envelope's `source` for Object Storage and Key Management events. "Contents of an
   * Event Message" only says "the resource that produced the event". Oracle's reference example
   * for objects (Services that Produce Events, copied in /work/shared/events/createobject.json)
   * shows `objectstorage`, while events captured from real deliveries show `ObjectStorage`
   * (the Block Volume reference example also uses the capitalised form, `BlockVolumes`).
   * The Key Management value is not published at all. Client code should not depend on it.
   */
  eventSource: { objectStorage: string; keyManagement: string };
  /**
   * A22: a failed automatic rotation. Oracle's Vault events reference says
   * `autokeyrotate.end` is emitted both when an automatic rotation succeeds
   * and when it fails; how a failure's payload differs is not published.
   * The emulator emits `.begin` and `.end` with the key's usual layout (A8)
   * and creates no key version; `additionalDetails.keyVersionId` is left out
   * (`false`) or names the key's unchanged current version (`true`).
   */
  failedRotationNamesCurrentVersion: boolean;
  /**
   * A23: an `opc-retry-token` already used (within its 24 hours) for a
   * different request of the same operation, e.g. CreateKeyVersion on another
   * key. OCI documents the token's purpose and lifetime, not this answer.
   */
  retryTokenConflict: ErrorAnswer;
  /**
   * A24: whether PutObject, HeadObject, GetObject and CommitMultipartUpload send
   * `version-id` for a bucket where versioning was never enabled. The API
   * reference describes the header without a condition ("VersionId of the
   * newly created object" / "of the object requested") and ListObjectVersions
   * returns a versionId for every object in any bucket, so the emulator sends
   * it everywhere; `false` sends it for versioned buckets only.
   */
  versionIdInUnversionedBuckets: boolean;
  /** A25: UploadPart / CommitMultipartUpload / AbortMultipartUpload / ListMultipartUploadParts with an unknown uploadId. */
  unknownUploadId: ErrorAnswer;
  /**
   * A26: Functions invoke tells the function who signed the invoke request, with
   * `Oci-Subject-Id` (user OCID, or the resource's), `Oci-Subject-Type` (`user` /
   * `resource`), `Oci-Subject-Tenancy-Id`, `Oci-Subject-Compartment-Id` (resources)
   * and the request's `Opc-Request-Id`. Seen in public dumps of the headers deployed
   * functions receive; not in Oracle's documentation. `false`: only the Fn headers.
   */
  invokeCallerHeaders: boolean;
  /**
   * A27: PostMetricData (NON_ATOMIC) when no metric object passes validation. The API reference
   * says NON_ATOMIC "requires a partial pass: at least one metric object in the request must
   * pass input validation" but not what the answer is when none does; ATOMIC with any invalid
   * object is taken to be the same answer.
   */
  postMetricDataRejected: ErrorAnswer;
  /**
   * A30: an event an Events rule delivers to a stream (action type OSS). The Streaming API
   * documents a message as a base64 `key` and `value`; the Events documentation does not say
   * what Events puts in them. The emulator writes one message per event whose `value` is the
   * event's JSON envelope (UTF-8), as a function receives it, with no key (`'none'`) or the
   * event's `eventID` as key (`'eventID'`).
   */
  eventStreamMessageKey: 'none' | 'eventID';
  /**
   * A31: ListObjectVersions with a `page` token and `start` / `end`. The API reference documents
   * `start` (names ≥) and `end` (names <) and the page token, not how they combine: the
   * emulator keeps applying both on every page (`true`, the usual rule that a paged call
   * repeats its query); `false` applies them to the first page only, so later pages run
   * past `end` and a client has to stop there itself.
   */
  versionPagesKeepNameRange: boolean;
  /**
   * A29: whether Notifications retries a delivery to an ORACLE_FUNCTIONS subscription that
   * Functions accepted but the function failed (answered 5xx, died, or ran past its timeout).
   * Oracle documents retries while the endpoint "does not acknowledge receipt" and also that
   * "the Notifications service has no information about a function after it's invoked"; a
   * refused invoke (429) is retried either way. `true` retries such failures; `false` does not.
   */
  notificationsRetryFunctionFailures: boolean;
}

export const DEFAULT_ASSUMPTIONS: Readonly<Assumptions> = Object.freeze({
  reencryptSseCWithoutSourceKey: { status: 400, code: 'InvalidParameter' },
  sseCKeyMismatch: { status: 400, code: 'InvalidParameter' },
  headSseCWithoutKey: { status: 400, code: 'InvalidParameter' },
  headSseCOnNonSseCObject: null,
  reencryptArchived: { status: 409, code: 'NotRestored' },
  reencryptDeleteMarker: { status: 404, code: 'ObjectNotFound' },
  unknownKmsKey: { status: 400, code: 'InvalidParameter' },
  reencryptEmitsUpdateObject: false,
  reencryptChangesTimeModified: false,
  reencryptChangesEtag: false,
  overwriteEmitsCreateObject: true,
  reencryptBucketWithoutKmsKey: { status: 400, code: 'InvalidParameter' },
  reencryptBucketSkipsSseCAndArchived: true,
  listLimitOutOfRange: { status: 400, code: 'InvalidParameter' },
  sortByCodePoint: true,
  plusInQueryIsSpace: true,
  keyEventResourceIsKey: true,
  acceptLegacyEscapedTarget: false,
  functionFailed: { status: 502, code: 'FunctionInvokeFailed' },
  functionTimedOut: { status: 504, code: 'FunctionInvokeTimeout' },
  functionsTooManyRequests: { status: 429, code: 'TooManyRequests' },
  notFoundGeneric: { status: 404, code: 'NotAuthorizedOrNotFound' },
  eventSource: Object.freeze({ objectStorage: 'ObjectStorage', keyManagement: 'KeyManagementService' }),
  failedRotationNamesCurrentVersion: false,
  retryTokenConflict: { status: 409, code: 'Conflict' },
  versionIdInUnversionedBuckets: true,
  unknownUploadId: { status: 404, code: 'NoSuchUpload' },
  invokeCallerHeaders: true,
  postMetricDataRejected: { status: 400, code: 'InvalidParameter' },
  eventStreamMessageKey: 'none',
  versionPagesKeepNameRange: true,
  notificationsRetryFunctionFailures: true,
});

export function resolveAssumptions(overrides?: Partial<Assumptions>): Assumptions {
  return { ...DEFAULT_ASSUMPTIONS, ...(overrides ?? {}) };
}
