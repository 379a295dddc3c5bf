/**
 * The whole loop for end-to-end tests: the emulator in-process, the built
 * dist/func.js under the FDK in a child process (real SDK, real signing with
 * an emulator-issued resource principal), registered with the emulator so
 * Events rules and Functions invoke reach it.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/src/index';
import { EventTypes } from '../../src/input/event-types';
import { FUNC_JS, startFunction, type RunningFunction } from './fdk-process';

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
  /**
   * Extra function configuration (environment); a function when it names
   * resources created first (keys, secrets), since configuration is read once at start.
   */
  readonly env?: Record<string, string> | ((setup: StackSetup) => Record<string, string>);
  /** Wire the event rules (uploads, rotations, bucket updates) to the function. */
  readonly eventRules?: boolean;
  readonly timeoutSeconds?: number;
  /**
   * Durable runs: a state bucket, and the emulator running the function's containers itself
   * (a pool of dist/func.js processes) so that detached self-invocations run concurrently.
   */
  readonly runs?: {
    readonly checkpointSeconds?: number;
    readonly detachedTimeoutSeconds?: number;
    readonly maxProcesses?: number;
    /** Failed detached invocations go to a Notifications topic this function subscribes to. */
    readonly failureDestination?: boolean;
    /** Create the state bucket (default true). */
    readonly createStateBucket?: boolean;
  };
  /** The function bundle and the Node binary that runs it (benchmarks compare builds and Node versions). */
  readonly script?: string;
  readonly node?: string;
}

/** What exists in the emulator before the function starts. */
export interface StackSetup {
  readonly emu: Emulator;
  readonly compartmentA: string;
  readonly compartmentB: string;
  readonly vaultId: string;
  readonly keyId: string;
}

export const STATE_BUCKET = 'reencrypt-state';

/** A function OCID, as the platform would give one. */
export function newFunctionId(): string {
  return `ocid1.fnfunc.oc1.phx.aaaaaaaa${randomBytes(12).toString('hex')}`;
}

/**
 * The function's environment against an emulator, as the Terraform module configures it (every
 * endpoint is the emulator), with its resource principal. Self-invocation is off: tests that drive
 * continuations themselves must not race a self-invoked chain.
 */
export function functionEnv(o: {
  principal: Record<string, string>; functionId: string; emulatorUrl: string; compartmentA: string; compartmentB: string; vaultId: string;
}): Record<string, string> {
  return {
    ...o.principal,
    FN_FN_ID: o.functionId,
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: o.emulatorUrl,
    REENCRYPT_KMS_VAULT_ENDPOINT: o.emulatorUrl,
    REENCRYPT_SECRETS_ENDPOINT: o.emulatorUrl,
    REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: o.emulatorUrl,
    REENCRYPT_MONITORING_ENDPOINT: o.emulatorUrl,
    REENCRYPT_METRICS_COMPARTMENT_ID: o.compartmentA,
    REENCRYPT_COMPARTMENT_IDS: `${o.compartmentA},${o.compartmentB}`,
    REENCRYPT_VAULT_IDS: o.vaultId,
    REENCRYPT_CLOCK_SKEW_SECONDS: '0',
    REENCRYPT_SAFETY_MARGIN_SECONDS: '2',
    REENCRYPT_SELF_INVOKE: 'false',
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emu = await startEmulator(options.emulator);
  const compartmentA = emu.createCompartment({ name: 'finance' }).id;
  const compartmentB = emu.createCompartment({ name: 'analytics' }).id;
  const vault = emu.createVault({ compartmentId: compartmentA, displayName: 'finance-vault' });
  const key = emu.createKey({ vaultId: vault.id, compartmentId: compartmentA, displayName: 'finance-master-key' });
  const extraEnv = typeof options.env === 'function'
    ? options.env({ emu, compartmentA, compartmentB, vaultId: vault.id, keyId: key.id })
    : options.env;
  const principal = emu.issueResourcePrincipal({ compartmentId: compartmentA });
  // Chosen up front so the function knows its own OCID (FN_FN_ID), as on the platform.
  const functionId = newFunctionId();
  const env: Record<string, string> = {
    ...functionEnv({ principal, functionId, emulatorUrl: emu.url, compartmentA, compartmentB, vaultId: vault.id }),
    ...(options.runs && {
      REENCRYPT_SELF_INVOKE: 'true',
      REENCRYPT_STATE_BUCKET: STATE_BUCKET,
      REENCRYPT_CHECKPOINT_SECONDS: String(options.runs.checkpointSeconds ?? 1),
      // The function finds its invoke endpoint itself, with GetFunction.
      REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: '',
      REENCRYPT_FUNCTIONS_ENDPOINT: emu.url,
    }),
    ...extraEnv,
  };
  const fn = await startFunction(env, options.script, options.node);
  if (options.runs) {
    if (options.runs.createStateBucket ?? true) emu.createBucket({ compartmentId: compartmentA, name: STATE_BUCKET });
    const topicId = options.runs.failureDestination ? emu.functions.createTopic([functionId]) : undefined;
    emu.registerFunction({
      functionId, pool: { script: options.script ?? FUNC_JS, env, maxProcesses: options.runs.maxProcesses ?? 4 },
      timeoutSeconds: options.timeoutSeconds ?? 120, detachedTimeoutSeconds: options.runs.detachedTimeoutSeconds ?? 5,
      ...(topicId && { failureDestination: { kind: 'NOTIFICATION' as const, topicId } }),
    });
  } else {
    emu.registerFunction({ functionId, socketPath: fn.socketPath, timeoutSeconds: options.timeoutSeconds ?? 120 });
  }
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

/** A state object's record as the function stored it (undefined when absent). */
export function stateRecord(emu: Emulator, name: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on stored shapes
  const bucket = emu.state.buckets.get(STATE_BUCKET);
  const v = bucket?.store.latest(name);
  if (!bucket || !v || v.isDeleteMarker) return undefined;
  const body = emu.state.objectBodies.get(v);
  return body ? (JSON.parse(body.toString('utf8')) as { record: unknown }).record : undefined;
}

/** Names in the state bucket under a prefix. */
export function stateNames(emu: Emulator, prefix: string): string[] {
  const bucket = emu.state.buckets.get(STATE_BUCKET);
  if (!bucket) return [];
  return [...bucket.store.namesFrom(bucket.store.lowerBound(prefix))].filter((n) => n.startsWith(prefix) && !bucket.store.latest(n)?.isDeleteMarker);
}

/** Polls (counts, not clocks: the limit is only a hang guard) until `probe` returns a value. */
export async function eventually<T>(probe: () => T | undefined, what: string, limitMs = 400_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() - started > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
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
