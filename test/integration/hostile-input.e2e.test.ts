/**
 * A sample of the generated hostile bodies (issue 8, item 5a) through
 * dist/func.js under the FDK: every call is answered with JSON that keeps the
 * contract, and the one process serves them all and stays up. The bulk of the
 * cases runs in-process (test/property/handler-contract.property.test.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING } from '../../src/decide/watermark';
import { continuationFor } from '../../src/engine/sweep';
import { fcParams } from '../support/fast-check';
import { expectContract, expectReportedAsSent, hostileBodies, type Tenancy } from '../support/hostile-bodies';
import { startStack, type Stack } from '../support/stack';

const PARAMS = fcParams(40);

describe('dist/func.js under generated hostile bodies', () => {
  let s: Stack;
  let tenancy: Tenancy;
  beforeAll(async () => {
    s = await startStack();
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'hostile-kms', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('hostile-kms', { count: 3, prefix: 'seed/', timeModified: new Date(Date.now() - 3_600_000), encryption: { kind: 'kms', keyId: s.keyId } });
    tenancy = {
      namespace: s.namespace, buckets: ['hostile-kms'], keyId: s.keyId, vaultId: s.vaultId, compartmentId: s.compartmentA,
      continuations: [continuationFor({ trigger: 'manual:bucket', namespace: s.namespace, dryRun: true, watermark: EVERYTHING }, [{ name: 'hostile-kms', position: { offset: 0 } }]).token!],
    };
  });
  afterAll(async () => s?.stop());

  it('answers each with JSON that keeps the contract, in one process that stays alive', async () => {
    const pid = s.fn.process.pid;
    await fc.assert(fc.asyncProperty(hostileBodies(tenancy), async ({ text }) => {
      const r = await s.fn.call(text);
      expect(r.status, text.slice(0, 300)).toBe(200);
      expect(r.json, r.text.slice(0, 300)).toBeDefined();
      expectContract(r.json, text.slice(0, 300));
      expectReportedAsSent(text, r.json);
    }), PARAMS);
    expect(s.fn.process.exitCode).toBeNull();
    expect(s.fn.process.pid).toBe(pid);
    const after = await s.fn.call(JSON.stringify({ bucketName: 'hostile-kms', dryRun: true }));
    expect(after.json).toMatchObject({ ok: true, complete: true });
  }, 60_000 + (PARAMS.numRuns ?? 40) * 500);
});
