import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { BIN, BUILT_CLI, outputProblems, runCli as runCliRaw, startCli as startCliRaw, SOURCE_BIN, writeApiKeyConfig, writeSessionTokenConfig, type CliResult, type OciConfigFile } from '../support/cli';

/** Every command's stdout is checked against schemas/cli-output.schema.json (when it printed anything). */
function checked(result: CliResult): CliResult {
  if (result.stdout !== '') expect(outputProblems(result.json), result.stdout.slice(0, 500)).toBeUndefined();
  return result;
}
const runCli = async (...args: Parameters<typeof runCliRaw>) => checked(await runCliRaw(...args));
const startCli = (...args: Parameters<typeof startCliRaw>) => {
  const running = startCliRaw(...args);
  return { ...running, done: running.done.then(checked) };
};
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

const HOUR_AGO = Date.now() - 3_600_000;

/** Runs a command to its end without blocking this process, whose emulators serve the other blocks' commands meanwhile. */
function spawnDone(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveDone, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (status) => resolveDone({ status, stdout, stderr }));
  });
}

// Each top-level block has an emulator (or stack) of its own and runs beside the others
// (describe.concurrent); the tests inside a block share its state and run in order (it.sequential).
describe.concurrent('npx oci-reencrypt', { timeout: 180_000 }, () => {
  it.sequential('runs the package bin from the repository, with no build step: --help lists the commands and exit codes', async () => {
    const r = await spawnDone('npx', ['--no-install', 'oci-reencrypt', '--help'], { cwd: resolve(__dirname, '../..') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Usage: oci-reencrypt/);
    for (const command of ['plan', 'run', 'status', 'report', 'runs', 'resume', 'invoke']) expect(r.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(r.stdout).toMatch(/^  4 +not finished/m);
  });

  it.sequential('a reader that stops early (| head) is not an error', async () => {
    const r = await spawnDone('bash', ['-o', 'pipefail', '-c', `node ${BIN} --help | head -1`]);
    expect(r.stdout).toBe('Usage: oci-reencrypt [options] [command]\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe.concurrent('oci-reencrypt CLI against the emulator, with config-file (API key) authentication', { timeout: 180_000 }, () => {
  let emu: Emulator;
  let cfg: OciConfigFile;
  let compartmentId: string;
  let vaultId: string;
  let keyId: string;
  let v1: string;
  let v2: string;
  const common = () => ['--config-file', cfg.path, '--endpoint', emu.url, '--progress-interval', '0.2'];

  beforeAll(async () => {
    emu = await startEmulator();
    compartmentId = emu.createCompartment({ name: 'ops' }).id;
    vaultId = emu.createVault({ compartmentId }).id;
    keyId = emu.createKey({ vaultId, compartmentId }).id;
    v1 = emu.currentKeyVersion(keyId);
    for (const name of ['small', 'other']) {
      emu.createBucket({ compartmentId, name, kmsKeyId: keyId });
      emu.seedObjects(name, { count: 30, prefix: `${name}/`, timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId } });
    }
    v2 = emu.rotateKey(keyId).id;
    cfg = writeApiKeyConfig(emu);
  });
  afterAll(async () => emu?.stop());

  it.sequential('plan: a dry run prints the plan as JSON on stdout, changes nothing, exits 0', async () => {
    emu.resetCounters();
    const r = await runCli(['plan', ...common(), '--bucket-name', 'small', '--vault-id', vaultId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, dryRun: true, complete: true, totals: { planned: 30, reencrypted: 0, failed: 0 } });
    expect((r.json.buckets as { plan: unknown[] }[])[0]!.plan).toHaveLength(30);
    expect(emu.getCounters().writes).toBe(0);
    expect(keyVersionCounts(emu, 'small')).toEqual({ [`kms:${v1}`]: 30 });
    // Messages, not JSON, on stderr: the last progress line.
    expect(r.stderr).toMatch(/progress: 30 of ~30 versions in 1 bucket\(s\).*planned=30/);
  });

  it.sequential('run from source (the package bin, through tsx, as npx runs it), the command answers as the bundle the tests run does', async () => {
    const args = ['plan', ...common(), '--bucket-name', 'small', '--vault-id', vaultId, '--no-progress'];
    const [fromSource, built] = await Promise.all([runCli(args, {}, SOURCE_BIN), runCli(args, {}, BUILT_CLI)]);
    expect(fromSource.code, fromSource.stderr).toBe(0);
    expect(built.code, built.stderr).toBe(0);
    // The same document but for when each ran.
    const timeless = (json: Record<string, unknown>): unknown => JSON.parse(JSON.stringify(json, (k, v: unknown) => (/(At|Ms|Seconds)$/.test(k) ? '<time>' : v)));
    expect(timeless(fromSource.json)).toEqual(timeless(built.json));
    expect(fromSource.json).toMatchObject({ ok: true, dryRun: true, totals: { planned: 30 } });
    // And refuses bad input the same way: the source compiles the schemas at start, the bundle carries them compiled.
    const bad = ['run', ...common(), '--from-json', JSON.stringify({ bucketName: 'small', prefix: 7 })];
    const [badSource, badBuilt] = await Promise.all([runCli(bad, {}, SOURCE_BIN), runCli(bad, {}, BUILT_CLI)]);
    expect(badSource.code).toBe(2);
    expect(badSource.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field: 'prefix' }] } });
    expect(badSource.json).toEqual(badBuilt.json);
  });

  it.sequential('--from-json takes the JSON the function takes; flags override its fields', async () => {
    const file = join(cfg.dir, 'request.json');
    writeFileSync(file, JSON.stringify({ bucketName: 'other', prefix: 'nothing-here/', vaultId }));
    const viaJson = await runCli(['plan', ...common(), '--from-json', `file://${file}`, '--prefix', 'small/']);
    expect(viaJson.code, viaJson.stderr).toBe(0);
    expect(viaJson.json).toMatchObject({ trigger: { kind: 'manual', scope: 'bucket', bucketName: 'other' } });
    // --prefix replaced the file's prefix: nothing in 'other' starts with small/
    expect(viaJson.json.totals).toMatchObject({ scanned: 0, planned: 0 });
    const inline = await runCli(['plan', ...common(), '--from-json', JSON.stringify({ bucketName: 'other', vaultId })]);
    expect(inline.json.totals).toMatchObject({ planned: 30 });
  });

  it.sequential('invalid requests are refused by the function\'s own classifier: InvalidInput naming the field, exit 2, nothing called', async () => {
    emu.resetCounters();
    const r = await runCli(['run', ...common(), '--bucket-name', 'small', '--object-name', 'small/0', '--prefix', 'small/']);
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field: 'objectName' }] } });
    expect(r.stderr).toMatch(/^error: InvalidInput: /m);
    expect(emu.getCounters().totalCalls).toBe(0);
    const badJson = await runCli(['plan', ...common(), '--from-json', '{"bucketName":']);
    expect(badJson.code).toBe(2);
    expect(badJson.json).toMatchObject({ error: { code: 'InvalidInput', details: [{ field: '--from-json', problem: 'is not valid JSON' }] } });
    const unknownFlag = await runCli(['plan', '--bucket', 'x']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/unknown option '--bucket'/);
  });

  it.sequential('a profile that cannot be used: InvalidConfiguration, exit 1', async () => {
    const r = await runCli(['plan', ...common(), '--profile', 'NOPE', '--bucket-name', 'small', '--vault-id', vaultId]);
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidConfiguration' } });
    expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY/);
  });

  it.sequential('--region supplies the region a profile lacks', async () => {
    const noRegion = writeApiKeyConfig(emu, { profile: 'NOREGION', region: false });
    const without = await runCli(['plan', '--config-file', noRegion.path, '--profile', 'NOREGION', '--endpoint', emu.url, '--bucket-name', 'small', '--force']);
    expect(without.code).toBe(1);
    const withRegion = await runCli(['plan', '--config-file', noRegion.path, '--profile', 'NOREGION', '--region', emu.state.region, '--endpoint', emu.url, '--bucket-name', 'small', '--force']);
    expect(withRegion.code, withRegion.stderr).toBe(0);
  });

  it.sequential('a security-token profile (oci session authenticate) signs with the token file', async () => {
    const st = writeSessionTokenConfig(emu, compartmentId);
    const r = await runCli(['plan', '--config-file', st.path, '--profile', 'SESSION', '--endpoint', emu.url, '--bucket-name', 'small', '--force']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json, r.stdout).toMatchObject({ totals: { planned: 30 } });
  });

  it.sequential('run: re-encrypts the bucket under the current key version, exit 0', async () => {
    const r = await runCli(['run', ...common(), '--bucket-name', 'other', '--vault-id', vaultId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, dryRun: false, complete: true, continuation: null, totals: { reencrypted: 30, failed: 0 } });
    expect(keyVersionCounts(emu, 'other')).toEqual({ [`kms:${v2}`]: 30 });
  });

  it.sequential('a key sweep over --compartment-id finds the buckets using --kms-key-id', async () => {
    const r = await runCli(['plan', ...common(), '--kms-key-id', keyId, '--compartment-id', compartmentId, '--vault-id', vaultId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ trigger: { scope: 'key', kmsKeyId: keyId }, totals: { buckets: 2 } });
    expect((r.json.buckets as { bucketName: string }[]).map((b) => b.bucketName).sort()).toEqual(['other', 'small']);
    // 'small' was never re-encrypted: all 30 are old whatever the watermark's clock-skew allowance.
    expect((r.json.buckets as { bucketName: string; planned: number }[]).find((b) => b.bucketName === 'small')!.planned).toBe(30);
  });

  it.sequential('failed versions: exit 3, each failure in the report', async () => {
    emu.createBucket({ compartmentId, name: 'flaky', kmsKeyId: keyId });
    emu.seedObjects('flaky', { count: 5, prefix: 'f/', timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId } });
    emu.setRouteFaults('ReencryptObject', { p500: 1 });
    try {
      const r = await runCli(['run', ...common(), '--bucket-name', 'flaky', '--force', '--max-duration', '120'], { REENCRYPT_MAX_ATTEMPTS: '1' });
      expect(r.code, r.stderr).toBe(3);
      expect(r.json).toMatchObject({ ok: true, totals: { failed: 5 } });
      expect((r.json.buckets as { failures: unknown[] }[])[0]!.failures).toHaveLength(5);
    } finally {
      emu.setRouteFaults('ReencryptObject', undefined);
    }
  });
});

