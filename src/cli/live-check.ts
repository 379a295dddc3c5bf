import { createHash, randomBytes } from 'node:crypto';
import { models, requests, type ObjectStorageClient } from 'oci-objectstorage';
import { DEFAULT_ASSUMPTIONS, type ErrorAnswer } from '../../emulator/src/assumptions';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import { expectedBucketReencrypt, expectedWithoutKey, reencryptBucketOutcome, sseCAfter } from './live-check-bucket-probes';
import { captureEvents, type CapturedFile } from './live-check-capture';
import {
  EVENT_OBJECTS, KEY_EVENT_TYPES, OBJECT_EVENT_TYPES, expectedKeyEventLayout, expectedOverwriteEvent, expectedReencryptEvents,
  keyEventLayout, keyEventsFor, objectEvents, objectEventsOf, overwriteEvent, phaseEvent, reencryptEvents, sources, type KeyVersionFacts,
} from './live-check-event-probes';
import { EventTap, pause, untilActive, type EventClients, type ReceivedEvent } from './live-check-events';

/**
 * live-check: settles the emulator's assumptions (emulator/README.md) in a
 * real tenancy, on what it creates itself and always removes: a scratch
 * bucket, a temporary stream and Events rule(s) that deliver the bucket's
 * object events (and, with --create-key-version, the test key's key-version
 * events) to it. Verdicts compare what OCI answered or delivered with what the
 * emulator does by default; never the other way round.
 * A17 (Functions invoke failures) is not probed: see A17_ROW.
 */
export interface LiveCheckOptions {
  readonly namespace: string;
  readonly compartmentId: string;
  readonly keyId: string;
  /**
   * A client that signs as the SDK does by itself (DefaultRequestSigner, fetch), for A16: the
   * function's own signer signs the path it sends, so only the SDK's can show the difference.
   */
  readonly sdkObjectStorage: ObjectStorageClient;
  /** Stops the checks; cleanup still runs. */
  readonly signal: AbortSignal;
  /** Streaming and Events clients (live-check-events.ts). */
  readonly events: EventClients;
  /** --create-key-version: one key version on keyId, whose vault this is (for its management endpoint). */
  readonly keyVersion?: { readonly vaultId: string };
  /** --capture-events DIR. */
  readonly captureDir?: string;
  /** Bound on each wait: a stream or rule to become ACTIVE, events to arrive, a work request to end. */
  readonly waitMs: number;
  /** After the last expected event: how long events that should not come are given to come anyway. */
  readonly graceMs: number;
  /** Between two polls of a stream, rule, or work request. */
  readonly pollMs: number;
  readonly say: (line: string) => void;
}

export interface ProbeResult {
  readonly assumption: string;
  readonly behaviour: string;
  readonly emulator: string;
  readonly oci: string;
  /** `skipped`: not run, by choice (`note` says how to run it); `unsettled`: run, but OCI's answer never came. */
  readonly verdict: 'same' | 'differs' | 'skipped' | 'unsettled';
  readonly note?: string;
}

export interface LiveCheckResult {
  readonly bucket: string;
  readonly probes: ProbeResult[];
  /** Set when the checks stopped early (interrupt, or a call the checks need failed). */
  readonly stoppedAt?: { readonly step: string; readonly error: string };
  readonly cleanup: Cleanup;
  /** The key version --create-key-version made: it stays (see KEY_VERSION_STAYS). */
  readonly keyVersionCreated?: { readonly keyId: string; readonly keyVersionId: string; readonly note: string };
  readonly captured?: readonly CapturedFile[];
  readonly captureError?: string;
}

export interface Cleanup {
  readonly versionsDeleted: number;
  readonly bucketDeleted: boolean;
  readonly rulesDeleted: number;
  readonly streamDeleted: boolean;
  /** What live-check created and could not delete: delete these by hand. */
  readonly leftBehind: readonly string[];
  readonly error?: string;
}

export const KEY_VERSION_STAYS = 'a key version cannot be removed: it is now the key\'s current version, and OCI only schedules a version\'s deletion after a waiting period (ScheduleKeyVersionDeletion)';

/** A17 cannot be settled on what live-check creates: why, in the table. */
export const A17_NOTE = 'needs a function that fails or times out: live-check deploys none (a function needs an image and an application in a subnet), and the deployed oci-reencrypt never fails an invoke (every error is an answer)';

