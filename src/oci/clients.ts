import {
  DefaultRequestSigner, ResourcePrincipalAuthenticationDetailsProvider, isRegionProvider,
  type AuthenticationDetailsProvider, type ClientConfiguration, type HttpClient, type HttpRequest, type Region, type RequestSigner,
} from 'oci-common';
import type { FunctionsInvokeClient, FunctionsManagementClient } from 'oci-functions';
import type { KmsManagementClient, KmsVaultClient } from 'oci-keymanagement';
import type { MonitoringClient } from 'oci-monitoring';
import type { ObjectStorageClient } from 'oci-objectstorage';
import type { SecretsClient } from 'oci-secrets';
import type { Config } from '../config';
import { callContext, type ApiCallCounter, type CallState } from './call-context';
import { configFileProvider } from './config-file-auth';
import { DirectCall, type SdkOperation } from './direct-call';
import { OciCallError, toCallFailure } from './errors';
import { WireHttpClient } from './http-client';
import { deadlineRetryConfiguration } from './retry';
import { CachedKeyRequestSigner } from './signer';

/** The SDK clients of one container: built on first use, shared by every invocation. */
export interface OciClients {
  readonly objectStorage: ObjectStorageClient;
  readonly kmsVault: KmsVaultClient;
  kmsManagement(endpoint: string): KmsManagementClient;
  readonly secrets: SecretsClient;
  /** An invoke client per invoke endpoint (they are per application: there is no regional default). */
  functionsInvokeAt(endpoint: string): FunctionsInvokeClient;
  /** GetFunction, for self-discovery of the invoke endpoint. */
  readonly functionsManagement: FunctionsManagementClient;
  /** PostMetricData only (telemetry-ingestion); present when metrics are configured. */
  readonly monitoring: MonitoringClient | undefined;
  readonly signer: RequestSigner;
  /** The HTTP client every SDK client sends through (http-client.ts). */
  readonly httpClient: HttpClient;
}

/** The OCI clients as one invocation uses them: shared clients, its own counters and deadline. */
export interface Oci extends Omit<OciClients, 'signer' | 'httpClient'> {
  readonly apiCalls: ApiCallCounter;
  /**
   * Runs one SDK call with bounded retries that end before `hardStopAt`.
   * Throws OciCallError (never the SDK's raw objects).
   */
  call<T>(operation: string, fn: () => Promise<T>, options?: CallOptions): Promise<T>;
  /**
   * As `call`, for a request composed by our code as the SDK client method
   * `sdk` composes it (reencrypt-request.ts): the SDK's retrier sends it with
   * the same limits, counting and errors, without the SDK client method's
   * per-call work or an AsyncLocalStorage context (direct-call.ts). Resolves
   * with the 2xx response. `compose` runs inside the call, so what it throws
   * comes out as an OciCallError too.
   */
  callDirect(operation: string, sdk: SdkOperation, compose: () => HttpRequest, options?: CallOptions): Promise<Response>;
}

export interface CallOptions {
  readonly hardStopAt?: number;
  readonly maxAttempts?: number;
}

/** The resource principal in OCI Functions; the OCI config file for local runs. */
function authProvider(config: Config): AuthenticationDetailsProvider {
  return config.auth.type === 'config_file'
    ? configFileProvider(config.auth)
    : ResourcePrincipalAuthenticationDetailsProvider.builder();
}

/**
 * A provider that hands signing to another (a config file naming
 * instance-principal auth) keeps the SDK's signer. Ours computes the RSA
 * signature in libuv's threadpool: the same or less CPU per call, and the
 * main thread composes other requests meanwhile (bench/README.md, 9). The
 * benchmark's comparison builds (scripts/build.mjs --sdk-signer) sign with
 * the SDK's signer or on the main thread: OCI_REENCRYPT_SIGNER is a constant
 * in each bundle.
 */
function signerFor(provider: AuthenticationDetailsProvider): RequestSigner {
  if (provider.getAuthType?.() || process.env.OCI_REENCRYPT_SIGNER === 'sdk') return new DefaultRequestSigner(provider);
  return new CachedKeyRequestSigner(provider, { inThreadpool: process.env.OCI_REENCRYPT_SIGNER !== 'main-thread' });
}

/**
 * Each SDK client would otherwise create an opossum circuit breaker (kept
 * forever, with its timers and rolling stats); our HTTP client never uses one.
 */
export function clientConfiguration(): ClientConfiguration {
  return { retryConfiguration: deadlineRetryConfiguration(), circuitBreaker: { noCircuit: true, circuit: null } };
}

/** PostMetricData has its own host: the SDK's regional default (`telemetry.`) answers only the other operations. */
function telemetryIngestionEndpoint(region: Region | undefined): string | undefined {
  return region ? `https://telemetry-ingestion.${region.regionId}.${region.realm.secondLevelDomain}` : undefined;
}

