import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../../emulator/test/helpers';
import type { PostedMetric } from '../../emulator/src/index';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { runCli, writeApiKeyConfig } from '../support/cli';
import { eventually, startStack, stateNames, stateRecord, type Stack } from '../support/stack';

const HOUR_AGO = () => new Date(Date.now() - 3_600_000);

function series(posted: readonly PostedMetric[], name: string, dimensions: Record<string, string>): number[] {
  return posted
    .filter((m) => m.name === name && Object.entries(dimensions).every(([k, v]) => m.dimensions[k] === v) && Object.keys(m.dimensions).length === Object.keys(dimensions).length)
    .flatMap((m) => m.datapoints.map((p) => p.value));
}

describe('custom metrics posted to OCI Monitoring (PostMetricData)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ eventRules: true, env: { REENCRYPT_METRICS_NAMESPACE: 'reencrypt_test' } });
  });
  afterAll(async () => s?.stop());

  async function invoke(body: object): Promise<Record<string, unknown>> {
    const { fn } = clientsFor(s.emu, s.compartmentA);
    const response = await fn.invokeFunction({ functionId: s.functionId, invokeFunctionBody: JSON.stringify(body) });
    return JSON.parse(await new Response(response.value as ReadableStream).text()) as Record<string, unknown>;
  }

  it('after a sweep: re-encrypted, failed, skipped by reason, duration and unfinished, by bucket and trigger, in the configured namespace and compartment', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'swept', kmsKeyId: s.keyId });
    s.emu.seedObjects('swept', { count: 20, prefix: 'old/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: s.keyId }, archivedEvery: 5 });
    s.emu.rotateKey(s.keyId);
    await s.emu.whenIdle();
    const calls = s.emu.getCounters().routes.PostMetricData?.calls ?? 0;
    const report = await invoke({ bucketName: 'swept' });
    expect(report).toMatchObject({ ok: true, complete: true });
    const totals = report.totals as { reencrypted: number; skipped: Record<string, number> };
    expect(s.emu.getCounters().routes.PostMetricData?.calls).toBe(calls + 1);
    const posted = s.emu.postedMetrics;
    const dims = { bucket: 'swept', trigger: 'manual' };
    expect(series(posted, 'versions_reencrypted', dims)).toEqual([totals.reencrypted]);
    expect(totals.reencrypted).toBe(16);
    expect(series(posted, 'versions_failed', dims)).toEqual([0]);
    expect(series(posted, 'versions_skipped', { ...dims, reason: 'archived' })).toEqual([4]);
    expect(series(posted, 'runs_unfinished', dims)).toEqual([0]);
    expect(series(posted, 'run_duration_seconds', dims)).toHaveLength(1);
    for (const m of posted) {
      expect(m.namespace).toBe('reencrypt_test');
      expect(m.compartmentId).toBe(s.compartmentA);
    }
  });

  it('dry runs post nothing', async () => {
    const calls = s.emu.getCounters().routes.PostMetricData?.calls ?? 0;
    expect(await invoke({ bucketName: 'swept', dryRun: true, force: true })).toMatchObject({ ok: true, dryRun: true });
    expect(s.emu.getCounters().routes.PostMetricData?.calls ?? 0).toBe(calls);
  });

  it('object events are added up in the container and posted with the next flush, not one call per object', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'uploads', kmsKeyId: s.keyId, objectEventsEnabled: true });
    const { os } = clientsFor(s.emu, s.compartmentA);
    const calls = s.emu.getCounters().routes.PostMetricData?.calls ?? 0;
    for (let i = 0; i < 5; i++) {
      await os.putObject({ namespaceName: s.namespace, bucketName: 'uploads', objectName: `u${i}`, putObjectBody: 'x', contentLength: 1 });
    }
    await s.emu.whenIdle();
    expect(s.emu.invocations.filter((i) => i.via === 'events' && i.requestBody.includes('"uploads"'))).toHaveLength(5);
    expect(s.emu.getCounters().routes.PostMetricData?.calls ?? 0).toBe(calls); // buffered: no call yet
    // The next sweep flushes the buffer: the five uploads arrive as one point of one stream.
    await invoke({ bucketName: 'swept' });
    const dims = { bucket: 'uploads', trigger: 'object-event' };
    expect(s.emu.getCounters().routes.PostMetricData?.calls).toBe(calls + 1);
    expect(series(s.emu.postedMetrics, 'versions_reencrypted', dims)).toEqual([5]);
    expect(series(s.emu.postedMetrics, 'versions_failed', dims)).toEqual([0]);
  });
});

