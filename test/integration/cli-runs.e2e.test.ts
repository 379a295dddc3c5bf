/**
 * `oci-reencrypt status | report | runs | resume`: runs kept in the state
 * bucket, read and continued from the operator's machine with an OCI config
 * file (API key) against the emulator. The run is planted through the real
 * code path: a local `run --state-bucket` takes one turn (four
 * units) of a five-bucket key sweep and leaves the rest in the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { outputProblems, runCli as runCliRaw, startCli as startCliRaw, writeApiKeyConfig, type CliResult, type OciConfigFile } from '../support/cli';
import { keyVersionCounts, startStack, STATE_BUCKET as STACK_STATE_BUCKET, type Stack } from '../support/stack';

/** Every stdout document is checked against schemas/cli-output.schema.json. */
function checked(result: CliResult): CliResult {
  expect(result.stdout, result.stderr).not.toBe('');
  expect(outputProblems(result.json), result.stdout.slice(0, 800)).toBeUndefined();
  return result;
}
const runCli = async (...args: Parameters<typeof runCliRaw>) => checked(await runCliRaw(...args));
const startCli = (...args: Parameters<typeof startCliRaw>) => {
  const running = startCliRaw(...args);
  return { ...running, done: running.done.then(checked) };
};

const HOUR_AGO = Date.now() - 3_600_000;
const STATE_BUCKET = 'reencrypt-state';
const BUCKETS = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5'];
const PER_BUCKET = 6;

interface RunStatusJson {
  status: string;
  units: { total: number; done: number; inProgress: number; pending: number; stopped: number };
  totals: { reencrypted: number; failed: number };
  buckets: { bucketName: string; complete: boolean }[];
}

