import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { InvalidConfigurationError } from '../../src/errors';
import { FLUSH_AFTER_MS, MetricBuffer } from '../../src/metrics/publisher';
import { ALL_BUCKETS, MetricNames, runMetrics, type RunSummary } from '../../src/metrics/run-metrics';
import { emptySkips } from '../../src/report/report';

const bucket = (bucketName: string, over: Partial<{ reencrypted: number; failed: number; skipped: Record<string, number> }> = {}) => ({
  bucketName, reencrypted: over.reencrypted ?? 0, failed: over.failed ?? 0, skipped: { ...emptySkips(), ...over.skipped },
});
const run = (over: Partial<RunSummary>): RunSummary => ({ action: 'swept', dryRun: false, complete: true, elapsedMs: 1500, runStartedAt: 0, buckets: [], ...over });

describe('the metrics of a run', () => {
  it('per bucket: re-encrypted, failed, and skipped by reason (non-zero only); per run: duration and unfinished', () => {
    const points = runMetrics(run({ complete: false, runStartedAt: 1_000, buckets: [bucket('a', { reencrypted: 5, failed: 2, skipped: { compliant: 3, archived: 1 } })] }), 'manual', 7_201_000);
    expect(points).toEqual(expect.arrayContaining([
      { name: MetricNames.reencrypted, dimensions: { bucket: 'a', trigger: 'manual' }, value: 5, combine: 'sum' },
      { name: MetricNames.failed, dimensions: { bucket: 'a', trigger: 'manual' }, value: 2, combine: 'sum' },
      { name: MetricNames.skipped, dimensions: { bucket: 'a', trigger: 'manual', reason: 'compliant' }, value: 3, combine: 'sum' },
      { name: MetricNames.skipped, dimensions: { bucket: 'a', trigger: 'manual', reason: 'archived' }, value: 1, combine: 'sum' },
      { name: MetricNames.duration, dimensions: { bucket: 'a', trigger: 'manual' }, value: 1.5, combine: 'max' },
      { name: MetricNames.unfinished, dimensions: { bucket: 'a', trigger: 'manual' }, value: 1, combine: 'max' },
      { name: MetricNames.unfinishedAge, dimensions: { bucket: 'a', trigger: 'manual' }, value: 7200, combine: 'max' },
    ]));
    expect(points).toHaveLength(7);
  });

  it('a run over several buckets says bucket "*" on its run-level metrics', () => {
    const points = runMetrics(run({ buckets: [bucket('a'), bucket('b')] }), 'key-rotation');
    expect(points.filter((p) => p.name === MetricNames.duration || p.name === MetricNames.unfinished).map((p) => p.dimensions.bucket)).toEqual([ALL_BUCKETS, ALL_BUCKETS]);
    expect(points.find((p) => p.name === MetricNames.unfinishedAge)?.value).toBe(0);
  });

  it('dry runs, ignored and acknowledged events post nothing', () => {
    expect(runMetrics(run({ dryRun: true, buckets: [bucket('a', { reencrypted: 1 })] }), 'manual')).toEqual([]);
    expect(runMetrics(run({ action: 'ignored' }), 'object-event')).toEqual([]);
    expect(runMetrics(run({ action: 'acknowledged' }), 'key-rotation')).toEqual([]);
  });
});

describe('the container\'s metric buffer', () => {
  it('adds counts and keeps the largest gauge per stream, whatever the dimension order', () => {
    const b = new MetricBuffer();
    for (let i = 0; i < 100; i++) {
      b.add(runMetrics(run({ action: 'reencrypted-object', elapsedMs: i * 10, buckets: [bucket('up', { reencrypted: 1 })] }), 'object-event'), 0);
    }
    b.add([{ name: MetricNames.reencrypted, dimensions: { trigger: 'object-event', bucket: 'up' }, value: 1, combine: 'sum' }], 0);
    const drained = b.drain();
    expect(drained).toHaveLength(5);
    expect(drained.find((s) => s.name === MetricNames.reencrypted)?.value).toBe(101);
    expect(drained.find((s) => s.name === MetricNames.duration)?.value).toBe(0.99);
    expect(b.size).toBe(0);
  });

  it('is due once its oldest point is a minute old, or when 50 streams wait', () => {
    const b = new MetricBuffer();
    b.add([{ name: 'x', dimensions: { bucket: 'a' }, value: 1, combine: 'sum' }], 1000);
    expect(b.due(1000 + FLUSH_AFTER_MS - 1)).toBe(false);
    expect(b.due(1000 + FLUSH_AFTER_MS)).toBe(true);
    const many = new MetricBuffer();
    for (let i = 0; i < 50; i++) many.add([{ name: 'x', dimensions: { bucket: `b${i}` }, value: 1, combine: 'sum' }], 1000);
    expect(many.due(1000)).toBe(true);
  });
});

describe('metrics configuration', () => {
  const compartment = 'ocid1.compartment.oc1..aaaa';
  it('off when the namespace is unset; on with a namespace and a compartment', () => {
    expect(loadConfig({}).metrics).toBeUndefined();
    expect(loadConfig({ REENCRYPT_METRICS_NAMESPACE: 'reencrypt', REENCRYPT_METRICS_COMPARTMENT_ID: compartment }).metrics)
      .toEqual({ namespace: 'reencrypt', compartmentId: compartment });
  });

  it.each([['oci_reencrypt'], ['oracle_x'], ['1abc'], ['has-dash']])('refuses the namespace %s (Monitoring\'s rules)', (namespace) => {
    expect(() => loadConfig({ REENCRYPT_METRICS_NAMESPACE: namespace, REENCRYPT_METRICS_COMPARTMENT_ID: compartment })).toThrow(/REENCRYPT_METRICS_NAMESPACE/);
  });

  it('a namespace needs a compartment', () => {
    try {
      loadConfig({ REENCRYPT_METRICS_NAMESPACE: 'reencrypt' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigurationError);
      expect((err as InvalidConfigurationError).details).toEqual([{ field: 'REENCRYPT_METRICS_COMPARTMENT_ID', problem: 'is required when REENCRYPT_METRICS_NAMESPACE is set' }]);
    }
  });
});
