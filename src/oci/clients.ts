import {
  DefaultRequestSigner, ResourcePrincipalAuthenticationDetailsProvider, isRegionProvider,
  type AuthenticationDetailsProvider, type ClientConfiguration, type Region,
} from 'oci-common';
import { FunctionsInvokeClient } from 'oci-functions';
import { KmsManagementClient, KmsVaultClient } from 'oci-keymanagement';
import { MonitoringClient } from 'oci-monitoring';
import { ObjectStorageClient } from 'oci-objectstorage';
import { SecretsClient } from 'oci-secrets';
import type { Config } from '../config';
import { configFileProvider } from './config-file-auth';
import { callContext, type CallState } from './call-context';
import { OciCallError, toCallFailure } from './errors';
import { DeadlineHttpClient, type ApiCallCounter } from './http-client';
import { deadlineRetryConfiguration } from './retry';

/** The OCI clients of one invocation, and the one way to call them. */
export interface Oci {
  readonly objectStorage: ObjectStorageClient;
  readonly kmsVault: KmsVaultClient;
  kmsManagement(endpoint: string): KmsManagementClient;
  readonly secrets: SecretsClient;
  readonly functionsInvoke: FunctionsInvokeClient | undefined;
  /** PostMetricData only (telemetry-ingestion); present when metrics are configured. */
  readonly monitoring: MonitoringClient | undefined;
  readonly apiCalls: ApiCallCounter;
  /**
   * Runs one SDK call with bounded retries that end before `hardStopAt`.
   * Throws OciCallError (never the SDK's raw objects).
   */
  call<T>(operation: string, fn: () => Promise<T>, options?: { hardStopAt?: number }): Promise<T>;
}

let cachedProvider: { key: string; provider: AuthenticationDetailsProvider } | undefined;

/** The resource principal in OCI Functions; the OCI config file for local runs. */
function authProvider(config: Config): AuthenticationDetailsProvider {
  const key = JSON.stringify(config.auth);
  if (cachedProvider?.key === key) return cachedProvider.provider;
  const provider = config.auth.type === 'config_file'
    ? configFileProvider(config.auth)
    : ResourcePrincipalAuthenticationDetailsProvider.builder();
  cachedProvider = { key, provider };
  return provider;
}

/** PostMetricData has its own host: the SDK's regional default (`telemetry.`) answers only the other operations. */
function telemetryIngestionEndpoint(region: Region | undefined): string | undefined {
  return region ? `https://telemetry-ingestion.${region.regionId}.${region.realm.secondLevelDomain}` : undefined;
}

export function createOci(config: Config, defaults: { hardStopAt: number }): Oci {
  const provider = authProvider(config);
  const apiCalls: ApiCallCounter = new Map();
  const clientConfiguration: ClientConfiguration = { retryConfiguration: deadlineRetryConfiguration() };
  const httpClient = new DeadlineHttpClient(new DefaultRequestSigner(provider), apiCalls);
  // The SDK takes either a provider or an HTTP client; with our client, the region comes from the provider.
  const params = { httpClient };
  const region = isRegionProvider(provider) ? provider.getRegion() : undefined;
  const place = <C extends object>(client: C, endpoint: string | undefined): C => {
    // Every SDK client has `endpoint` and `region` setters.
    const settable = client as unknown as { endpoint: string; region: Region };
    if (endpoint) settable.endpoint = endpoint;
    else if (region) settable.region = region;
    return client;
  };

  const objectStorage = place(new ObjectStorageClient(params, clientConfiguration), config.endpoints.objectStorage);
  const kmsVault = place(new KmsVaultClient(params, clientConfiguration), config.endpoints.kmsVault);
  const secrets = place(new SecretsClient(params, clientConfiguration), config.endpoints.secrets);
  // Functions invoke endpoints are per application: there is no regional default.
  const functionsInvoke = config.endpoints.functionsInvoke
    ? place(new FunctionsInvokeClient(params, clientConfiguration), config.endpoints.functionsInvoke)
    : undefined;
  const monitoring = config.metrics
    ? place(new MonitoringClient(params, clientConfiguration), config.endpoints.monitoring ?? telemetryIngestionEndpoint(region))
    : undefined;
  const management = new Map<string, KmsManagementClient>();

  return {
    objectStorage, kmsVault, secrets, functionsInvoke, monitoring, apiCalls,
    kmsManagement(endpoint) {
      let client = management.get(endpoint);
      if (!client) {
        // KmsManagementClient has no regional endpoint: it is the vault's managementEndpoint.
        client = new KmsManagementClient(params, clientConfiguration);
        client.endpoint = endpoint;
        management.set(endpoint, client);
      }
      return client;
    },
    async call(operation, fn, options) {
      const state: CallState = {
        operation, hardStopAt: options?.hardStopAt ?? defaults.hardStopAt, maxAttempts: config.maxAttempts, attempts: 0, outOfTime: false,
      };
      if (Date.now() >= state.hardStopAt) {
        throw new OciCallError(operation, { message: 'not started: the invocation deadline is too close', outOfTime: true });
      }
      try {
        return await callContext.run(state, fn);
      } catch (err) {
        throw new OciCallError(operation, toCallFailure(err, state.outOfTime || Date.now() >= state.hardStopAt), { cause: err });
      }
    },
  };
}
