import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Assumptions, resolveAssumptions } from './assumptions';
import { type ApiKeyPrincipal, Authenticator, type ResourcePrincipalEnv } from './auth';
import { adminRoutes } from './admin';
import { ApiError, EmulatorUsageError } from './errors';
import { type DeliveryRecord, type EventRule, type EventRuleInput, EventsService, type EventsOptions, type OciEvent } from './events';
import { type CountersSnapshot, Counters, type FaultConfig, FaultInjector, type FaultSettings } from './faults';
import { FunctionsService, type InvocationRecord, type RegisterFunctionInput } from './functions';
import { type Reply, type RequestContext, type Route, Query, decodeComponent, errorReply, readBody, sendReply } from './http';
import { MonitoringService, type PostedMetric } from './monitoring';
import { functionsRoutes } from './routes/functions';
import { bucketDeleteRoutes } from './routes/bucket-delete';
import { eventsRoutes } from './routes/events';
import { monitoringRoutes } from './routes/monitoring';
import { notificationsRoutes } from './routes/notifications';
import { objectStorageRoutes } from './routes/objectstorage';
import { streamingRoutes } from './routes/streaming';
import { vaultRoutes } from './routes/vault';
import type { Services } from './services';
import { type BucketRec, type CompartmentRec, type CreateBucketInput, type CreateSecretInput, EmulatorState, type UpdateBucketInput } from './state';
import type { EncryptionRow, EncryptionSummaryRow, ReadEncryptionOptions, SeedGenerator, SeedObject, SeedResult } from './types';
import { LatencyInjector } from './latency';
import { newRequestId } from './util';
import { WorkRequestRunner, type WorkRequestOptions } from './work-requests';

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1 (default 0: any free port). */
  port?: number;
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  /** Region id (default us-phoenix-1). */
  region?: string;
  /** Object Storage namespace (default emulatorns). */
  namespace?: string;
  /** Tenancy OCID (default: a fixed emulator tenancy). */
  tenancyId?: string;
  /** Initial fault and latency settings. */
  faults?: FaultSettings;
  /** Largest accepted difference between a request's date and the server clock (default 300 s). */
  clockSkewToleranceSeconds?: number;
  /** ReencryptBucket work-request pacing. */
  workRequests?: WorkRequestOptions;
  /** Events delivery and Streaming/Events lifecycle pacing (default: at once). */
  events?: EventsOptions;
  /** Override unverified behaviours (see assumptions.ts). */
  assumptions?: Partial<Assumptions>;
  /** Log each API request to stderr. */
  log?: boolean;
}

export interface VaultInfo {
  id: string;
  compartmentId: string;
  displayName: string;
  managementEndpoint: string;
  cryptoEndpoint: string;
}

export interface KeyInfo {
  id: string;
  vaultId: string;
  compartmentId: string;
  displayName: string;
  currentKeyVersion: string;
}

export interface KeyVersionInfo {
  id: string;
  keyId: string;
  vaultId: string;
  timeCreated: Date;
}

export interface BucketInfo {
  id: string;
  name: string;
  namespace: string;
  compartmentId: string;
  kmsKeyId: string | undefined;
  versioning: string;
  objectEventsEnabled: boolean;
  etag: string;
}

const DEFAULT_TENANCY = 'ocid1.tenancy.oc1..aaaaaaaaemulatortenancy';

/** A running emulator. Build it with `startEmulator`. */
export class Emulator {
  readonly state: EmulatorState;
  readonly auth: Authenticator;
  readonly faults: FaultInjector;
  readonly counters = new Counters();
  readonly functions: FunctionsService;
  readonly events: EventsService;
  readonly workRequests: WorkRequestRunner;
  readonly monitoring: MonitoringService;
  /** Injected latency, from each request's arrival (A32). */
  readonly latency = new LatencyInjector();
  private readonly routes: Route[];
  private readonly admin: Route[];
  private server: Server | undefined;
  private readonly log: boolean;