// Each top-level block has an emulator (or stack) of its own and runs beside the others
// (describe.concurrent); the tests inside a block share its state and run in order (it.sequential).
describe.concurrent('runs kept in the state bucket, read from this machine with config-file (API key) authentication', { timeout: 180_000 }, () => {
  let emu: Emulator;
  let cfg: OciConfigFile;
  let compartmentId: string;
  let vaultId: string;
  let keyId: string;
  let v2: string;
  let runId: string;
  const common = () => ['--config-file', cfg.path, '--endpoint', emu.url, '--progress-interval', '0.2'];
  const stateEnv = { REENCRYPT_STATE_BUCKET: STATE_BUCKET };

  beforeAll(async () => {
    emu = await startEmulator();
    compartmentId = emu.createCompartment({ name: 'ops' }).id;
    vaultId = emu.createVault({ compartmentId }).id;
    keyId = emu.createKey({ vaultId, compartmentId }).id;
    for (const name of BUCKETS) {
      emu.createBucket({ compartmentId, name, kmsKeyId: keyId });
      emu.seedObjects(name, { count: PER_BUCKET, prefix: `${name}/`, timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId } });
    }
    emu.createBucket({ compartmentId, name: STATE_BUCKET });
    v2 = emu.rotateKey(keyId).id;
    cfg = writeApiKeyConfig(emu);

    // The real code path: one local turn of a durable run leaves units open in the store.
    const planted = await runCli(['run', ...common(), '--state-bucket', STATE_BUCKET, '--kms-key-id', keyId, '--compartment-id', compartmentId, '--vault-id', vaultId, '--force']);
    expect(planted.code, planted.stderr).toBe(4);
    expect(planted.json).toMatchObject({ ok: true, action: 'run-step', complete: false });
    runId = planted.json.runId as string;
    expect(planted.stderr).toContain(`resume with\n  oci-reencrypt resume ${runId}\n`);
  });
  afterAll(async () => emu?.stop());

  it.sequential('status of a run in progress: where it stands, units and counts so far, exit 4 (not finished)', async () => {
    const r = await runCli(['status', runId, ...common()], stateEnv);
    expect(r.code, r.stderr).toBe(4);
    const status = r.json as unknown as RunStatusJson;
    expect(r.json).toMatchObject({ ok: true, runId, status: 'running' });
    expect(status.units.total).toBeGreaterThanOrEqual(BUCKETS.length);
    expect(status.units.done).toBeGreaterThan(0);
    expect(status.units.pending).toBeGreaterThan(0);
    expect(status.units.done + status.units.inProgress + status.units.pending + status.units.stopped).toBe(status.units.total);
    // The counts so far are those of the buckets that were swept, as the emulator holds them.
    const swept = BUCKETS.filter((b) => keyVersionCounts(emu, b)[`kms:${v2}`] === PER_BUCKET);
    expect(status.totals.reencrypted).toBe(swept.length * PER_BUCKET);
    expect(r.stderr).toMatch(new RegExp(`run ${runId} is running: \\d+ of \\d+ unit\\(s\\) done`));
  });

  it.sequential('--state-bucket names the bucket when the environment does not', async () => {
    const r = await runCli(['status', runId, ...common(), '--state-bucket', STATE_BUCKET]);
    expect(r.code, r.stderr).toBe(4);
    expect(r.json).toMatchObject({ ok: true, runId, status: 'running' });
  });

  it.sequential('runs lists the unfinished runs; --all lists every run with its state', async () => {
    const r = await runCli(['runs', ...common()], stateEnv);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({ ok: true, action: 'list-runs', truncated: false });
    expect((r.json.unfinished as { runId: string }[]).map((u) => u.runId)).toEqual([runId]);
    expect(r.stderr).toMatch(/^1 unfinished run\(s\)$/m);

    const all = await runCli(['runs', '--all', ...common()], stateEnv);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json).toMatchObject({ ok: true, action: 'list-runs', truncated: false, runs: [{ runId, state: 'running', finishedAt: null, dryRun: false }] });
  });

  it.sequential('report of a run that has not ended: RunNotFinished, exit 4', async () => {
    const r = await runCli(['report', runId, ...common()], stateEnv);
    expect(r.code, r.stderr).toBe(4);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'RunNotFinished', details: [{ field: 'runId' }] } });
  });

  it.sequential('an unknown run id: exit 5 with the InvalidInput answer naming runId, for status, report and resume', async () => {
    for (const command of ['status', 'report', 'resume']) {
      const r = await runCli([command, 'run-20261130T000000-000000000000', ...common()], stateEnv);
      expect(r.code, `${command}: ${r.stderr}`).toBe(5);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field: expect.stringMatching(/^(runId|resume)$/) as unknown }] } });
      expect(r.stderr).toMatch(/There is no run run-20261130T000000-000000000000 in the state bucket reencrypt-state/);
    }
  });

  it.sequential('no state bucket named (neither --state-bucket nor REENCRYPT_STATE_BUCKET): InvalidInput naming --state-bucket, exit 2, nothing called', async () => {
    emu.resetCounters();
    for (const args of [['status', runId], ['report', runId], ['runs'], ['resume', runId]]) {
      const r = await runCli([...args, ...common()]);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field: '--state-bucket' }] } });
      expect(r.stderr).toMatch(/--state-bucket or set REENCRYPT_STATE_BUCKET/);
    }
    expect(Object.keys(emu.getCounters().routes)).toEqual([]);
  });

  it.sequential('a malformed run id is refused as the function refuses it: InvalidInput naming the field, exit 2, nothing called', async () => {
    emu.resetCounters();
    for (const [command, field] of [['status', 'runId'], ['report', 'runId'], ['resume', 'resume']] as const) {
      const r = await runCli([command, '../unfinished/x', ...common()], stateEnv);
      expect(r.code, `${command}: ${r.stderr}`).toBe(2);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field }] } });
    }
    expect(Object.keys(emu.getCounters().routes)).toEqual([]);
  });

  it.sequential('a state bucket that does not exist: StateStoreUnavailable naming the bucket, exit 1', async () => {
    const r = await runCli(['runs', ...common(), '--state-bucket', 'no-such-state-bucket']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'StateStoreUnavailable' } });
    expect((r.json.error as { message: string }).message).toMatch(/no-such-state-bucket.*does not exist/);
  });

  it.sequential('resume finishes the run in this process; then status and report give its stored final report and runs no longer lists it', async () => {
    const resumed = await runCli(['resume', runId, ...common()], stateEnv);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json).toMatchObject({ ok: true, runId, action: 'swept', complete: true, totals: { reencrypted: BUCKETS.length * PER_BUCKET, failed: 0 } });
    for (const b of BUCKETS) expect(keyVersionCounts(emu, b)).toEqual({ [`kms:${v2}`]: PER_BUCKET });
    // The progress display follows the run's units too.
    expect(resumed.stderr).toMatch(/progress: \d+ of ~\d+ versions/);

    const report = await runCli(['report', runId, ...common()], stateEnv);
    expect(report.code, report.stderr).toBe(0);
    const { thisInvocation: _turn, ...stored } = resumed.json;
    expect(report.json).toEqual(stored);
    expect(report.json).toMatchObject({ report: { bucket: STATE_BUCKET, object: `runs/${runId}/report.json` } });

    const status = await runCli(['status', runId, ...common()], stateEnv);
    expect(status.code, status.stderr).toBe(0);
    expect(status.json).toEqual({ ok: true, runId, status: 'finished', report: stored });

    const runs = await runCli(['runs', ...common()], stateEnv);
    expect(runs.json).toMatchObject({ ok: true, unfinished: [] });
    const all = await runCli(['runs', '--all', ...common()], stateEnv);
    expect(all.json).toMatchObject({ runs: [{ runId, state: 'finished', finishedAt: stored.finishedAt }] });

    // Resuming a run that has ended answers with its report and changes nothing.
    emu.resetCounters();
    const again = await runCli(['resume', runId, ...common()], stateEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json).toMatchObject({ runId, complete: true, duplicateOf: runId });
    expect(emu.getCounters().routes.ReencryptObject).toBeUndefined();
  }, 240_000); // seven CLI processes in a row: slow to start on a loaded machine
});

