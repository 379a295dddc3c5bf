/**
 * The re-encryption benchmarks' stack with the emulator in a child process of its own
 * (emulator/src/process.ts) instead of in this one: the function (dist/func.js under the FDK)
 * configured as test/support/stack.ts configures it, the emulator set up through its admin surface.
 * The emulator's CPU is then its process's, apart from this harness's.
 */
import { randomBytes } from 'node:crypto';
import { EmulatorProcess, type EmulatorProcessOptions } from '../../emulator/src/process';
import { startFunction, type RunningFunction } from '../../test/support/fdk-process';

export interface ProcessStack {
  readonly emu: EmulatorProcess;
  readonly fn: RunningFunction;
  readonly compartmentA: string;
  readonly keyId: string;
  stop(): Promise<void>;
}

export async function startProcessStack(options: { env?: Record<string, string>; script?: string; node?: string; emulator?: EmulatorProcessOptions }): Promise<ProcessStack> {
  const emu = await EmulatorProcess.start(options.emulator);
  try {
    const compartmentA = (await emu.createCompartment({ name: 'finance' })).id;
    const compartmentB = (await emu.createCompartment({ name: 'analytics' })).id;
    const vault = await emu.createVault({ compartmentId: compartmentA, displayName: 'finance-vault' });
    const key = await emu.createKey({ vaultId: vault.id, compartmentId: compartmentA, displayName: 'finance-master-key' });
    const principal = await emu.issueResourcePrincipal({ compartmentId: compartmentA });
    const fn = await startFunction({
      ...principal,
      FN_FN_ID: `ocid1.fnfunc.oc1.phx.aaaaaaaa${randomBytes(12).toString('hex')}`,
      REENCRYPT_OBJECTSTORAGE_ENDPOINT: emu.url,
      REENCRYPT_KMS_VAULT_ENDPOINT: emu.url,
      REENCRYPT_SECRETS_ENDPOINT: emu.url,
      REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: emu.url,
      REENCRYPT_MONITORING_ENDPOINT: emu.url,
      REENCRYPT_METRICS_COMPARTMENT_ID: compartmentA,
      REENCRYPT_COMPARTMENT_IDS: `${compartmentA},${compartmentB}`,
      REENCRYPT_VAULT_IDS: vault.id,
      REENCRYPT_CLOCK_SKEW_SECONDS: '0',
      REENCRYPT_SAFETY_MARGIN_SECONDS: '2',
      REENCRYPT_SELF_INVOKE: 'false',
      ...options.env,
    }, options.script, options.node);
    return {
      emu, fn, compartmentA, keyId: key.id,
      async stop() {
        await fn.stop();
        await emu.stop();
      },
    };
  } catch (e) {
    await emu.stop();
    throw e;
  }
}