  constructor(options: EmulatorOptions = {}) {
    const assumptions = resolveAssumptions(options.assumptions);
    const region = options.region ?? 'us-phoenix-1';
    const tenancyId = options.tenancyId ?? DEFAULT_TENANCY;
    this.state = new EmulatorState(region, options.namespace ?? 'emulatorns', tenancyId, assumptions);
    this.auth = new Authenticator(region, tenancyId, options.clockSkewToleranceSeconds ?? 300, assumptions.acceptLegacyEscapedTarget);
    this.faults = new FaultInjector(options.seed ?? 1, options.faults);
    this.functions = new FunctionsService(region, assumptions);
    const eventsOptions: Required<EventsOptions> = { deliveryDelayMs: 0, lifecycleDelayMs: 0, ...options.events };
    this.events = new EventsService(this.state, this.functions, assumptions, eventsOptions);
    this.state.events = this.events;
    this.workRequests = new WorkRequestRunner(this.state, options.workRequests);
    const services: Services = { state: this.state, workRequests: this.workRequests, functions: this.functions, events: this.events };
    this.monitoring = new MonitoringService(assumptions);
    this.routes = [...objectStorageRoutes(services), ...vaultRoutes(services), ...functionsRoutes(services), ...monitoringRoutes(this.monitoring), ...notificationsRoutes(services), ...bucketDeleteRoutes(services),
      ...streamingRoutes(services, eventsOptions), ...eventsRoutes(services, eventsOptions)];
    this.admin = adminRoutes(this);
    this.log = options.log ?? false;
  }

  get url(): string {
    return this.state.url;
  }