/** What the scratch bucket holds: each object exists for one or more probes. */
export const SCRATCH_OBJECTS = [
  { name: 'plain.txt', why: 'two versions under the test key: timeModified and ETag after ReencryptObject (A5)' },
  { name: 'sse-c.bin', why: 'under a random customer key: ReencryptObject without the source key (A1)' },
  { name: 'archived.bin', why: 'storage tier Archive: ReencryptObject on an archived object (A4)' },
  { name: 'deleted.txt', why: 'deleted, leaving a delete marker: ReencryptObject on the marker (A12)' },
  { name: 'a b.txt', why: 'a space in the name: does `+` in a query string mean a space (A15)' },
  { name: 'sort/\u{E000}', why: 'with sort/\u{1F600}: code point or UTF-16 order in listings (A14)' },
  { name: 'sort/\u{1F600}', why: 'see sort/\u{E000}' },
  { name: "it's.txt", why: 'an apostrophe in the path: is the SDK\'s signature accepted (A16)' },
  { name: EVENT_OBJECTS.reencrypted, why: 'written once, then re-encrypted: does ReencryptObject emit updateobject (A6)' },
  { name: EVENT_OBJECTS.overwritten, why: 'written twice: which event the overwrite emits (A7)' },
  { name: EVENT_OBJECTS.sentinel, why: 'written last: once its event arrived, the events before it had their chance (A6, A7, A19)' },
] as const;

export function scratchBucketName(): string {
  return `oci-reencrypt-live-check-${randomBytes(6).toString('hex')}`;
}

const answer = (a: ErrorAnswer | null, ok = '200 (limit clamped)'): string => (a === null ? ok : `${a.status} ${a.code}`);
/** A key OCID of the right shape that names no key (for A11). */
const NO_SUCH_KEY = 'ocid1.key.oc1.iad.aaaaaaaalivecheckdoesnotexistaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NO_SUCH_VAULT = 'ocid1.vault.oc1.iad.aaaaaaaalivecheckdoesnotexistaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const changed = (b: boolean): string => (b ? 'changed' : 'unchanged');