describe('an unfinished run: runs_unfinished, and its age carried across continuations (local CLI runs)', () => {
  let emu: Emulator;
  let args: string[];
  let env: Record<string, string>;
  let compartmentId: string;
  let keyId: string;
  beforeAll(async () => {
    emu = await startEmulator();
    compartmentId = emu.createCompartment({ name: 'ops' }).id;
    const vaultId = emu.createVault({ compartmentId }).id;
    keyId = emu.createKey({ vaultId, compartmentId }).id;
    emu.createBucket({ compartmentId, name: 'long', kmsKeyId: keyId });
    emu.seedObjects('long', { count: 300, prefix: 'l/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId } });
    emu.setRouteFaults('ReencryptObject', { latencyMs: 100 });
    args = ['--config-file', writeApiKeyConfig(emu).path, '--endpoint', emu.url, '--concurrency', '2', '--no-progress'];
    env = { REENCRYPT_METRICS_NAMESPACE: 'reencrypt_test', REENCRYPT_METRICS_COMPARTMENT_ID: compartmentId };
  });
  afterAll(async () => emu?.stop());

  it('each stopped invocation posts runs_unfinished=1 and the age since the run began; the last posts 0', async () => {
    const first = await runCli(['run', ...args, '--bucket-name', 'long', '--force', '--max-duration', '4'], env);
    expect(first.code, first.stderr).toBe(4);
    const manual = { bucket: 'long', trigger: 'manual' };
    expect(series(emu.postedMetrics, 'runs_unfinished', manual)).toEqual([1]);
    const second = await runCli(['run', ...args, '--continuation', first.json.continuation as string, '--max-duration', '4'], env);
    expect(second.code, second.stderr).toBe(4);
    const resumed = { bucket: 'long', trigger: 'continuation' };
    expect(series(emu.postedMetrics, 'runs_unfinished', resumed)).toEqual([1]);
    // Measured from the first invocation's start, so at least both invocations' time.
    const [age] = series(emu.postedMetrics, 'unfinished_run_age_seconds', resumed);
    expect(age).toBeGreaterThanOrEqual(Math.floor(((first.json.elapsedMs as number) + (second.json.elapsedMs as number)) / 1000));
    emu.setRouteFaults('ReencryptObject', undefined);
    const last = await runCli(['run', ...args, '--continuation', second.json.continuation as string], env);
    expect(last.code, last.stderr).toBe(0);
    expect(series(emu.postedMetrics, 'runs_unfinished', resumed)).toEqual([1, 0]);
    expect(series(emu.postedMetrics, 'unfinished_run_age_seconds', resumed)).toEqual([age, 0]);
    const reencrypted = [...series(emu.postedMetrics, 'versions_reencrypted', manual), ...series(emu.postedMetrics, 'versions_reencrypted', resumed)];
    expect(reencrypted.reduce((a, b) => a + b, 0)).toBe(300);
  });

  it('a run that ends at its --max-duration still posts its metrics before the CLI exits', async () => {
    // Calls that outlast the budget are abandoned at its hard stop, so the run ends right at
    // --max-duration; a PostMetricData that takes longer than what is left of it must still be
    // waited for (the deadline ends new work, it kills nothing), or the points die with the process.
    emu.createBucket({ compartmentId, name: 'slow', kmsKeyId: keyId });
    emu.seedObjects('slow', { count: 4, prefix: 's/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId } });
    emu.setRouteFaults('ReencryptObject', { latencyMs: 5000 });
    emu.setRouteFaults('PostMetricData', { latencyMs: 1500 });
    try {
      const r = await runCli(['run', ...args, '--bucket-name', 'slow', '--force', '--max-duration', '2'], env);
      expect(r.code, r.stderr).toBe(4);
      expect(series(emu.postedMetrics, 'runs_unfinished', { bucket: 'slow', trigger: 'manual' })).toEqual([1]);
    } finally {
      emu.setRouteFaults('ReencryptObject', undefined);
      emu.setRouteFaults('PostMetricData', undefined);
    }
  });
});

describe('a durable run posts its metrics once, when it ends', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      // 4 in flight at 20 ms: a bucket takes several 5 s invocations. As deployed, with a failure destination: on a
      // loaded machine Fn may end a worker at its timeout before it hands over (seen under load ~15: the run never
      // ended), and its record resumes the run; the event's call only plans, given 30 s.
      eventRules: true, timeoutSeconds: 30, env: { REENCRYPT_METRICS_NAMESPACE: 'reencrypt_test', REENCRYPT_CONCURRENCY: '4' },
      runs: { checkpointSeconds: 1, detachedTimeoutSeconds: 5, maxProcesses: 3, failureDestination: true },
    });
    for (const name of ['run-a', 'run-b']) {
      s.emu.createBucket({ compartmentId: s.compartmentA, name, kmsKeyId: s.keyId });
      s.emu.seedObjects(name, { count: 1500, prefix: 'old/', timeModified: HOUR_AGO(), encryption: { kind: 'kms', keyId: s.keyId } });
    }
    s.emu.setGlobalFaults({ latencyMs: 20 });
  }, 60_000);
  afterAll(async () => s?.stop());

  it('the invocation that stores the final report posts each bucket\'s counts with the rotation as trigger; earlier turns post nothing', async () => {
    s.emu.rotateKey(s.keyId);
    const report = await eventually(() => {
      const name = stateNames(s.emu, 'runs/').find((n) => n.endsWith('/report.json'));
      return name ? stateRecord(s.emu, name) : undefined;
    }, 'the stored report');
    await s.emu.whenIdle();
    s.emu.setGlobalFaults(undefined);
    expect(report).toMatchObject({ complete: true, totals: { reencrypted: 3000, failed: 0 } });
    expect(report.invocations).toBeGreaterThan(1);
    const posted = s.emu.postedMetrics;
    for (const bucket of ['run-a', 'run-b']) {
      expect(series(posted, 'versions_reencrypted', { bucket, trigger: 'key-rotation' })).toEqual([1500]);
      expect(series(posted, 'versions_failed', { bucket, trigger: 'key-rotation' })).toEqual([0]);
    }
    expect(series(posted, 'runs_unfinished', { bucket: '*', trigger: 'key-rotation' })).toEqual([0]);
    expect(series(posted, 'run_duration_seconds', { bucket: '*', trigger: 'key-rotation' })).toHaveLength(1);
  }, 180_000);
});
