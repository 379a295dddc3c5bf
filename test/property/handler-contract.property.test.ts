/**
 * The handler's contract under generated and hostile input (issue 8, item 5a),
 * in-process against the emulator: every answer is JSON, either ok:true or an
 * InvalidInput naming a field; never InternalError or a 502; the built-in
 * prototypes are untouched afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../src/decide/watermark';
import { continuationFor } from '../../src/engine/sweep';
import { fcParams } from '../support/fast-check';
import { expectContract, expectReportedAsSent, hostileBodies, prototypeSnapshot, type ContractOutcome, type Tenancy } from '../support/hostile-bodies';
import { startInProcess, type InProcess } from '../support/in-process';

describe('the handler under generated events and manual requests', () => {
  let h: InProcess;
  let tenancy: Tenancy;
  beforeAll(async () => {
    h = await startInProcess();
    const ns = h.emu.state.namespace;
    const hour = new Date(Date.now() - 3_600_000);
    h.emu.createBucket({ compartmentId: h.compartmentId, name: 'props-kms', kmsKeyId: h.keyId, versioning: 'Enabled' });
    h.emu.seedObjects('props-kms', { count: 4, prefix: 'seed/', timeModified: hour, encryption: { kind: 'kms', keyId: h.keyId }, extraVersions: 1, deleteMarkerEvery: 3 });
    h.emu.createBucket({ compartmentId: h.compartmentId, name: 'props-plain' });
    h.emu.seedObjects('props-plain', { count: 2, prefix: 'seed/', timeModified: hour });
    tenancy = {
      namespace: ns, buckets: ['props-kms', 'props-plain'], keyId: h.keyId, vaultId: h.vaultId, compartmentId: h.compartmentId,
      continuations: [
        continuationFor({ trigger: 'manual:bucket', namespace: ns, dryRun: true, watermark: EVERYTHING }, [{ name: 'props-kms', position: { offset: 0 } }]).token!,
        continuationFor({ trigger: 'rotation:com.oraclecloud.keymanagementservice.createkeyversion.end', namespace: ns, dryRun: true, watermark: EVERYTHING },
          [{ name: 'props-kms', position: { offset: 2, anchor: { name: 'seed/1' } } }, { name: 'no-such-bucket', position: { offset: 0 } }]).token!,
      ],
    };
  });
  afterAll(async () => h?.stop());

  it('answers every body with ok:true or an InvalidInput that names a field, and never touches the built-in prototypes', async () => {
    const prototypes = prototypeSnapshot();
    const seen: Record<ContractOutcome, number> = { ok: 0, 'invalid-input': 0 };
    await fc.assert(fc.asyncProperty(hostileBodies(tenancy), async ({ text }) => {
      const result = await h.invoke(text);
      const outcome = expectContract(result.body, text.slice(0, 300));
      // Through an HTTP gateway: 200 for a report, 400 for bad input.
      expect(result.status).toBe(outcome === 'ok' ? 200 : 400);
      seen[outcome] += 1;
      expectReportedAsSent(text, result.body);
      expect(prototypeSnapshot()).toBe(prototypes);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }), fcParams(300));
    // The generator reaches both sides of the contract.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen['invalid-input']).toBeGreaterThan(0);
  });

  it('every valid body (no mutation) is answered ok:true', async () => {
    await fc.assert(fc.asyncProperty(hostileBodies(tenancy).filter((b) => !b.mutated), async ({ text }) => {
      const result = await h.invoke(text);
      // The one valid request that cannot succeed here: a secret that does not exist, named as such.
      const secretRead = (result.body as { ok: boolean }).ok === false && text.includes('nosuchsecret');
      const expected = secretRead ? { ok: false, error: { code: 'InvalidInput', details: [{ field: 'sseCustomerKeySecretId' }] } } : { ok: true };
      expect(result.body, text.slice(0, 300)).toMatchObject(expected);
      expectReportedAsSent(text, result.body);
    }), fcParams(50));
  });
});
