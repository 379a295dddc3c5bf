import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator, type Assumptions, type Emulator, type EmulatorOptions } from '../../emulator/src/index';
import { outputProblems, runCli as runCliProcess, startCli as startCliProcess, writeApiKeyConfig } from '../support/cli';

interface Probe { assumption: string; behaviour: string; emulator: string; oci: string; verdict: string; note?: string }

/** Polls every 20 ms: the emulator's streams, rules and work requests are quick. */
const FAST = { OCI_REENCRYPT_LIVE_CHECK_POLL_MS: '20' };

/** An emulator of its own for one test, with what live-check needs: a compartment, a vault and a key. */
interface Scratch {
  emu: Emulator;
  args: string[];
  keyId: string;
  vaultId: string;
  /** Streams and API rules live-check left that are not deleted (DELETING / DELETED are gone), and its buckets. */
  leftovers(): string[];
}

async function setUp(assumptions: Partial<Assumptions> = {}, events?: EmulatorOptions['events']): Promise<Scratch> {
  const emu = await startEmulator({ assumptions, ...(events && { events }) });
  const compartmentId = emu.createCompartment({ name: 'scratch' }).id;
  const vaultId = emu.createVault({ compartmentId }).id;
  const keyId = emu.createKey({ vaultId, compartmentId, displayName: 'test-key' }).id;
  const args = ['live-check', '--config-file', writeApiKeyConfig(emu).path, '--endpoint', emu.url, '--compartment-id', compartmentId, '--kms-key-id', keyId,
    '--wait', '20', '--event-grace', '0'];
  const leftovers = () => [
    ...[...emu.state.streams.values()].filter((s) => s.deletedAt === undefined).map((s) => s.id),
    ...[...emu.state.eventRules.values()].filter((r) => r.deletedAt === undefined).map((r) => r.id),
    ...[...emu.state.buckets.keys()].filter((b) => b.startsWith('oci-reencrypt-live-check-')),
  ];
  return { emu, args, keyId, vaultId, leftovers };
}

/** Runs a test against its own emulator, stopped afterwards whatever happens. */
async function withScratch(body: (t: Scratch) => Promise<void>, assumptions: Partial<Assumptions> = {}, events?: EmulatorOptions['events']): Promise<void> {
  const t = await setUp(assumptions, events);
  try {
    await body(t);
  } finally {
    await t.emu.stop();
  }
}

const runCli = (a: string[], env: Record<string, string> = {}) => runCliProcess(a, { ...FAST, ...env });
const startCli = (a: string[]) => startCliProcess(a, FAST);

