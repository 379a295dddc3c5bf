/**
 * Drives the `oci-reencrypt` command as a child process, authenticated with an
 * OCI config file whose API key the emulator issued: the same path an
 * operator's `~/.oci/config` takes.
 *
 * The command run is the bundle `npm run build:cli` writes, dist/cli.js
 * (scripts/build-cli.mjs): from source (bin/oci-reencrypt.mjs, through tsx) every
 * start compiles the TypeScript and the schemas, about a second of CPU, and the
 * suite starts the command over a hundred times. cli.e2e.test.ts runs the source
 * bin itself and checks it answers as the bundle does. `OCI_REENCRYPT_CLI=source`
 * runs every CLI test from source instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import type { Emulator } from '../../emulator/src/index';
import outputSchema from '../../schemas/cli-output.schema.json';

/** Every stdout document of the command matches the published output schema. */
const validateOutput = new Ajv({ allErrors: true, strict: true, strictRequired: false }).compile(outputSchema);

export function outputProblems(json: unknown): string | undefined {
  return validateOutput(json) ? undefined : JSON.stringify(validateOutput.errors?.slice(0, 5));
}

/** The package's bin: the command run from source, as `npx oci-reencrypt` runs it. */
export const SOURCE_BIN = resolve(__dirname, '../../bin/oci-reencrypt.mjs');
/** The command bundled by `npm run build:cli` (scripts/build-cli.mjs; npm test runs it). */
export const BUILT_CLI = resolve(__dirname, '../../dist/cli.js');
/** What the CLI tests run. */
export const BIN = process.env.OCI_REENCRYPT_CLI === 'source' ? SOURCE_BIN : BUILT_CLI;

function bin(): string {
  if (!existsSync(BIN)) throw new Error(`${BIN} does not exist: run \`npm run build:cli\` first (npm test does)`);
  return BIN;
}

export interface OciConfigFile {
  readonly path: string;
  readonly dir: string;
}

/** Writes an OCI config file with an API-key profile (DEFAULT, or `profile`) registered with the emulator. */
export function writeApiKeyConfig(emu: Emulator, options: { profile?: string; region?: boolean; dir?: string } = {}): OciConfigFile {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'oci-cli-'));
  const key = emu.registerApiKey({ userId: 'ocid1.user.oc1..aaaaaaaaoperator' });
  const keyFile = join(dir, `${options.profile ?? 'DEFAULT'}.pem`);
  writeFileSync(keyFile, key.privateKeyPem ?? '', { mode: 0o600 });
  const path = join(dir, 'config');
  const lines = [
    `[${options.profile ?? 'DEFAULT'}]`, `user=${key.userId}`, `fingerprint=${key.fingerprint}`, `tenancy=${key.tenancyId}`,
    `key_file=${keyFile}`, ...(options.region === false ? [] : [`region=${emu.state.region}`]), '',
  ];
  writeFileSync(path, lines.join('\n'), { flag: 'a' });
  return { path, dir };
}

/**
 * A profile as `oci session authenticate` writes it: a private key and a
 * security token file. The emulator's token is a resource-principal session
 * token; what is tested is that the CLI signs with `ST$<token>` from the file.
 */
export function writeSessionTokenConfig(emu: Emulator, compartmentId: string): OciConfigFile {
  const dir = mkdtempSync(join(tmpdir(), 'oci-cli-st-'));
  const session = emu.issueResourcePrincipal({ compartmentId });
  const keyFile = join(dir, 'oci_api_key.pem');
  const tokenFile = join(dir, 'token');
  writeFileSync(keyFile, session.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM, { mode: 0o600 });
  writeFileSync(tokenFile, `${session.OCI_RESOURCE_PRINCIPAL_RPST}\n`, { mode: 0o600 }); // a trailing newline, as editors leave
  const path = join(dir, 'config');
  writeFileSync(path, [
    '[SESSION]', 'fingerprint=00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00', `tenancy=${emu.state.tenancyId}`,
    `region=${emu.state.region}`, `key_file=${keyFile}`, `security_token_file=${tokenFile}`, '',
  ].join('\n'));
  return { path, dir };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (every command prints one JSON document). */
  readonly json: Record<string, unknown>;
}

export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<CliResult>;
}

/** `script`: the command to run (default BIN; SOURCE_BIN for the source bin). */
export function startCli(args: readonly string[], env: Record<string, string> = {}, script = bin()): RunningCli {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: string) => void }[] = [];
  child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    for (const w of [...waiters]) {
      const m = w.pattern.exec(err);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  });
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => {
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(out) as Record<string, unknown>;
      } catch {
        // left empty: the test's assertions on json fail and show stdout
      }
      resolveDone({ code, signal, stdout: out, stderr: err, json });
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitForStderr(pattern, timeoutMs = 60_000) {
      const m = pattern.exec(err);
      if (m) return Promise.resolve(m[0]);
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(() => reject(new Error(`stderr never matched ${pattern}:\n${err}`)), timeoutMs);
        waiters.push({ pattern, resolve: (s) => { clearTimeout(timer); resolveWait(s); } });
      });
    },
    done,
  };
}

export function runCli(args: readonly string[], env: Record<string, string> = {}, script?: string): Promise<CliResult> {
  return startCli(args, env, script).done;
}
