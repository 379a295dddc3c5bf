/**
 * A small tenancy on the emulator for rehearsing docs/operations.md: a
 * deployed function (dist/func.js under the FDK, event rules wired, metrics
 * on), a Vault key, a versioned bucket under it with 500 old objects
 * (reports/2026/000.csv ...), one archived and one under a customer key (held
 * in a Vault secret), a state bucket for durable runs, and an OCI config file
 * with an API-key profile.
 * `env` holds the shell variables the runbook's commands use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeApiKeyConfig } from '../../test/support/cli';
import { startStack, STATE_BUCKET, type Stack } from '../../test/support/stack';

export const REHEARSAL_BUCKET = 'finance-data';
export const REHEARSAL_OBJECTS = 500;

export interface Rehearsal {
  readonly stack: Stack;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startRehearsal(): Promise<Rehearsal> {
  // Durable runs, as the Terraform module deploys by default: a state bucket keeps runs and reports.
  const stack = await startStack({
    eventRules: true, env: { REENCRYPT_METRICS_NAMESPACE: 'reencrypt' },
    runs: { checkpointSeconds: 2, detachedTimeoutSeconds: 60, maxProcesses: 2 },
  });
  const { emu } = stack;
  const hourAgo = new Date(Date.now() - 3_600_000);
  // An object under a customer-provided key, and that key in a Vault secret (never printed).
  const customerKey = randomBytes(32);
  const customerKeySha256 = createHash('sha256').update(customerKey).digest('base64');
  const sseCSecretId = emu.createSecret({ compartmentId: stack.compartmentA, base64Content: customerKey.toString('base64') });
  emu.createBucket({ compartmentId: stack.compartmentA, name: REHEARSAL_BUCKET, kmsKeyId: stack.keyId, versioning: 'Enabled', objectEventsEnabled: true });
  emu.seedObjects(REHEARSAL_BUCKET, { count: REHEARSAL_OBJECTS, prefix: 'reports/2026/', suffix: '.csv', timeModified: hourAgo, encryption: { kind: 'kms', keyId: stack.keyId } });
  emu.seedObjects(REHEARSAL_BUCKET, [
    { name: 'cold/2019-archive.tar', timeModified: hourAgo, storageTier: 'Archive', archivalState: 'Archived', encryption: { kind: 'kms', keyId: stack.keyId } },
    { name: 'customer-key/secret.bin', timeModified: hourAgo, encryption: { kind: 'sse-c', keySha256: customerKeySha256 } },
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
    SSE_C_SECRET_ID: sseCSecretId,
    STATE_BUCKET,
    // live-check: the emulator delivers events at once; no need to poll at OCI's pace or wait for late events.
    OCI_REENCRYPT_LIVE_CHECK_POLL_MS: '50',
    OCI_REENCRYPT_LIVE_CHECK_EVENT_GRACE: '0',
  };
  return { stack, env, stop: () => stack.stop() };
}