describe.concurrent('resume and Ctrl-C', { timeout: 180_000 }, () => {
  let emu: Emulator;
  let cfg: OciConfigFile;
  let keyId: string;
  let v2: string;
  const COUNT = 300;
  const stateEnv = { REENCRYPT_STATE_BUCKET: STATE_BUCKET };

  beforeAll(async () => {
    emu = await startEmulator();
    const compartmentId = emu.createCompartment({ name: 'ops' }).id;
    const vaultId = emu.createVault({ compartmentId }).id;
    keyId = emu.createKey({ vaultId, compartmentId }).id;
    emu.createBucket({ compartmentId, name: 'slow', kmsKeyId: keyId });
    emu.seedObjects('slow', { count: COUNT, prefix: 's/', timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId } });
    emu.createBucket({ compartmentId, name: STATE_BUCKET });
    v2 = emu.rotateKey(keyId).id;
    cfg = writeApiKeyConfig(emu);
  });
  afterAll(async () => emu?.stop());

  it.sequential('SIGINT during resume stops starting new work, keeps the run resumable (exit 4); resume again finishes it', async () => {
    const args = ['--config-file', cfg.path, '--endpoint', emu.url, '--concurrency', '2', '--progress-interval', '0.2'];
    // Slow re-encryptions, so that each interrupt lands mid-sweep.
    emu.setRouteFaults('ReencryptObject', { latencyMs: 100 });
    try {
      const first = startCli(['run', ...args, '--bucket-name', 'slow', '--force'], stateEnv);
      await first.waitForStderr(/reencrypted=([1-9]\d*)/);
      first.child.kill('SIGINT');
      const r1 = await first.done;
      expect(r1.code, r1.stderr).toBe(4);
      const runId = r1.json.runId as string;
      expect(r1.stderr).toContain(`not finished (interrupted): run ${runId} is kept in the state bucket; resume with\n  oci-reencrypt resume ${runId}`);

      const second = startCli(['resume', runId, ...args], stateEnv);
      await second.waitForStderr(/reencrypted=([1-9]\d*)/);
      second.child.kill('SIGINT');
      const r2 = await second.done;
      expect(r2.code, r2.stderr).toBe(4);
      expect(r2.json).toMatchObject({ ok: true, runId, action: 'run-step', complete: false });
      expect(r2.stderr).toContain(`not finished (interrupted): resume with\n  oci-reencrypt resume ${runId}`);
      // What the interrupted turns did is in the store: every finished call was counted, none abandoned.
      const after = (await runCli(['status', runId, ...args], stateEnv)).json as unknown as RunStatusJson;
      expect(after.totals.reencrypted).toBeGreaterThan((r1.json.thisInvocation as { reencrypted: number }).reencrypted);
      expect(after.totals.reencrypted).toBe(keyVersionCounts(emu, 'slow')[`kms:${v2}`]);

      emu.setRouteFaults('ReencryptObject', undefined);
      const r3 = await runCli(['resume', runId, ...args], stateEnv);
      expect(r3.code, r3.stderr).toBe(0);
      expect(r3.json).toMatchObject({ ok: true, runId, complete: true, totals: { reencrypted: COUNT, failed: 0 } });
      expect(keyVersionCounts(emu, 'slow')).toEqual({ [`kms:${v2}`]: COUNT });
    } finally {
      emu.setRouteFaults('ReencryptObject', undefined);
    }
  });
});

describe.concurrent('a run the deployed function keeps: invoke starts it; invoke --run-id and the local commands read the same run', { timeout: 180_000 }, () => {
  let s: Stack;
  let cfg: OciConfigFile;
  beforeAll(async () => {
    s = await startStack({ timeoutSeconds: 60, runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 30, maxProcesses: 2 } });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'deployed', kmsKeyId: s.keyId });
    s.emu.seedObjects('deployed', { count: 20, prefix: 'd/', timeModified: HOUR_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
    cfg = writeApiKeyConfig(s.emu);
  });
  afterAll(async () => s?.stop());

  it.sequential('the function\'s {"runId"} answer (invoke --run-id) and the local status and report agree; invoke --list-runs lists nothing left open', async () => {
    const common = ['--config-file', cfg.path, '--endpoint', s.emu.url];
    const started = await runCli([...common, 'invoke', '--function-id', s.functionId, '--bucket-name', 'deployed']);
    expect(started.code, started.stderr).toBe(0);
    const runId = started.json.runId as string;
    expect(started.json).toMatchObject({ ok: true, runId, complete: true, totals: { reencrypted: 20 } });

    const remote = await runCli([...common, 'invoke', '--function-id', s.functionId, '--run-id', runId]);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.json).toMatchObject({ ok: true, runId, status: 'finished' });
    const local = await runCli([...common, 'status', runId, '--state-bucket', STACK_STATE_BUCKET]);
    expect(local.code, local.stderr).toBe(0);
    expect(local.json).toEqual(remote.json);
    const report = await runCli([...common, 'report', runId, '--state-bucket', STACK_STATE_BUCKET]);
    expect(report.json).toEqual(remote.json.report);

    const open = await runCli([...common, 'invoke', '--function-id', s.functionId, '--list-runs']);
    expect(open.code, open.stderr).toBe(0);
    expect(open.json).toEqual({ ok: true, action: 'list-runs', unfinished: [], truncated: false });
  });
});
