import { MonitoringClient, models } from 'oci-monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index';
import { COMPARTMENT, providerFromEnv, rawConfig } from './helpers';

describe('Monitoring PostMetricData (real SDK client, signed)', () => {
  let emu: Emulator;
  let client: MonitoringClient;
  beforeAll(async () => {
    emu = await startEmulator();
    client = new MonitoringClient({ authenticationDetailsProvider: providerFromEnv(emu.issueResourcePrincipal({ compartmentId: COMPARTMENT })) }, rawConfig);
    client.endpoint = emu.url;
  });
  afterAll(async () => emu?.stop());

  const metric = (over: Partial<models.MetricDataDetails> = {}): models.MetricDataDetails => ({
    namespace: 'reencrypt', compartmentId: COMPARTMENT, name: 'versions_failed', dimensions: { bucket: 'b' },
    datapoints: [{ timestamp: new Date(), value: 1 }], ...over,
  });
  const post = (metricData: models.MetricDataDetails[], batchAtomicity?: models.PostMetricDataDetails.BatchAtomicity) =>
    client.postMetricData({ postMetricDataDetails: { metricData, ...(batchAtomicity && { batchAtomicity }) } });
  const status = async (p: Promise<unknown>) => p.then(() => 200, (e: { statusCode?: number }) => e.statusCode);

  it('keeps what it accepts, with its namespace, compartment, name, dimensions and points', async () => {
    const r = await post([metric(), metric({ name: 'versions_reencrypted', datapoints: [{ timestamp: new Date(), value: 7, count: 2 }] })]);
    expect(r.postMetricDataResponseDetails.failedMetricsCount).toBe(0);
    expect(emu.postedMetrics.slice(-2).map((m) => [m.name, m.dimensions, m.datapoints[0]?.value, m.datapoints[0]?.count]))
      .toEqual([['versions_failed', { bucket: 'b' }, 1, 1], ['versions_reencrypted', { bucket: 'b' }, 7, 2]]);
  });

  it('NON_ATOMIC: invalid metric objects are listed as failed and the rest kept', async () => {
    const before = emu.postedMetrics.length;
    const r = await post([metric(), metric({ namespace: 'oci_reserved' }), metric({ dimensions: {} })]);
    expect(r.postMetricDataResponseDetails.failedMetricsCount).toBe(2);
    expect(r.postMetricDataResponseDetails.failedMetrics?.map((f) => f.message)).toEqual([
      "namespace 'oci_reserved' uses a reserved prefix", 'a metric needs 1 to 20 dimensions; it has 0',
    ]);
    expect(emu.postedMetrics.length).toBe(before + 1);
  });

  it('refuses a call when nothing passes, ATOMIC with any failure, over 50 streams, or stale timestamps (A27)', async () => {
    expect(await status(post([metric({ name: '1bad' })]))).toBe(400);
    expect(await status(post([metric(), metric({ name: '1bad' })], models.PostMetricDataDetails.BatchAtomicity.Atomic))).toBe(400);
    expect(await status(post(Array.from({ length: 51 }, (_, i) => metric({ dimensions: { bucket: `b${i}` } }))))).toBe(400);
    expect(await status(post(Array.from({ length: 50 }, (_, i) => metric({ dimensions: { bucket: `b${i}` } }))))).toBe(200);
    expect(await status(post([metric({ datapoints: [{ timestamp: new Date(Date.now() - 2 * 3600_000 - 1000), value: 1 }] })]))).toBe(400);
    expect(await status(post([metric({ datapoints: [{ timestamp: new Date(Date.now() + 11 * 60_000), value: 1 }] })]))).toBe(400);
  });
});
