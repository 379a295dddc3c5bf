import * as common from 'oci-common';
import { FunctionsInvokeClient } from 'oci-functions';
import { KmsManagementClient, KmsVaultClient } from 'oci-keymanagement';
import { ObjectStorageClient } from 'oci-objectstorage';
import { SecretsClient } from 'oci-secrets';
import { vi } from 'vitest';
import { type Emulator, type EmulatorOptions, type ResourcePrincipalEnv, startEmulator } from '../src/index';

export const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaatestcompartment';

/** Build the real resource-principal provider from env vars (it reads process.env). */
export function providerFromEnv(env: ResourcePrincipalEnv): common.ResourcePrincipalAuthenticationDetailsProvider {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(env)) {
    saved[k] = process.env[k];
    process.env[k] = env[k];
  }
  try {
    return common.ResourcePrincipalAuthenticationDetailsProvider.builder();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** No retries and no circuit breaker: every emulator answer reaches the test. */
export const rawConfig: common.ClientConfiguration = {
  retryConfiguration: {
    terminationStrategy: new common.MaxAttemptsTerminationStrategy(1),
  },
  circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true } as ConstructorParameters<typeof common.CircuitBreaker>[0]),
};

export interface Clients {
  os: ObjectStorageClient;
  vault: KmsVaultClient;
  kms: KmsManagementClient;
  secrets: SecretsClient;
  fn: FunctionsInvokeClient;
  provider: common.ResourcePrincipalAuthenticationDetailsProvider;
}

export function clientsFor(emu: Emulator, compartmentId = COMPARTMENT): Clients {
  const provider = providerFromEnv(emu.issueResourcePrincipal({ compartmentId }));
  const make = <T extends { endpoint: string }>(C: new (p: { authenticationDetailsProvider: common.AuthenticationDetailsProvider }, c?: common.ClientConfiguration) => T): T => {
    const client = new C({ authenticationDetailsProvider: provider }, rawConfig);
    client.endpoint = emu.url;
    return client;
  };
  return {
    os: make(ObjectStorageClient),
    vault: make(KmsVaultClient),
    kms: make(KmsManagementClient),
    secrets: make(SecretsClient),
    fn: make(FunctionsInvokeClient),
    provider,
  };
}

export async function start(options: EmulatorOptions = {}): Promise<{ emu: Emulator; c: Clients; ns: string }> {
  quietSdk();
  const emu = await startEmulator(options);
  return { emu, c: clientsFor(emu), ns: emu.state.namespace };
}

/** Run a promise that must fail with an OciError; return its statusCode and serviceCode. */
export async function failure(p: Promise<unknown>): Promise<{ statusCode: number; serviceCode: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode?: number; serviceCode?: string };
    return { statusCode: err.statusCode ?? -1, serviceCode: err.serviceCode ?? '' };
  }
  throw new Error('expected the call to fail');
}

/** The SDK console.warn()s every failed call; tests that expect failures silence it. */
export function quietSdk(): void {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}