export async function liveCheck(oci: Oci, bucket: string, o: LiveCheckOptions): Promise<LiveCheckResult> {
  const os = oci.objectStorage;
  const ns = o.namespace;
  const probes: ProbeResult[] = [];
  let stoppedAt: LiveCheckResult['stoppedAt'];
  const created: Created = { bucket: false, streamId: undefined, ruleIds: [] };
  let tap: EventTap | undefined;
  let keyVersionCreated: LiveCheckResult['keyVersionCreated'];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (o.signal.aborted) throw new StepError(name, 'interrupted');
    o.say(`live-check: ${name}`);
    try {
      return await fn();
    } catch (err) {
      throw new StepError(name, o.signal.aborted ? 'interrupted' : err instanceof Error ? err.message : String(err));
    }
  };
  const probe = (assumption: string, behaviour: string, emulator: string, observed: string) => {
    probes.push({ assumption, behaviour, emulator, oci: observed, verdict: observed === emulator ? 'same' : 'differs' });
  };
  const notRun = (assumption: string, behaviour: string, emulator: string, verdict: 'skipped' | 'unsettled', observed: string, note: string) => {
    probes.push({ assumption, behaviour, emulator, oci: observed, verdict, note });
  };
  /** The status and service code OCI answered a call with ("200" when it succeeded). */
  const outcome = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
      return '200';
    } catch (err) {
      if (err instanceof OciCallError && err.failure.status !== undefined) return `${err.failure.status} ${err.failure.serviceCode ?? ''}`.trim();
      throw err;
    }
  };
  /** Every probe call; after Ctrl-C none starts (the one in flight finishes), so a step of many calls stops at once. */
  const call = <T>(operation: string, fn: () => Promise<T>) => {
    if (o.signal.aborted) return Promise.reject(new Error('interrupted'));
    return oci.call(operation, fn);
  };
  const reencrypt = (objectName: string, versionId?: string) => call('ReencryptObject', () => os.reencryptObject({
    namespaceName: ns, bucketName: bucket, objectName, reencryptObjectDetails: {}, ...(versionId !== undefined && { versionId }),
  }));
  const head = (objectName: string) => call('HeadObject', () => os.headObject({ namespaceName: ns, bucketName: bucket, objectName }));
  const put = (objectName: string, extra: Partial<requests.PutObjectRequest> = {}) => call('PutObject', () => os.putObject({
    namespaceName: ns, bucketName: bucket, objectName, putObjectBody: 'live-check', contentLength: 10, ...extra,
  }));
  const waitUntil = () => Date.now() + o.waitMs;
  const a = DEFAULT_ASSUMPTIONS;
  const ev = o.events;

  try {
    let keyFacts: (KeyVersionFacts & { compartmentId: string; managementEndpoint: string }) | undefined;
    if (o.keyVersion) {
      const vaultId = o.keyVersion.vaultId;
      keyFacts = await step('read the test key', async () => {
        const { vault } = await call('GetVault', () => oci.kmsVault.getVault({ vaultId }));
        const { key } = await call('GetKey', () => oci.kmsManagement(vault.managementEndpoint).getKey({ keyId: o.keyId }));
        if (key.vaultId !== vaultId) throw new Error(`the key ${o.keyId} is in vault ${key.vaultId}, not ${vaultId} (--vault-id)`);
        return {
          keyId: key.id, vaultId, keyName: key.displayName, previousVersionId: key.currentKeyVersion, newVersionId: '',
          compartmentId: key.compartmentId, managementEndpoint: vault.managementEndpoint,
        };
      });
    }
    const stream = await step('create a temporary stream for the events', async () => {
      const { stream: s } = await call('CreateStream', () => ev.streamAdmin.createStream({ createStreamDetails: { name: bucket, partitions: 1, compartmentId: o.compartmentId } }));
      created.streamId = s.id;
      const until = waitUntil();
      await untilActive(`stream ${s.id}`, async () => String((await call('GetStream', () => ev.streamAdmin.getStream({ streamId: s.id }))).stream.lifecycleState), until, o.pollMs, o.signal);
      return s;
    });
    tap = new EventTap(oci, ev.messagesAt(stream.messagesEndpoint), stream.id);
    const rule = async (what: string, compartmentId: string, condition: Record<string, unknown>) => {
      const { rule: r } = await call('CreateRule', () => ev.events.createRule({ createRuleDetails: {
        displayName: `${bucket}-${what}`, description: 'oci-reencrypt live-check: deleted when it ends', isEnabled: true, compartmentId,
        condition: JSON.stringify(condition),
        actions: { actions: [{ actionType: 'OSS', isEnabled: true, streamId: stream.id } as { actionType: string; isEnabled: boolean }] },
      } }));
      created.ruleIds.push(r.id);
      await untilActive(`rule ${r.id}`, async () => String((await call('GetRule', () => ev.events.getRule({ ruleId: r.id }))).rule.lifecycleState), waitUntil(), o.pollMs, o.signal);
    };
    await step('create a temporary Events rule: the scratch bucket\'s object events to the stream', () =>
      rule('objects', o.compartmentId, { eventType: OBJECT_EVENT_TYPES, data: { additionalDetails: { bucketName: [bucket] } } }));
    if (keyFacts) {
      const compartmentId = keyFacts.compartmentId;
      await step('create a temporary Events rule: key-version events of the test key\'s compartment to the stream', () =>
        rule('key-versions', compartmentId, { eventType: KEY_EVENT_TYPES }));
    }
    await step('create the scratch bucket', () => call('CreateBucket', () => os.createBucket({
      namespaceName: ns,
      createBucketDetails: {
        name: bucket, compartmentId: o.compartmentId, kmsKeyId: o.keyId, versioning: models.CreateBucketDetails.Versioning.Enabled, objectEventsEnabled: true,
      },
    })));
    created.bucket = true;
    const customerKey = randomBytes(32);
    const sseC = (key: Buffer) => ({ algorithm: models.SSECustomerKeyDetails.Algorithm.Aes256, key: key.toString('base64'), keySha256: createHash('sha256').update(key).digest('base64') });
    await step('write the scratch objects', async () => {
      await put('plain.txt');
      await put('plain.txt');
      await put('sse-c.bin', {
        opcSseCustomerAlgorithm: 'AES256', opcSseCustomerKey: customerKey.toString('base64'),
        opcSseCustomerKeySha256: createHash('sha256').update(customerKey).digest('base64'),
      });
      await put('archived.bin', { storageTier: models.StorageTier.Archive });
      await put('deleted.txt');
      await call('DeleteObject', () => os.deleteObject({ namespaceName: ns, bucketName: bucket, objectName: 'deleted.txt' }));
      await put('a b.txt');
      await put('sort/\u{E000}');
      await put('sort/\u{1F600}');
    });

    await step('A5: ReencryptObject on a plain object', async () => {
      const before = await head('plain.txt');
      await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
      await reencrypt('plain.txt');
      const after = await head('plain.txt');
      probe('A5', 'ReencryptObject changes timeModified', changed(a.reencryptChangesTimeModified), changed(String(before.lastModified) !== String(after.lastModified)));
      probe('A5', 'ReencryptObject changes the ETag', changed(a.reencryptChangesEtag), changed(before.eTag !== after.eTag));
    });
    await step('A1: ReencryptObject on an SSE-C object without its key', async () => {
      probe('A1', 'ReencryptObject, SSE-C object, no source key', answer(a.reencryptSseCWithoutSourceKey), await outcome(() => reencrypt('sse-c.bin')));
    });
    await step('A4: ReencryptObject on an archived object', async () => {
      probe('A4', 'ReencryptObject, archived object', answer(a.reencryptArchived), await outcome(() => reencrypt('archived.bin')));
    });
    await step('A12: ReencryptObject on a delete marker', async () => {
      const versions = await call('ListObjectVersions', () => os.listObjectVersions({ namespaceName: ns, bucketName: bucket, prefix: 'deleted.txt' }));
      const marker = versions.objectVersionCollection.items.find((v) => v.name === 'deleted.txt' && v.isDeleteMarker);
      if (!marker?.versionId) throw new Error('no delete marker listed for deleted.txt');
      probe('A12', 'ReencryptObject, delete-marker version', answer(a.reencryptDeleteMarker), await outcome(() => reencrypt('deleted.txt', marker.versionId)));
    });
    await step('A2: ReencryptObject with the wrong source SSE-C key', async () => {
      probe('A2', 'ReencryptObject, wrong sourceSseCustomerKey', answer(a.sseCKeyMismatch), await outcome(() => call('ReencryptObject', () => os.reencryptObject({
        namespaceName: ns, bucketName: bucket, objectName: 'sse-c.bin', reencryptObjectDetails: { sourceSseCustomerKey: sseC(randomBytes(32)) },
      }))));
    });
    await step('A3: HeadObject with and without SSE-C headers', async () => {
      // A HEAD answer has no body, so no service code: only the status can be compared.
      const statusOnly = (r: string) => r.split(' ')[0] as string;
      const expected = (x: ErrorAnswer | null) => (x === null ? '200' : String(x.status));
      probe('A3', 'HeadObject, SSE-C object, no SSE-C headers (status)', expected(a.headSseCWithoutKey), statusOnly(await outcome(() => head('sse-c.bin'))));
      const k = sseC(randomBytes(32));
      probe('A3', 'HeadObject, plain object, SSE-C headers (status)', expected(a.headSseCOnNonSseCObject), statusOnly(await outcome(() => call('HeadObject', () => os.headObject({
        namespaceName: ns, bucketName: bucket, objectName: 'plain.txt', opcSseCustomerAlgorithm: 'AES256', opcSseCustomerKey: k.key, opcSseCustomerKeySha256: k.keySha256,
      })))));
    });
    await step('A11: ReencryptObject with a kmsKeyId that names no key', async () => {
      probe('A11', 'ReencryptObject, unknown kmsKeyId', answer(a.unknownKmsKey), await outcome(() => call('ReencryptObject', () => os.reencryptObject({
        namespaceName: ns, bucketName: bucket, objectName: 'plain.txt', reencryptObjectDetails: { kmsKeyId: NO_SUCH_KEY },
      }))));
    });
    await step('A14: listing order of names above U+FFFF', async () => {
      const r = await call('ListObjects', () => os.listObjects({ namespaceName: ns, bucketName: bucket, prefix: 'sort/' }));
      const names = r.listObjects.objects.map((x) => x.name);
      // By code point U+E000 < U+1F600; by UTF-16 code units the surrogate pair (D83D...) sorts first.
      const observed = names[0] === 'sort/\u{E000}' ? 'code point' : names[0] === 'sort/\u{1F600}' ? 'UTF-16 code units' : `unexpected: ${JSON.stringify(names)}`;
      probe('A14', 'ListObjects order above U+FFFF', a.sortByCodePoint ? 'code point' : 'UTF-16 code units', observed);
    });
    await step('A15: `+` in a query string', async () => {
      // The SDK sends query values as given (OCI-NOTES.md): this prefix reaches OCI as `a+b`.
      const r = await call('ListObjects', () => os.listObjects({ namespaceName: ns, bucketName: bucket, prefix: 'a+b' }));
      const names = r.listObjects.objects.map((x) => x.name);
      probe('A15', '`+` in a query value', a.plusInQueryIsSpace ? 'a space' : 'a plus sign', names.includes('a b.txt') ? 'a space' : 'a plus sign');
    });
    await step('A16: an object name with an apostrophe', async () => {
      // The SDK signs `'` in a path as %27 but sends it raw (emulator README, findings): does OCI verify that signature?
      probe('A16', 'PutObject, name with \', SDK signer (signs %27, sends \')', a.acceptLegacyEscapedTarget ? '200' : '401 NotAuthenticated',
        await outcome(() => call('PutObject', () => o.sdkObjectStorage.putObject({ namespaceName: ns, bucketName: bucket, objectName: "it's.txt", putObjectBody: 'live-check', contentLength: 10 }))));
    });
    await step('A18: GetVault with an OCID that names no vault', async () => {
      probe('A18', 'GetVault, unknown OCID', answer(a.notFoundGeneric), await outcome(() => call('GetVault', () => oci.kmsVault.getVault({ vaultId: NO_SUCH_VAULT }))));
    });
    await step('A13: ListObjects with limit 1001', async () => {
      probe('A13', 'ListObjects limit above 1000', answer(a.listLimitOutOfRange), await outcome(() => call('ListObjects', () => os.listObjects({
        namespaceName: ns, bucketName: bucket, limit: 1001,
      }))).then((r) => (r === '200' ? '200 (limit clamped)' : r)));
    });
    const overwriteEtag = await step('A6, A7: write and re-encrypt one object, write another twice, then the sentinel', async () => {
      await put(EVENT_OBJECTS.reencrypted);
      await reencrypt(EVENT_OBJECTS.reencrypted);
      await put(EVENT_OBJECTS.overwritten);
      const second = await put(EVENT_OBJECTS.overwritten);
      await put(EVENT_OBJECTS.sentinel);
      return second.eTag;
    });
    const events = tap;
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
        keyVersionCreated = { keyId: facts.keyId, keyVersionId: keyVersion.id, note: KEY_VERSION_STAYS };
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
    await step('A10: ReencryptBucket with SSE-C and archived versions, to the work request\'s end', async () => {
      const statusOnly = async () => (await outcome(() => head('sse-c.bin'))).split(' ')[0] as string;
      const before = await statusOnly();
      const end = await reencryptBucketOutcome(oci, ns, bucket, { until: waitUntil(), pollMs: o.pollMs, signal: o.signal });
      probe('A10', 'ReencryptBucket, bucket with SSE-C and archived versions', expectedBucketReencrypt(a), `${end}; ${sseCAfter(before, await statusOnly())}`);
    });
    await step('A9: ReencryptBucket on a bucket without kmsKeyId', async () => {
      // Documented: an empty kmsKeyId removes the bucket's key (Oracle-managed from then on).
      await call('UpdateBucket', () => os.updateBucket({ namespaceName: ns, bucketName: bucket, updateBucketDetails: { kmsKeyId: '' } }));
      probe('A9', 'ReencryptBucket, bucket without kmsKeyId', expectedWithoutKey(a),
        await reencryptBucketOutcome(oci, ns, bucket, { until: waitUntil(), pollMs: o.pollMs, signal: o.signal }));
    });
    notRun('A17', 'Functions invoke, handler failed / timed out', `${a.functionFailed.status} ${a.functionFailed.code} / ${a.functionTimedOut.status} ${a.functionTimedOut.code}`,
      'skipped', 'not probed', A17_NOTE);
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    stoppedAt = { step: err.step, error: err.message };
  }
  let captured: CapturedFile[] | undefined;
  let captureError: string | undefined;
  if (o.captureDir !== undefined && tap) {
    try {
      captured = captureEvents(o.captureDir, tap.received.filter((e) => isOurs(e, bucket, o.keyId, keyVersionCreated?.keyVersionId)));
    } catch (err) {
      captureError = err instanceof Error ? err.message : String(err);
    }
  }
  const cleanup = await removeEverything(oci, ev, ns, bucket, created, o.say);
  return {
    bucket, probes, ...(stoppedAt && { stoppedAt }), cleanup, ...(keyVersionCreated && { keyVersionCreated }),
    ...(captured && { captured }), ...(captureError !== undefined && { captureError }),
  };
}

