import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Assumptions, type Emulator } from '../../emulator/src/index';
import { outputProblems, runCli, startCli, writeApiKeyConfig } from '../support/cli';

interface Probe { assumption: string; behaviour: string; emulator: string; oci: string; verdict: string }

describe('oci-reencrypt live-check against the emulator', () => {
  let emu: Emulator;
  let args: string[];

  async function setUp(assumptions: Partial<Assumptions> = {}): Promise<void> {
    emu = await startEmulator({ assumptions });
    const compartmentId = emu.createCompartment({ name: 'scratch' }).id;
    const vaultId = emu.createVault({ compartmentId }).id;
    const keyId = emu.createKey({ vaultId, compartmentId, displayName: 'test-key' }).id;
    args = ['live-check', '--config-file', writeApiKeyConfig(emu).path, '--endpoint', emu.url, '--compartment-id', compartmentId, '--kms-key-id', keyId];
  }
  const scratchBuckets = () => [...emu.state.buckets.keys()].filter((b) => b.startsWith('oci-reencrypt-live-check-'));
  afterEach(async () => emu?.stop());

  describe('with the emulator as it is', () => {
    beforeEach(async () => setUp());

    it('--dry-run lists what it would create and calls nothing', async () => {
      const r = await runCli([...args, '--dry-run']);
      expect(r.code, r.stderr).toBe(0);
      expect(outputProblems(r.json)).toBeUndefined();
      const created = r.json.wouldCreate as { kind: string; name: string }[];
      expect(created[0]).toMatchObject({ kind: 'bucket', versioning: 'Enabled' });
      expect(created.filter((c) => c.kind === 'object').map((c) => c.name)).toEqual(['plain.txt', 'sse-c.bin', 'archived.bin', 'deleted.txt', 'a b.txt', 'sort/\u{E000}', 'sort/\u{1F600}', "it's.txt"]);
      expect(emu.getCounters().totalCalls).toBe(0);
    });

    it('every probe agrees, the table is printed, and the scratch bucket is gone', async () => {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(outputProblems(r.json)).toBeUndefined();
      const probes = r.json.probes as Probe[];
      expect(probes.map((p) => p.assumption)).toEqual(['A5', 'A5', 'A1', 'A4', 'A12', 'A2', 'A3', 'A3', 'A11', 'A14', 'A15', 'A16', 'A18', 'A13']);
      expect(probes.every((p) => p.verdict === 'same')).toBe(true);
      expect(r.json).toMatchObject({ ok: true, differs: 0, cleanup: { bucketDeleted: true, versionsDeleted: 9 } });
      expect(r.stderr).toMatch(/^assumption +behaviour +emulator +OCI +verdict$/m);
      expect(scratchBuckets()).toEqual([]);
      expect(emu.getCounters().routes.DeleteBucket?.writes).toBe(1);
    });
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
  ])('reports a mismatch when OCI differs: %s', async (behaviour, flipped) => {
    await setUp(flipped);
    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(3);
    const probes = r.json.probes as Probe[];
    expect(probes.filter((p) => p.verdict === 'differs').map((p) => p.behaviour)).toEqual([behaviour]);
    expect(r.json).toMatchObject({ differs: 1, cleanup: { bucketDeleted: true } });
    expect(scratchBuckets()).toEqual([]);
  });

  // Interrupted while each step's call is in flight (held by the emulator): it stops and deletes what it made.
  it.each([['CreateBucket'], ['PutObject'], ['ReencryptObject'], ['ListObjectVersions']])('Ctrl-C during %s: stops, deletes everything, exit 4', async (operation) => {
    await setUp();
    emu.setRouteFaults(operation, { latencyMs: 1500 });
    const cli = startCli(args);
    while ((emu.getCounters().routes[operation]?.calls ?? 0) === 0) await new Promise((r) => setTimeout(r, 25));
    cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(4);
    expect(r.json).toMatchObject({ ok: false, stoppedAt: { error: 'interrupted' }, cleanup: { bucketDeleted: true } });
    expect(scratchBuckets()).toEqual([]);
  });

  it.each([['PutObject'], ['HeadObject'], ['ListObjectVersions']])('a failing %s stops the checks and still deletes everything, exit 1', async (operation) => {
    await setUp();
    emu.setRouteFaults(operation, { p500: 1 });
    const r = await runCli(args, { REENCRYPT_MAX_ATTEMPTS: '1' });
    emu.setRouteFaults(operation, undefined);
    // ListObjectVersions is also cleanup's first call: then cleanup fails too, and says so.
    if (operation === 'ListObjectVersions') {
      expect(r.code).toBe(1);
      expect(r.json).toMatchObject({ cleanup: { bucketDeleted: false } });
      expect(r.stderr).toMatch(/cleanup failed .*: delete bucket oci-reencrypt-live-check-[0-9a-f]+ and its object versions by hand/);
      return;
    }
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toMatchObject({ ok: false, stoppedAt: { step: expect.any(String) }, cleanup: { bucketDeleted: true } });
    expect(scratchBuckets()).toEqual([]);
  });
});
