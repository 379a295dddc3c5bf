/**
 * A small tenancy on the emulator for rehearsing docs/operations.md: a
 * deployed function (dist/func.js under the FDK, event rules wired, metrics
 * on), a Vault key, a versioned bucket under it with old objects (one
 * archived, one SSE-C), and an OCI config file with an API-key profile.
 * `env` holds the shell variables the runbook's commands use.
 */
import { writeApiKeyConfig } from '../../test/support/cli';
import { startStack, type Stack } from '../../test/support/stack';

export const REHEARSAL_BUCKET = 'finance-data';
export const REHEARSAL_OBJECTS = 500;

export interface Rehearsal {
  readonly stack: Stack;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startRehearsal(): Promise<Rehearsal> {
  const stack = await startStack({ eventRules: true, env: { REENCRYPT_METRICS_NAMESPACE: 'reencrypt' } });
  const { emu } = stack;
  const hourAgo = new Date(Date.now() - 3_600_000);
  emu.createBucket({ compartmentId: stack.compartmentA, name: REHEARSAL_BUCKET, kmsKeyId: stack.keyId, versioning: 'Enabled', objectEventsEnabled: true });
  emu.seedObjects(REHEARSAL_BUCKET, { count: REHEARSAL_OBJECTS, prefix: 'reports/2026/', suffix: '.csv', timeModified: hourAgo, encryption: { kind: 'kms', keyId: stack.keyId } });
  emu.seedObjects(REHEARSAL_BUCKET, [
    { name: 'cold/2019-archive.tar', timeModified: hourAgo, storageTier: 'Archive', archivalState: 'Archived', encryption: { kind: 'kms', keyId: stack.keyId } },
    { name: 'customer-key/secret.bin', timeModified: hourAgo, encryption: { kind: 'sse-c', keySha256: 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' } },
  ]);
  const config = writeApiKeyConfig(emu);
  const env = {
    OCI_CLI_CONFIG_FILE: config.path,
    OCI_REENCRYPT_ENDPOINT: emu.url,
    NAMESPACE: stack.namespace,
    COMPARTMENT_ID: stack.compartmentA,
    VAULT_ID: stack.vaultId,
    KEY_ID: stack.keyId,
    BUCKET: REHEARSAL_BUCKET,
    FUNCTION_ID: stack.functionId,
    INVOKE_ENDPOINT: emu.url,
  };
  return { stack, env, stop: () => stack.stop() };
}