// Each test has an emulator of its own and one live-check process, which mostly waits (on the
// emulator's events, on Last-Modified's one-second resolution, on held calls): they run side by side.
describe.concurrent('oci-reencrypt live-check against the emulator', { timeout: 180_000 }, () => {
  describe('with the emulator as it is', () => {
    it('--dry-run lists what it would create and calls nothing', async () => withScratch(async ({ emu, args, keyId, vaultId, leftovers }) => {
      const r = await runCli([...args, '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(outputProblems(r.json)).toBeUndefined();
      const created = r.json.wouldCreate as { kind: string; name: string }[];
      expect(created.map((c) => c.kind).slice(0, 3)).toEqual(['stream', 'eventsRule', 'bucket']);
      expect(created.find((c) => c.kind === 'bucket')).toMatchObject({ versioning: 'Enabled', objectEventsEnabled: true });
      expect(created.filter((c) => c.kind === 'object').map((c) => c.name)).toEqual([
        'plain.txt', 'sse-c.bin', 'archived.bin', 'deleted.txt', 'a b.txt', 'sort/\u{E000}', 'sort/\u{1F600}', "it's.txt",
        'events/reencrypt.txt', 'events/overwrite.txt', 'events/sentinel.txt',
      ]);
      // With the key-version probe: a second rule (the key's compartment) and the key version, which stays.
      const withKey = await runCli([...args, '--dry-run', '--create-key-version', '--vault-id', vaultId, '--capture-events', '/tmp/x']);
      expect(outputProblems(withKey.json)).toBeUndefined();
      expect((withKey.json.wouldCreate as { kind: string }[]).map((c) => c.kind).filter((k) => k !== 'object'))
        .toEqual(['stream', 'eventsRule', 'eventsRule', 'keyVersion', 'bucket', 'files']);
      expect(JSON.stringify(withKey.json)).toMatch(/not deleted: a key version cannot be removed/);
      // --create-key-version without the vault is refused before anything happens.
      const noVault = await runCli([...args, '--dry-run', '--create-key-version']);
      expect(noVault.code).toBe(2);
      expect(noVault.stdout).toMatch(/--vault-id/);
      expect(emu.getCounters().totalCalls).toBe(0);
    }));

    it('every probe agrees, the table is printed, and the bucket, rule and stream are gone', async () => withScratch(async ({ emu, args, keyId, vaultId, leftovers }) => {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(outputProblems(r.json)).toBeUndefined();
      const probes = r.json.probes as Probe[];
      expect(probes.map((p) => p.assumption)).toEqual([
        'A5', 'A5', 'A1', 'A4', 'A12', 'A2', 'A3', 'A3', 'A11', 'A14', 'A15', 'A16', 'A18', 'A13', 'A6', 'A7', 'A19', 'A8', 'A8', 'A19', 'A10', 'A9', 'A17',
      ]);
      // Without --create-key-version the key-version probes are skipped and say how to run them; A17 is never probed.
      expect(probes.filter((p) => p.verdict === 'skipped').map((p) => p.assumption)).toEqual(['A8', 'A8', 'A19', 'A17']);
      expect(probes.find((p) => p.assumption === 'A8')?.note).toMatch(/--create-key-version --vault-id/);
      expect(probes.filter((p) => p.verdict !== 'skipped').every((p) => p.verdict === 'same')).toBe(true);
      expect(r.json).toMatchObject({
        ok: true, differs: 0, unsettled: 0, skipped: 4,
        cleanup: { bucketDeleted: true, versionsDeleted: 13, rulesDeleted: 1, streamDeleted: true, leftBehind: [] },
      });
      expect(r.stderr).toMatch(/^assumption +behaviour +emulator +OCI +verdict$/m);
      expect(r.stderr).toMatch(/^A17 Functions invoke.*: needs a function that fails or times out/m);
      expect(leftovers()).toEqual([]);
      expect(emu.getCounters().routes.DeleteBucket?.writes).toBe(1);
      // The events came through the Events API rule and the stream, read with cursors.
      expect(emu.getCounters().routes.GetMessages?.calls).toBeGreaterThan(0);
      expect(emu.state.keys.get(keyId)?.versions).toHaveLength(1);
    }));

    it('--create-key-version makes one key version, settles A8 and the key events\' source, and --capture-events writes what arrived', async () => withScratch(async ({ emu, args, keyId, vaultId, leftovers }) => {
      const dir = mkdtempSync(join(tmpdir(), 'live-check-capture-'));
      writeFileSync(join(dir, 'createobject.json'), '{"kept": true}\n');
      const r = await runCli([...args, '--create-key-version', '--vault-id', vaultId, '--capture-events', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(outputProblems(r.json)).toBeUndefined();
      const probes = r.json.probes as Probe[];
      expect(probes.filter((p) => p.verdict === 'skipped').map((p) => p.assumption)).toEqual(['A17']);
      expect(probes.filter((p) => p.assumption === 'A8').map((p) => p.oci)).toEqual([
        'resourceId=key; resourceName=key name; additionalDetails: keyId=key, keyVersionId=new version, vaultId=vault',
        'resourceId=key; resourceName=key name; additionalDetails: keyId=key, keyVersionId=new version, vaultId=vault',
      ]);
      const versions = emu.state.keys.get(keyId)?.versions ?? [];
      expect(versions).toHaveLength(2);
      expect(r.json).toMatchObject({ ok: true, keyVersionCreated: { keyId, keyVersionId: versions[1]?.id }, cleanup: { rulesDeleted: 2, streamDeleted: true, leftBehind: [] } });
      expect(leftovers()).toEqual([]);
      // Each event once, as delivered, named like test/fixtures/events; a file already there is kept.
      const files = readdirSync(dir).sort();
      expect(files).toEqual(expect.arrayContaining(['createkeyversion-begin.json', 'createkeyversion-end.json', 'createobject.json', 'createobject-2.json', 'deleteobject.json']));
      expect(readFileSync(join(dir, 'createobject.json'), 'utf8')).toBe('{"kept": true}\n');
      const captured = r.json.captured as { file: string; eventType: string }[];
      expect(captured.length).toBe(files.length - 1);
      const end = JSON.parse(readFileSync(join(dir, 'createkeyversion-end.json'), 'utf8')) as { eventID: string; data: { resourceId: string } };
      expect(emu.emittedEvents.find((e) => e.eventID === end.eventID)).toEqual(end);
      expect(end.data.resourceId).toBe(keyId);
      const names = captured.filter((c) => c.eventType.endsWith('createobject')).map((c) => (JSON.parse(readFileSync(c.file, 'utf8')) as { data: { resourceName: string } }).data.resourceName);
      expect(names).toEqual(expect.arrayContaining(["sort/\u{1F600}", 'a b.txt', 'events/sentinel.txt']));
    }));

    it('events that never arrive within --wait leave the event probes unsettled (exit 1), and everything is still deleted', async () => withScratch(async ({ args, leftovers }) => {
      const r = await runCli([...args.slice(0, args.indexOf('--wait')), '--wait', '1', '--event-grace', '0']);
      expect(r.code, r.stderr).toBe(1);
      expect(outputProblems(r.json)).toBeUndefined();
      const probes = r.json.probes as Probe[];
      expect(probes.filter((p) => p.verdict === 'unsettled').map((p) => p.assumption)).toEqual(['A6', 'A7', 'A19']);
      expect(probes.find((p) => p.verdict === 'unsettled')).toMatchObject({ oci: 'no event within 1 s', note: expect.stringMatching(/policy/) });
      expect(r.json).toMatchObject({ ok: false, differs: 0, unsettled: 3, cleanup: { leftBehind: [] } });
      expect(r.stderr).toMatch(/3 probe\(s\) unsettled/);
      expect(leftovers()).toEqual([]);
    }, {}, { deliveryDelayMs: 60_000 }));
  });

  // Each probe, against an emulator that answers the other plausible way: live-check reports it.
  it.each<[string, Partial<Assumptions>]>([
    ['ReencryptObject changes timeModified', { reencryptChangesTimeModified: true }],
    ['ReencryptObject changes the ETag', { reencryptChangesEtag: true }],
    ['ReencryptObject, SSE-C object, no source key', { reencryptSseCWithoutSourceKey: { status: 409, code: 'Conflict' } }],
    ['ReencryptObject, archived object', { reencryptArchived: { status: 400, code: 'InvalidParameter' } }],
    ['ReencryptObject, delete-marker version', { reencryptDeleteMarker: { status: 400, code: 'InvalidParameter' } }],
    ['ListObjects limit above 1000', { listLimitOutOfRange: null }],
    ['ReencryptObject, wrong sourceSseCustomerKey', { sseCKeyMismatch: { status: 409, code: 'Conflict' } }],
    ['HeadObject, SSE-C object, no SSE-C headers (status)', { headSseCWithoutKey: { status: 409, code: 'Conflict' } }],
    ['HeadObject, plain object, SSE-C headers (status)', { headSseCOnNonSseCObject: { status: 400, code: 'InvalidParameter' } }],
    ['ReencryptObject, unknown kmsKeyId', { unknownKmsKey: { status: 404, code: 'NotAuthorizedOrNotFound' } }],
    ['ListObjects order above U+FFFF', { sortByCodePoint: false }],
    ['`+` in a query value', { plusInQueryIsSpace: false }],
    ['GetVault, unknown OCID', { notFoundGeneric: { status: 400, code: 'InvalidParameter' } }],
    ['PutObject, name with \', SDK signer (signs %27, sends \')', { acceptLegacyEscapedTarget: true }],
    ['ReencryptObject emits (object events after its createobject)', { reencryptEmitsUpdateObject: true }],
    ['Overwriting an object (versioned bucket) emits', { overwriteEmitsCreateObject: false }],
    ['Object event `source`', { eventSource: { objectStorage: 'objectstorage', keyManagement: 'KeyManagementService' } }],
    ['ReencryptBucket, bucket with SSE-C and archived versions', { reencryptBucketSkipsSseCAndArchived: false }],
    ['ReencryptBucket, bucket without kmsKeyId', { reencryptBucketWithoutKmsKey: { status: 409, code: 'Conflict' } }],
  ])('reports a mismatch when OCI differs: %s', async (behaviour, flipped) => withScratch(async ({ args, leftovers }) => {
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(3);
    const probes = r.json.probes as Probe[];
    expect(probes.filter((p) => p.verdict === 'differs').map((p) => p.behaviour)).toEqual([behaviour]);
    expect(r.json).toMatchObject({ differs: 1, cleanup: { bucketDeleted: true } });
    expect(leftovers()).toEqual([]);
  }, flipped));

  // The key-version probes, with --create-key-version, against an emulator whose key events differ.
  it.each<[string, Partial<Assumptions>]>([
    ['createkeyversion.begin layout', { keyEventResourceIsKey: false }],
    ['Key Management event `source`', { eventSource: { objectStorage: 'ObjectStorage', keyManagement: 'kms' } }],
  ])('with --create-key-version, reports a mismatch when OCI differs: %s', async (behaviour, flipped) => withScratch(async ({ args, vaultId, leftovers }) => {
    const r = await runCli([...args, '--create-key-version', '--vault-id', vaultId]);
    expect(r.code, r.stderr).toBe(3);
    const differing = (r.json.probes as Probe[]).filter((p) => p.verdict === 'differs').map((p) => p.behaviour);
    // The resourceId flip shows in both phases' layouts.
    expect(differing).toEqual(behaviour.includes('layout') ? [behaviour, 'createkeyversion.end layout'] : [behaviour]);
    expect(r.json).toMatchObject({ cleanup: { rulesDeleted: 2, leftBehind: [] } });
    expect(leftovers()).toEqual([]);
  }, flipped));

  // Interrupted while each step's call is in flight (held by the emulator): it stops and deletes what it made.
  it.each<[string, string[]]>([
    ['CreateStream', []], ['CreateRule', []], ['CreateBucket', []], ['PutObject', []], ['ReencryptObject', []], ['ListObjectVersions', []],
    ['GetMessages', []], ['GetWorkRequest', []], ['CreateKeyVersion', ['--create-key-version']],
  ])('Ctrl-C during %s: stops, deletes everything, exit 4', async (operation, extra) => withScratch(async ({ emu, args, keyId, vaultId, leftovers }) => {
    // Held long enough that the interrupt, sent once the call has arrived, lands while it is in flight even
    // on a loaded machine: a late one after the last step (CreateKeyVersion's is followed by little) found
    // the checks done and nothing to stop. The CLI waits for the held call, so this is each test's cost.
    emu.setRouteFaults(operation, { latencyMs: 3000 });
    const cli = startCli([...args, ...extra, ...(extra.length ? ['--vault-id', vaultId] : [])]);
    while ((emu.getCounters().routes[operation]?.calls ?? 0) === 0) await new Promise((r) => setTimeout(r, 25));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(4);
    expect(r.json).toMatchObject({ ok: false, stoppedAt: { error: 'interrupted' }, cleanup: { leftBehind: [], streamDeleted: true } });
    expect(leftovers()).toEqual([]);
    if (operation === 'CreateKeyVersion') {
      // The one thing that stays, and the output says so.
      expect(r.json).toMatchObject({ keyVersionCreated: { keyId, note: expect.stringMatching(/cannot be removed/) } });
      expect(r.stderr).toMatch(/created key version .* it stays/);
    }
  }));

  it.each([['PutObject'], ['HeadObject'], ['ListObjectVersions'], ['CreateRule'], ['DeleteRule']])('a failing %s stops the checks and still deletes everything it can, exit 1', async (operation) => withScratch(async ({ emu, args, leftovers }) => {
    emu.setRouteFaults(operation, { p500: 1 });
    const r = await runCli(args, { REENCRYPT_MAX_ATTEMPTS: '1' });
    emu.setRouteFaults(operation, undefined);
    expect(r.code, r.stderr).toBe(1);
    expect(outputProblems(r.json)).toBeUndefined();
    // ListObjectVersions is also the bucket cleanup's first call, DeleteRule the rule's: cleanup fails too, and says what is left.
    if (operation === 'ListObjectVersions' || operation === 'DeleteRule') {
      const left = operation === 'DeleteRule' ? /Events rule ocid1\.eventrule\./ : /bucket oci-reencrypt-live-check-[0-9a-f]+ and its object versions/;
      expect(r.json).toMatchObject({ ok: false, cleanup: { leftBehind: [expect.stringMatching(left)], streamDeleted: true } });
      expect(r.stderr).toMatch(new RegExp(`cleanup failed .*: delete by hand: ${left.source}`));
      return;
    }
    expect(r.json).toMatchObject({ ok: false, stoppedAt: { step: expect.any(String) }, cleanup: { leftBehind: [], streamDeleted: true } });
    expect(leftovers()).toEqual([]);
  }));
});