interface Created {
  bucket: boolean;
  streamId: string | undefined;
  ruleIds: string[];
}

/** Events of the scratch bucket, or naming the test key or the version live-check created. */
function isOurs(e: ReceivedEvent, bucket: string, keyId: string, keyVersionId: string | undefined): boolean {
  if (objectEvents([e], bucket).length > 0) return true;
  const text = JSON.stringify(e.event);
  return KEY_EVENT_TYPES.includes(e.eventType) && (text.includes(keyId) || (keyVersionId !== undefined && text.includes(keyVersionId)));
}

function noEventsNote(tap: EventTap): string {
  return `${tap.received.length} event(s) read from the stream${tap.unreadable ? `, ${tap.unreadable} unreadable message(s)` : ''}; Events needs a policy to put messages on the stream, and delivery can take longer than --wait`;
}

class StepError extends Error {
  constructor(readonly step: string, message: string) {
    super(message);
  }
}

/**
 * Rules first (nothing more is delivered), then the stream, then every object
 * version (delete markers included) and the bucket. Not interruptible: it is
 * the point of stopping cleanly. A rule or stream already gone (404) counts as
 * deleted; whatever could not be deleted is named in `leftBehind`.
 */
async function removeEverything(oci: Oci, ev: EventClients, ns: string, bucket: string, created: Created, say: (line: string) => void): Promise<Cleanup> {
  const leftBehind: string[] = [];
  const errors: string[] = [];
  const gone = async (operation: string, fn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await oci.call(operation, fn);
      return true;
    } catch (err) {
      if (err instanceof OciCallError && err.failure.status === 404) return true;
      errors.push(err instanceof Error ? err.message : String(err));
      return false;
    }
  };
  let rulesDeleted = 0;
  for (const ruleId of created.ruleIds) {
    say(`live-check: delete the temporary Events rule ${ruleId}`);
    if (await gone('DeleteRule', () => ev.events.deleteRule({ ruleId }))) rulesDeleted += 1;
    else leftBehind.push(`Events rule ${ruleId}`);
  }
  let streamDeleted = created.streamId === undefined;
  if (created.streamId !== undefined) {
    const streamId = created.streamId;
    say(`live-check: delete the temporary stream ${streamId}`);
    streamDeleted = await gone('DeleteStream', () => ev.streamAdmin.deleteStream({ streamId }));
    if (!streamDeleted) leftBehind.push(`stream ${streamId}`);
  }
  const b = created.bucket ? await deleteScratchBucket(oci, ns, bucket, say) : { versionsDeleted: 0, bucketDeleted: false };
  if (b.error !== undefined) {
    errors.push(b.error);
    leftBehind.push(`bucket ${bucket} and its object versions`);
  }
  return {
    versionsDeleted: b.versionsDeleted, bucketDeleted: b.bucketDeleted, rulesDeleted, streamDeleted, leftBehind,
    ...(errors.length > 0 && { error: errors.join('; ') }),
  };
}

/** Every version (delete markers included), then the bucket. */
async function deleteScratchBucket(oci: Oci, ns: string, bucket: string, say: (line: string) => void): Promise<{ versionsDeleted: number; bucketDeleted: boolean; error?: string }> {
  const os = oci.objectStorage;
  let versionsDeleted = 0;
  say(`live-check: delete the scratch bucket ${bucket}`);
  try {
    let page: string | undefined;
    do {
      const r = await oci.call('ListObjectVersions', () => os.listObjectVersions({ namespaceName: ns, bucketName: bucket, ...(page && { page }) }));
      for (const v of r.objectVersionCollection.items) {
        await oci.call('DeleteObject', () => os.deleteObject({ namespaceName: ns, bucketName: bucket, objectName: v.name, ...(v.versionId && { versionId: v.versionId }) }));
        versionsDeleted += 1;
      }
      page = r.opcNextPage;
    } while (page);
    await oci.call('DeleteBucket', () => os.deleteBucket({ namespaceName: ns, bucketName: bucket }));
    return { versionsDeleted, bucketDeleted: true };
  } catch (err) {
    return { versionsDeleted, bucketDeleted: false, error: err instanceof Error ? err.message : String(err) };
  }
}
