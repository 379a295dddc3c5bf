/** A raw Object Storage client (real SDK, real resource-principal signing, no retries) pointed at the emulator. */
import * as common from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import type { Emulator } from '../../emulator/src/index';

export function rawObjectStorage(emu: Emulator, compartmentId: string): ObjectStorageClient {
  const env = emu.issueResourcePrincipal({ compartmentId });
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  let provider: common.ResourcePrincipalAuthenticationDetailsProvider;
  try {
    provider = common.ResourcePrincipalAuthenticationDetailsProvider.builder();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  const client = new ObjectStorageClient({ authenticationDetailsProvider: provider }, {
    retryConfiguration: { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) },
    circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true } as ConstructorParameters<typeof common.CircuitBreaker>[0]),
  });
  client.endpoint = emu.url;
  return client;
}