describe.concurrent('Ctrl-C and resume', { timeout: 180_000 }, () => {
  let emu: Emulator;
  let cfg: OciConfigFile;
  let keyId: string;
  let v2: string;
  const COUNT = 400;

  beforeAll(async () => {
    emu = await startEmulator();
    const compartmentId = emu.createCompartment({ name: 'ops' }).id;
    const vaultId = emu.createVault({ compartmentId }).id;
    keyId = emu.createKey({ vaultId, compartmentId }).id;
    emu.createBucket({ compartmentId, name: 'slow', kmsKeyId: keyId, versioning: 'Enabled' });
    emu.seedObjects('slow', { count: COUNT, prefix: 's/', timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId } });
    v2 = emu.rotateKey(keyId).id;
    // Slow re-encryptions so that the interrupt lands mid-sweep.
    emu.setRouteFaults('ReencryptObject', { latencyMs: 150 });
    cfg = writeApiKeyConfig(emu);
  });
  afterAll(async () => emu?.stop());

  it.sequential('SIGINT stops starting new work, lets calls in flight finish, prints the continuation (exit 4); run --continuation finishes the rest', async () => {
    const args = ['--config-file', cfg.path, '--endpoint', emu.url, '--concurrency', '4', '--progress-interval', '0.2'];
    const first = startCli(['run', ...args, '--bucket-name', 'slow', '--force']);
    await first.waitForStderr(/reencrypted=([1-9]\d+)/);
    first.child.kill('SIGINT');
    const r1 = await first.done;
    expect(r1.code, r1.stderr).toBe(4);
    expect(r1.stderr).toMatch(/stopping: no new work is started/);
    expect(r1.stderr).toMatch(/resume with\n\s+oci-reencrypt run --continuation '/);
    expect(r1.json).toMatchObject({ ok: true, complete: false });
    const done1 = (r1.json.totals as { reencrypted: number }).reencrypted;
    expect(done1).toBeGreaterThan(0);
    expect(done1).toBeLessThan(COUNT);
    // Every call that was started finished and was counted: none was abandoned mid-flight.
    const writes = emu.getCounters().routes.ReencryptObject!.writes;
    expect(writes).toBe(done1);
    expect(keyVersionCounts(emu, 'slow')[`kms:${v2}`]).toBe(done1);

    const continuation = r1.json.continuation as string;
    expect(typeof continuation).toBe('string');
    const r2 = await runCli(['run', ...args, '--continuation', continuation]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.json).toMatchObject({ complete: true, continuation: null });
    expect(done1 + (r2.json.totals as { reencrypted: number }).reencrypted).toBe(COUNT);
    expect(keyVersionCounts(emu, 'slow')).toEqual({ [`kms:${v2}`]: COUNT });
    expect(emu.getCounters().routes.ReencryptObject!.writes).toBe(COUNT);
  });

  it.sequential('a second SIGINT quits at once with exit code 130', async () => {
    const args = ['--config-file', cfg.path, '--endpoint', emu.url, '--concurrency', '1', '--progress-interval', '0.2'];
    // Held far longer than the two interrupts can take on a loaded machine (5 s was the whole margin):
    // the CLI quits at the second one, so the test never waits for it.
    emu.setRouteFaults('ReencryptObject', { latencyMs: 120_000 });
    try {
      const before = emu.getCounters().routes.ReencryptObject?.calls ?? 0;
      const cli = startCli(['run', ...args, '--bucket-name', 'slow', '--force']);
      // Interrupt only once a re-encryption is in flight (held by the emulator).
      while ((emu.getCounters().routes.ReencryptObject?.calls ?? 0) === before) await new Promise((r) => setTimeout(r, 50));
      cli.child.kill('SIGINT');
      await cli.waitForStderr(/stopping: no new work is started/);
      cli.child.kill('SIGINT');
      const r = await cli.done;
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/quitting without waiting/);
      expect(r.stdout).toBe('');
    } finally {
      emu.setRouteFaults('ReencryptObject', { latencyMs: 150 });
    }
  });
});

