import { describe, expect, it } from 'vitest';
import { warmEmulator } from '../../bench/lib/cl-probe-raw-load';
import { EmulatorProcess } from '../src/process';

describe('the emulator in a process of its own (emulator/src/process.ts)', () => {
  for (const bundled of [false, true]) {
    it(`${bundled ? 'bundled by esbuild' : 'under tsx'}: set up through the admin surface, answers signed calls, stops cleanly`, async () => {
      const emu = await EmulatorProcess.start({ seed: 3, bundled });
      try {
        expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const compartmentId = (await emu.createCompartment({ name: 'c' })).id;
        const vault = await emu.createVault({ compartmentId });
        const key = await emu.createKey({ vaultId: vault.id, compartmentId });
        await emu.createBucket({ compartmentId, name: 'b', kmsKeyId: key.id, versioning: 'Enabled' });
        await emu.seedObjects('b', { count: 10, extraVersions: 1, prefix: 'o-', encryption: { kind: 'kms', keyId: key.id } });
        const rotated = await emu.rotateKey(key.id);
        expect(rotated.timeCreated).toBeInstanceOf(Date);
        expect(rotated.id).not.toBe(key.currentKeyVersion);
        expect(await emu.readEncryption('b', { includeVersions: true })).toHaveLength(20);
        expect(await emu.encryptionSummary('b', { includeVersions: true })).toEqual([{ kind: 'kms', keyId: key.id, keyVersionId: key.currentKeyVersion, count: 20 }]);

        // Signed ReencryptObject and ListObjectVersions calls (the benchmarks' warm-up driver): every one verified and answered 200.
        await emu.resetCounters();
        await warmEmulator(emu, emu.namespace, 100);
        const counters = await emu.getCounters();
        const reencrypt = counters.routes['ReencryptObject'];
        const list = counters.routes['ListObjectVersions'];
        expect((reencrypt?.statuses['200'] ?? 0) + (list?.statuses['200'] ?? 0)).toBe(100);
        expect(list?.calls).toBeGreaterThanOrEqual(1);
        expect(counters.totalCalls).toBe(100);

        await emu.resetCounters();
        expect((await emu.getCounters()).totalCalls).toBe(0);
        expect(await emu.setFaults({ global: { latencyMs: 5 } })).toEqual({ global: { latencyMs: 5 } });
      } finally {
        await emu.stop();
      }
      expect(emu.child.exitCode).toBe(0);
    });
  }
});