function buildClients(config: Config): OciClients {
  const provider = authProvider(config);
  const signer = signerFor(provider);
  // The SDK takes either a provider or an HTTP client; with our client, the region comes from the provider.
  const httpClient = new WireHttpClient(signer);
  const params = { httpClient };
  const configuration = clientConfiguration();
  const region = isRegionProvider(provider) ? provider.getRegion() : undefined;
  const place = <C extends object>(client: C, endpoint: string | undefined): C => {
    // Every SDK client has `endpoint` and `region` setters.
    const settable = client as unknown as { endpoint: string; region: Region };
    if (endpoint) settable.endpoint = endpoint;
    else if (region) settable.region = region;
    return client;
  };
  // A client is built when first used, and its SDK package loaded then (required, not imported): most
  // invocations need one or two of them, and loading all four packages is a good part of a cold start.
  const lazy = <C>(build: () => C): (() => C) => {
    let built: { client: C } | undefined;
    return () => (built ??= { client: build() }).client;
  };
  const keyManagement = lazy(() => require('oci-keymanagement') as typeof import('oci-keymanagement'));
  const objectStorage = lazy(() => place(
    new (require('oci-objectstorage') as typeof import('oci-objectstorage')).ObjectStorageClient(params, configuration), config.endpoints.objectStorage));
  const kmsVault = lazy(() => place(new (keyManagement().KmsVaultClient)(params, configuration), config.endpoints.kmsVault));
  const secrets = lazy(() => place(
    new (require('oci-secrets') as typeof import('oci-secrets')).SecretsClient(params, configuration), config.endpoints.secrets));
  const functions = lazy(() => require('oci-functions') as typeof import('oci-functions'));
  const functionsManagement = lazy(() => place(new (functions().FunctionsManagementClient)(params, configuration), config.endpoints.functions));
  const monitoring = lazy(() => (config.metrics
    ? place(new (require('oci-monitoring') as typeof import('oci-monitoring')).MonitoringClient(params, configuration),
      config.endpoints.monitoring ?? telemetryIngestionEndpoint(region))
    : undefined));
  const management = new Map<string, KmsManagementClient>();
  const invokeClients = new Map<string, FunctionsInvokeClient>();
  return {
    get objectStorage() { return objectStorage(); },
    get kmsVault() { return kmsVault(); },
    get secrets() { return secrets(); },
    get functionsManagement() { return functionsManagement(); },
    get monitoring() { return monitoring(); },
    signer,
    httpClient,
    functionsInvokeAt(endpoint) {
      let client = invokeClients.get(endpoint);
      if (!client) {
        client = place(new (functions().FunctionsInvokeClient)(params, configuration), endpoint);
        invokeClients.set(endpoint, client);
      }
      return client;
    },
    kmsManagement(endpoint) {
      let client = management.get(endpoint);
      if (!client) {
        // KmsManagementClient has no regional endpoint: it is the vault's managementEndpoint.
        client = new (keyManagement().KmsManagementClient)(params, configuration);
        client.endpoint = endpoint;
        management.set(endpoint, client);
      }
      return client;
    },
  };
}

/** One set of clients per configuration object: the container loads its configuration once. */
const containerClients = new WeakMap<Config, OciClients>();

export function ociClients(config: Config): OciClients {
  let clients = containerClients.get(config);
  if (!clients) {
    clients = buildClients(config);
    containerClients.set(config, clients);
  }
  return clients;
}

/** The invocation's view of the container's clients: its own API-call counter and hard stop. */
export function createOci(config: Config, defaults: { hardStopAt: number }): Oci {
  const clients = ociClients(config);
  const apiCalls: ApiCallCounter = new Map();
  return {
    get objectStorage() { return clients.objectStorage; },
    get kmsVault() { return clients.kmsVault; },
    get secrets() { return clients.secrets; },
    get functionsManagement() { return clients.functionsManagement; },
    functionsInvokeAt: (endpoint) => clients.functionsInvokeAt(endpoint),
    get monitoring() { return clients.monitoring; },
    kmsManagement: (endpoint) => clients.kmsManagement(endpoint),
    apiCalls,
    call(operation, fn, options) {
      const state: CallState = { operation, ...limits(options), apiCalls, attempts: 0, outOfTime: false };
      return guarded(state, () => callContext.run(state, fn));
    },
    callDirect(operation, sdk, compose, options) {
      const { hardStopAt, maxAttempts } = limits(options);
      const call = new DirectCall(operation, hardStopAt, maxAttempts, apiCalls, clients.httpClient);
      return guarded(call, () => call.exchange(compose(), sdk));
    },
  };

  /** A call's limits: the invocation's hard stop unless told otherwise, never more attempts than configured. */
  function limits(options: CallOptions | undefined): { hardStopAt: number; maxAttempts: number } {
    return { hardStopAt: options?.hardStopAt ?? defaults.hardStopAt, maxAttempts: Math.min(options?.maxAttempts ?? config.maxAttempts, config.maxAttempts) };
  }
}

/** Runs a call's attempts unless its hard stop has passed; whatever fails comes out as an OciCallError. */
async function guarded<T>(state: CallState, attempts: () => Promise<T>): Promise<T> {
  if (Date.now() >= state.hardStopAt) {
    throw new OciCallError(state.operation, { message: 'not started: the invocation deadline is too close', outOfTime: true });
  }
  try {
    return await attempts();
  } catch (err) {
    throw new OciCallError(state.operation, toCallFailure(err, state.outOfTime || Date.now() >= state.hardStopAt), { cause: err });
  }
}
