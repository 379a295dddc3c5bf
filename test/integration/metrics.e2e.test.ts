import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientsFor } from '../../emulator/test/helpers';
import type { PostedMetric } from '../../emulator/src/index';
import { startStack, type Stack } from '../support/stack';

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
