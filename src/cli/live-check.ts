import { createHash, randomBytes } from 'node:crypto';
import { models, type ObjectStorageClient } from 'oci-objectstorage';
import type { Oci } from '../oci/clients';
import { bucketProbes } from './live-check-bucket-probes';
import { captureEvents, type CapturedFile } from './live-check-capture';
import { removeEverything, type Created } from './live-check-cleanup';
import { EVENT_OBJECTS, KEY_EVENT_TYPES, OBJECT_EVENT_TYPES, objectEvents } from './live-check-event-probes';
import { eventProbes, type TestKey } from './live-check-event-steps';
import { EventTap, untilActive, type EventClients, type ReceivedEvent } from './live-check-events';
import { probeKit, StepError } from './live-check-kit';
import { objectStorageProbes } from './live-check-object-probes';

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

export async function liveCheck(oci: Oci, bucket: string, o: LiveCheckOptions): Promise<LiveCheckResult> {
  const os = oci.objectStorage;
  const ns = o.namespace;
  const probes: ProbeResult[] = [];
  let stoppedAt: LiveCheckResult['stoppedAt'];
  const created: Created = { bucket: false, streamId: undefined, ruleIds: [] };
  let tap: EventTap | undefined;
  let keyVersionCreated: LiveCheckResult['keyVersionCreated'];
  const kit = probeKit(oci, bucket, o, probes);
  const { step, call, put, waitUntil } = kit;
  const ev = o.events;

  try {
    let keyFacts: TestKey | undefined;
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

    await objectStorageProbes(kit);
    await eventProbes(kit, tap, keyFacts, (v) => { keyVersionCreated = v; });
    await bucketProbes(kit);
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

/** Events of the scratch bucket, or naming the test key or the version live-check created. */
function isOurs(e: ReceivedEvent, bucket: string, keyId: string, keyVersionId: string | undefined): boolean {
  if (objectEvents([e], bucket).length > 0) return true;
  const text = JSON.stringify(e.event);
  return KEY_EVENT_TYPES.includes(e.eventType) && (text.includes(keyId) || (keyVersionId !== undefined && text.includes(keyVersionId)));
}