describe.concurrent('invoke: the request sent to the deployed function (OCI Functions InvokeFunction)', { timeout: 180_000 }, () => {
  let s: Stack;
  let cfg: OciConfigFile;
  beforeAll(async () => {
    s = await startStack();
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'remote', kmsKeyId: s.keyId });
    s.emu.seedObjects('remote', { count: 12, prefix: 'r/', timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
    cfg = writeApiKeyConfig(s.emu);
  });
  afterAll(async () => s?.stop());

  it.sequential('prints the function\'s report; the body is what the flags stand for; exit codes follow the answer', async () => {
    const plan = await runCli(['--config-file', cfg.path, 'invoke', '--invoke-endpoint', s.emu.url, '--function-id', s.functionId, '--bucket-name', 'remote', '--dry-run']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.json).toMatchObject({ ok: true, dryRun: true, totals: { planned: 12 } });
    const sent = s.emu.invocations.at(-1)!;
    expect(JSON.parse(sent.requestBody)).toEqual({ bucketName: 'remote', dryRun: true });
    expect(sent.via).toBe('api');

    const run = await runCli(['--config-file', cfg.path, 'invoke', '--invoke-endpoint', s.emu.url, '--function-id', s.functionId, '--from-json', '{"bucketName":"remote"}']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ ok: true, dryRun: false, complete: true, totals: { reencrypted: 12 } });

    // The function's InvalidInput answer (a bucket that the schema refuses is caught locally first).
    const missing = await runCli(['--config-file', cfg.path, 'invoke', '--invoke-endpoint', s.emu.url, '--function-id', s.functionId, '--kms-key-id', s.keyId, '--compartment-id', 'not-an-ocid']);
    expect(missing.code).toBe(2);
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
  });

  it.sequential('--detached answers at once with the request id', async () => {
    const before = s.emu.invocations.length;
    const r = await runCli(['--config-file', cfg.path, 'invoke', '--invoke-endpoint', s.emu.url, '--function-id', s.functionId, '--bucket-name', 'remote', '--detached', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, invoked: 'detached', functionId: s.functionId });
    await s.emu.whenIdle();
    expect(s.emu.invocations.length).toBe(before + 1);
    expect(s.emu.invocations.at(-1)!.invokeType).toBe('detached');
  });

  describe('the invoke endpoint', () => {
    // A relay in front of the emulator: GetFunction names it as the function's invoke endpoint,
    // so a call that reaches it went where GetFunction said, not to --endpoint.
    let relay: Server;
    let relayUrl: string;
    const relayed: string[] = [];
    beforeAll(async () => {
      const target = new URL(s.emu.url);
      relay = createServer((req, res) => {
        relayed.push(`${req.method} ${req.url}`);
        const forward = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      });
      await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
      relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    });
    afterAll(async () => new Promise<void>((r) => relay?.close(() => r())));

    const withInvokeEndpoint = async <T>(url: string, body: () => Promise<T>): Promise<T> => {
      const previous = s.emu.functions.url;
      s.emu.functions.url = url;
      try {
        return await body();
      } finally {
        s.emu.functions.url = previous;
      }
    };

    it.sequential('without --invoke-endpoint, GetFunction names the invoke endpoint (as `oci fn function invoke` does) and the call goes there', async () => {
      relayed.length = 0;
      s.emu.resetCounters();
      const r = await withInvokeEndpoint(relayUrl, () => runCli(['--config-file', cfg.path, '--endpoint', s.emu.url, 'invoke', '--function-id', s.functionId, '--bucket-name', 'remote', '--dry-run']));
      expect(r.code, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, dryRun: true, totals: { planned: 12 } });
      expect(s.emu.getCounters().routes.GetFunction?.calls).toBe(1);
      expect(relayed).toEqual([`POST /20181201/functions/${s.functionId}/actions/invoke`]);
    });

    it.sequential('--invoke-endpoint overrides the lookup: no GetFunction call', async () => {
      relayed.length = 0;
      s.emu.resetCounters();
      const r = await withInvokeEndpoint(relayUrl, () => runCli(['--config-file', cfg.path, '--endpoint', s.emu.url, 'invoke', '--invoke-endpoint', s.emu.url, '--function-id', s.functionId, '--bucket-name', 'remote', '--dry-run']));
      expect(r.code, r.stderr).toBe(0);
      expect(r.json).toMatchObject({ ok: true, dryRun: true });
      expect(s.emu.getCounters().routes.GetFunction).toBeUndefined();
      expect(relayed).toEqual([]);
    });

    it.sequential('a function GetFunction does not know: OciCallFailed naming GetFunction, exit 1, nothing invoked', async () => {
      const before = s.emu.invocations.length;
      const unknown = 'ocid1.fnfunc.oc1.phx.aaaaaaaanosuchfunction';
      const r = await runCli(['--config-file', cfg.path, '--endpoint', s.emu.url, 'invoke', '--function-id', unknown, '--bucket-name', 'remote']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'OciCallFailed', oci: { operation: 'GetFunction', status: 404 } } });
      expect(s.emu.invocations.length).toBe(before);
    });
  });
});
