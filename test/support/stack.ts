/**
 * The whole loop for end-to-end tests: the emulator in-process, the built
 * dist/func.js under the FDK in a child process (real SDK, real signing with
 * an emulator-issued resource principal), registered with the emulator so
 * Events rules and Functions invoke reach it.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/src/index';
import { EventTypes } from '../../src/input/event-types';
import { startFunction, type RunningFunction } from './fdk-process';

export interface Stack {
  readonly emu: Emulator;
  readonly fn: RunningFunction;
  readonly functionId: string;
  readonly compartmentA: string;
  readonly compartmentB: string;
  readonly vaultId: string;
  readonly keyId: string;
  readonly namespace: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly emulator?: EmulatorOptions;
  /** Extra function configuration (environment). */
  readonly env?: Record<string, string>;
  /** Wire the event rules (uploads, rotations, bucket updates) to the function. */
  readonly eventRules?: boolean;
  readonly timeoutSeconds?: number;
  /** The function bundle and the Node binary that runs it (benchmarks compare builds and Node versions). */
  readonly script?: string;
  readonly node?: string;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emu = await startEmulator(options.emulator);
  const compartmentA = emu.createCompartment({ name: 'finance' }).id;
  const compartmentB = emu.createCompartment({ name: 'analytics' }).id;
  const vault = emu.createVault({ compartmentId: compartmentA, displayName: 'finance-vault' });
  const key = emu.createKey({ vaultId: vault.id, compartmentId: compartmentA, displayName: 'finance-master-key' });
  const principal = emu.issueResourcePrincipal({ compartmentId: compartmentA });
  // Chosen up front so the function knows its own OCID (FN_FN_ID), as on the platform.
  const functionId = `ocid1.fnfunc.oc1.phx.aaaaaaaa${randomBytes(12).toString('hex')}`;
  const fn = await startFunction({
    ...principal,
    FN_FN_ID: functionId,
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
    ...options.env,
  }, options.script, options.node);
  emu.registerFunction({ functionId, socketPath: fn.socketPath, timeoutSeconds: options.timeoutSeconds ?? 120 });
  if (options.eventRules) {
    emu.addEventRule({ eventTypes: [EventTypes.createObject], functionId });
    emu.addEventRule({ eventTypes: [EventTypes.autoKeyRotateEnd, EventTypes.createKeyVersionEnd], functionId });
    emu.addEventRule({ eventTypes: [EventTypes.updateBucket], functionId });
  }
  return {
    emu, fn, functionId, compartmentA, compartmentB, vaultId: vault.id, keyId: key.id, namespace: emu.state.namespace,
    async stop() {
      await fn.stop();
      await emu.stop();
    },
  };
}

/** Counts of object versions by (kind, key version) in a bucket, delete markers aside. */
export function keyVersionCounts(emu: Emulator, bucket: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of emu.iterateEncryption(bucket, { includeVersions: true })) {
    if (row.isDeleteMarker) continue;
    const label = row.encryption.kind === 'kms' ? `kms:${row.encryption.keyVersionId}` : row.encryption.kind;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}
