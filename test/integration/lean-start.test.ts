import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNC_NODE } from '../../scripts/lib/fdk-process';
import { startStack, type Stack } from '../support/stack';

/**
 * What keeps a cold start short (bench/README.md, benchmark 6): the bundle builds the SDK's
 * request headers with its own Headers (src/oci/light-headers.ts, injected by
 * scripts/build.mjs), so a sweep never loads undici's fetch module, about a fifth of the
 * first call's CPU on Node 22. Anything in the bundle that reaches for the global
 * Headers, fetch, Request or Response brings it back; this test says so. Likewise sshpk (with asn1,
 * jsbn, tweetnacl: heap that stays for the container's life): resource-principal auth parses its session
 * key with node:crypto in the bundle (src/oci/pem-private-key.ts); sshpk would load node:assert.
 */
describe(`dist/func.js during a sweep on ${FUNC_NODE}`, () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { NODE_OPTIONS: `--require ${join(__dirname, '../support/loaded-modules-hook.cjs')}` } });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'lean', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('lean', { count: 5, extraVersions: 1, timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
  });
  afterAll(async () => s?.stop());

  it('re-encrypts without ever loading undici (fetch, Headers) or sshpk', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'lean' }), { deadlineMs: 60_000 });
    expect(r.json).toMatchObject({ ok: true, totals: { reencrypted: 10, failed: 0 } });
    s.fn.process.kill('SIGUSR2');
    let line: string | undefined;
    // A hang guard (counts, not a clock: up to 50 s for a starved process to answer the signal).
    for (let i = 0; i < 2000 && !line; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      line = s.fn.output.find((l) => l.startsWith('LOADED-MODULES '));
    }
    expect(JSON.parse((line ?? 'LOADED-MODULES null').slice('LOADED-MODULES '.length))).toEqual({ undici: false, assert: false });
  });
});
