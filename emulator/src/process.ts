import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BucketInfo, KeyInfo, KeyVersionInfo, VaultInfo } from './emulator';
import type { ResourcePrincipalEnv } from './auth';
import type { CountersSnapshot, FaultSettings } from './faults';
import type { CompartmentRec, CreateBucketInput } from './state';
import type { EncryptionRow, EncryptionSummaryRow, ReadEncryptionOptions, SeedGenerator, SeedObject, SeedResult } from './types';

export interface EmulatorProcessOptions {
  /** Seed of the fault PRNG (default 1). */
  seed?: number;
  /** The emulator's source tree (default: this one); benchmarks compare two trees. */
  sourceDir?: string;
  /** Node binary (default: this process's). */
  node?: string;
  /** Extra node flags for the emulator process. */
  nodeArgs?: readonly string[];
  /** Extra environment for the emulator process. */
  env?: Record<string, string>;
  /** A built emulator entry (JavaScript, run without tsx) instead of `sourceDir`'s emulator/src/cli.ts. */
  script?: string;
  /**
   * Run `sourceDir`'s emulator/src/cli.ts bundled by esbuild (built once per tree and process, into a temporary
   * directory) instead of under tsx: the same code without tsx's loader thread and its per-function name
   * wrappers (paired against tsx, warm: 0.93–1.03 of its CPU per request, so no more than a few percent).
   */
  bundled?: boolean;
}

const bundles = new Map<string, string>();

/** emulator/src/cli.ts of `root` as one JavaScript file (esbuild, a devDependency, loaded only here). */
function bundledCli(root: string): string {
  let file = bundles.get(root);
  if (file === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a devDependency, needed only when a bundle is asked for
    const esbuild = require('esbuild') as typeof import('esbuild');
    const dir = mkdtempSync(join(tmpdir(), 'emulator-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    file = join(dir, 'cli.js');
    esbuild.buildSync({ entryPoints: [resolve(root, 'emulator/src/cli.ts')], bundle: true, platform: 'node', target: 'node20', outfile: file, logLevel: 'warning' });
    bundles.set(root, file);
  }
  return file;
}

/**
 * The emulator in a child process of its own (`emulator/src/cli.ts` under tsx, or bundled), driven through its
 * admin HTTP surface: so that its CPU does not share an event loop with the caller's, and so that
 * its CPU time can be read apart from the caller's (`pid`). The methods mirror the in-process
 * `Emulator`'s of the same names.
 */
export class EmulatorProcess {
  private constructor(
    readonly url: string,
    readonly namespace: string,
    readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid as number;
  }

  static async start(options: EmulatorProcessOptions = {}): Promise<EmulatorProcess> {
    const root = resolve(options.sourceDir ?? resolve(__dirname, '../..'));
    const script = options.script ?? (options.bundled ? bundledCli(root) : undefined);
    const entry = script !== undefined ? [resolve(script)] : ['--import', 'tsx', resolve(root, 'emulator/src/cli.ts')];
    const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), ...entry, '--port', '0', '--seed', String(options.seed ?? 1)], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env },
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const ready = await new Promise<{ url: string; namespace: string }>((resolvePromise, reject) => {
      let out = '';
      const onData = (c: Buffer): void => {
        out += c.toString('utf8');
        // The ready line is the first line that is a JSON object with a url (node flags such as --trace-gc print too).
        for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          if (!line.startsWith('{"url"')) continue;
          child.stdout?.off('data', onData);
          try {
            resolvePromise(JSON.parse(line) as { url: string; namespace: string });
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
          return;
        }
      };
      child.stdout?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}: ${stderr}`)));
    });
    // Keep draining its output so a full pipe never blocks it.
    child.stdout?.resume();
    return new EmulatorProcess(ready.url, ready.namespace, child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }

  private async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/_emulator${path}`, {
      method, ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator admin ${method} ${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  createCompartment(input: { name?: string; parentId?: string; id?: string } = {}): Promise<CompartmentRec> {
    return this.admin('POST', '/compartments', input);
  }

  createVault(input: { compartmentId: string; displayName?: string }): Promise<VaultInfo> {
    return this.admin('POST', '/vaults', input);
  }

  createKey(input: { vaultId: string; compartmentId?: string; displayName?: string }): Promise<KeyInfo> {
    return this.admin('POST', '/keys', input);
  }

  async rotateKey(keyId: string, options: { automatic?: boolean } = {}): Promise<KeyVersionInfo> {
    const v = await this.admin<KeyVersionInfo & { timeCreated: string }>('POST', `/keys/${encodeURIComponent(keyId)}/rotate`, options);
    return { ...v, timeCreated: new Date(v.timeCreated) };
  }

  issueResourcePrincipal(input: { tenancyId?: string; compartmentId: string; ttlSeconds?: number }): Promise<ResourcePrincipalEnv> {
    return this.admin('POST', '/resource-principals', input);
  }

  createBucket(input: CreateBucketInput): Promise<BucketInfo> {
    return this.admin('POST', '/buckets', input);
  }

  seedObjects(bucket: string, input: SeedObject[] | SeedGenerator): Promise<SeedResult> {
    return this.admin('POST', `/buckets/${encodeURIComponent(bucket)}/objects`, Array.isArray(input) ? { objects: input } : { generator: input });
  }

  /** Every row of the NDJSON listing (timeCreated and timeModified stay ISO strings). */
  async readEncryption(bucket: string, options: ReadEncryptionOptions = {}): Promise<EncryptionRow[]> {
    const res = await fetch(`${this.url}/_emulator/buckets/${encodeURIComponent(bucket)}/encryption?${readQuery(options)}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator admin readEncryption ${bucket}: HTTP ${res.status} ${text}`);
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as EncryptionRow);
  }

  encryptionSummary(bucket: string, options: ReadEncryptionOptions = {}): Promise<EncryptionSummaryRow[]> {
    return this.admin('GET', `/buckets/${encodeURIComponent(bucket)}/encryption/summary?${readQuery(options)}`);
  }

  getCounters(): Promise<CountersSnapshot> {
    return this.admin('GET', '/counters');
  }

  async resetCounters(): Promise<void> {
    await this.admin('POST', '/counters/reset');
  }

  /** Replace all fault settings (restarts the seeded PRNG streams). */
  setFaults(settings: FaultSettings): Promise<FaultSettings> {
    return this.admin('PUT', '/faults', settings);
  }
}

function readQuery(options: ReadEncryptionOptions): string {
  return new URLSearchParams({ ...(options.prefix !== undefined && { prefix: options.prefix }), ...(options.includeVersions && { includeVersions: 'true' }) }).toString();
}