  async listen(port = 0): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.functions.url = this.state.url;
  }

  async stop(): Promise<void> {
    this.workRequests.stop();
    await this.functions.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  // ---- request pipeline ---------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedAt = this.latency.arrival();
    const requestId = newRequestId();
    const clientRequestId = req.headers['opc-request-id'];
    res.setHeader('opc-request-id', typeof clientRequestId === 'string' ? `${clientRequestId}/${requestId}` : requestId);
    const clientId = req.headers['opc-client-request-id'];
    if (typeof clientId === 'string') res.setHeader('opc-client-request-id', clientId);
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    let operation = 'Unknown';
    try {
      const body = await readBody(req);
      if (path.startsWith('/_emulator/') || path === '/_emulator') {
        operation = 'Admin';
        const match = this.match(this.admin, method, path);
        if (!match) throw new ApiError(404, 'NotFound', `No admin route ${method} ${path}`);
        const ctx = this.context(req, method, path, rawQuery, match.params, body, undefined, requestId);
        sendReply(res, method, await match.route.handler(ctx));
        return;
      }
      const match = this.match(this.routes, method, path);
      if (!match) {
        this.counters.call(operation);
        // OCI's answer to a path it does not serve; the message says plainly that this is the emulator, not a permission.
        throw new ApiError(404, 'NotAuthorizedOrNotFound',
          `The OCI emulator does not model ${method} ${path}: this is not a permissions problem. emulator/README.md ("What it models") lists the operations that exist`);
      }
      const { route } = match;
      operation = route.operation;
      this.counters.call(operation);
      const principal = this.auth.verify({ method, target, headers: req.headers, body, bodyExempt: route.bodyExempt ?? false });
      const bucketMatch = /^\/n\/[^/]+\/b\/([^/]+)/.exec(path);
      const decision = this.faults.decide(operation, bucketMatch ? decodeComponent(bucketMatch[1] ?? '', 'path') : undefined);
      const wait = this.latency.waitFrom(arrivedAt, decision.delayMs);
      if (wait) await wait;
      if (decision.fault) {
        this.counters.fault(operation, decision.fault);
        if (decision.fault === 'drop') {
          req.socket.destroy();
          return;
        }
        const fault = {
          '429': new ApiError(429, 'TooManyRequests', 'Too many requests for the tenancy', { 'retry-after': String(decision.retryAfterSeconds) }),
          '500': new ApiError(500, 'InternalServerError', 'Internal server error (injected)'),
          '503': new ApiError(503, 'ServiceUnavailable', 'The service is currently unavailable (injected)'),
        }[decision.fault];
        throw fault;
      }
      const ctx = this.context(req, method, path, rawQuery, match.params, body, principal, requestId);
      const reply = await route.handler(ctx);
      if (route.write && reply.status < 300 && !reply.replayed) this.counters.write(operation);
      if (decision.late && reply.status < 300) {
        this.counters.fault(operation, decision.late);
        if (decision.late === 'lateDrop') {
          req.socket.destroy();
          return;
        }
        throw new ApiError(500, 'InternalServerError', 'Internal server error (injected after the operation took effect)');
      }
      this.answer(res, method, operation, reply);
    } catch (e) {
      let reply: Reply;
      if (e instanceof ApiError) reply = errorReply(e);
      else if (e instanceof EmulatorUsageError) reply = errorReply(new ApiError(400, 'InvalidParameter', e.message));
      else {
        process.stderr.write(`[emulator] ${method} ${path} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        reply = errorReply(new ApiError(500, 'InternalServerError', 'Internal server error'));
      }
      if (!res.headersSent && !res.destroyed) this.answer(res, method, operation, reply);
    }
  }

  private answer(res: ServerResponse, method: string, operation: string, reply: Reply): void {
    if (!this.isAdmin(operation)) this.counters.status(operation, reply.status);
    if (this.log) process.stderr.write(`[emulator] ${method} ${operation} -> ${reply.status}\n`);
    sendReply(res, method, reply);
  }

  private isAdmin(operation: string): boolean {
    return operation.startsWith('Admin');
  }

  private match(routes: Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of routes) {
      if (route.method !== method) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      return { route, params: m.slice(1).map((p) => decodeComponent(p ?? '', 'path')) };
    }
    return undefined;
  }

  private context(req: IncomingMessage, method: string, path: string, rawQuery: string, params: string[], body: Buffer, principal: RequestContext['principal'], requestId: string): RequestContext {
    return { req, method, path, params, query: new Query(rawQuery, this.state.assumptions.plusInQueryIsSpace), headers: req.headers, body, principal, requestId };
  }

  // ---- in-process helpers (also on the admin HTTP surface) -----------------

  issueResourcePrincipal(input: { tenancyId?: string; compartmentId: string; ttlSeconds?: number }): ResourcePrincipalEnv {
    return this.auth.issueResourcePrincipal(input);
  }

  registerApiKey(input: { tenancyId?: string; userId: string; fingerprint?: string; publicKeyPem?: string }): ApiKeyPrincipal {
    return this.auth.registerApiKey(input);
  }

  createCompartment(input: { name?: string; parentId?: string; id?: string } = {}): CompartmentRec {
    return this.state.createCompartment(input);
  }

  createVault(input: { compartmentId: string; displayName?: string }): VaultInfo {
    const v = this.state.createVault(input);
    return { id: v.id, compartmentId: v.compartmentId, displayName: v.displayName, managementEndpoint: this.url, cryptoEndpoint: this.url };
  }

  createKey(input: { vaultId: string; compartmentId?: string; displayName?: string }): KeyInfo {
    const k = this.state.createKey(input);
    return { id: k.id, vaultId: k.vaultId, compartmentId: k.compartmentId, displayName: k.displayName, currentKeyVersion: this.state.currentKeyVersion(k).id };
  }

  /**
   * Same as CreateKeyVersion: a new current version, and the createkeyversion
   * events. With `{ automatic: true }`: an automatic rotation (autokeyrotate events).
   */
  rotateKey(keyId: string, options: { automatic?: boolean } = {}): KeyVersionInfo {
    const v = this.state.rotateKey(keyId, options.automatic ?? false);
    return { id: v.id, keyId: v.keyId, vaultId: v.vaultId, timeCreated: new Date(v.timeCreated) };
  }

  /**
   * An automatic rotation that fails: `autokeyrotate.begin` and `.end` are
   * emitted (Oracle emits `.end` for failures too) and no key version is
   * created. The event layout is assumption A22.
   */
  failAutomaticRotation(keyId: string): void {
    const key = this.state.keys.get(keyId);
    if (!key) throw new EmulatorUsageError(`no key ${keyId}`);
    this.events.keyRotationFailed(key);
  }

  /** Current key version OCID of a key. */
  currentKeyVersion(keyId: string): string {
    const k = this.state.keys.get(keyId);
    if (!k) throw new EmulatorUsageError(`no key ${keyId}`);
    return this.state.currentKeyVersion(k).id;
  }

  createSecret(input: CreateSecretInput): string {
    return this.state.createSecret(input).id;
  }

  createBucket(input: CreateBucketInput): BucketInfo {
    return bucketInfo(this.state.createBucket(input));
  }

  updateBucket(name: string, input: UpdateBucketInput): BucketInfo {
    return bucketInfo(this.state.updateBucket(name, input));
  }

  getBucket(name: string): BucketInfo {
    return bucketInfo(this.state.bucket(name));
  }

  seedObjects(bucket: string, input: SeedObject[] | SeedGenerator): SeedResult {
    return this.state.seedObjects(bucket, input);
  }

  readEncryption(bucket: string, options: ReadEncryptionOptions = {}): EncryptionRow[] {
    return this.state.readEncryption(bucket, options);
  }

  iterateEncryption(bucket: string, options: ReadEncryptionOptions = {}): Generator<EncryptionRow> {
    return this.state.iterateEncryption(bucket, options);
  }

  encryptionSummary(bucket: string, options: ReadEncryptionOptions = {}): EncryptionSummaryRow[] {
    return this.state.encryptionSummary(bucket, options);
  }

  getCounters(): CountersSnapshot {
    return this.counters.snapshot();
  }

  /**
   * How many versions of a bucket (delete markers aside) had how many successful
   * ReencryptObject calls since the last counter reset: `{ "1": n }` means every one exactly once.
   */
  reencryptCallHistogram(bucket: string): Record<string, number> {
    const store = this.state.bucket(bucket).store;
    const histogram: Record<string, number> = {};
    for (const name of store.namesFrom(0)) {
      for (const v of store.versions(name) ?? []) {
        if (v.isDeleteMarker) continue;
        const calls = String(this.state.reencryptCalls.get(v) ?? 0);
        histogram[calls] = (histogram[calls] ?? 0) + 1;
      }
    }
    return histogram;
  }

  resetCounters(): void {
    this.state.reencryptCalls = new WeakMap();
    this.counters.reset();
  }

  /** Replace all fault settings; restarts the seeded PRNG streams. */
  setFaults(settings: FaultSettings): void {
    this.faults.set(settings);
  }

  setGlobalFaults(config: FaultConfig | undefined): void {
    this.faults.setGlobal(config);
  }

  setRouteFaults(route: string, config: FaultConfig | undefined): void {
    this.faults.setRoute(route, config);
  }

  getFaults(): FaultSettings {
    return this.faults.current;
  }

  registerFunction(input: RegisterFunctionInput): string {
    return this.functions.register(input);
  }

  get invocations(): readonly InvocationRecord[] {
    return this.functions.invocations;
  }

  addEventRule(input: EventRuleInput): EventRule {
    if (!this.functions.functions.has(input.functionId)) throw new EmulatorUsageError(`no function ${input.functionId}; registerFunction first`);
    return this.events.addRule(input);
  }

  /** Metric objects accepted by PostMetricData, in arrival order. */
  get postedMetrics(): readonly PostedMetric[] {
    return this.monitoring.posted;
  }

  get emittedEvents(): readonly OciEvent[] {
    return this.events.emitted;
  }

  get deliveries(): readonly DeliveryRecord[] {
    return this.events.deliveries;
  }

  /** Resolves when no event delivery, detached invocation or work request is pending. */
  async whenIdle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await this.events.whenIdle();
      await this.functions.whenIdle();
      await this.workRequests.whenIdle();
      await new Promise((r) => setImmediate(r));
      // A finished call may have caused more work (e.g. a function writing an object).
      if (!this.events.busy && !this.functions.busy) return;
    }
  }
}

function bucketInfo(b: BucketRec): BucketInfo {
  return {
    id: b.id, name: b.name, namespace: b.namespace, compartmentId: b.compartmentId, kmsKeyId: b.kmsKeyId,
    versioning: b.versioning, objectEventsEnabled: b.objectEventsEnabled, etag: b.etag,
  };
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}
