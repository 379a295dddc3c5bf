/**
 * Thousands of invocations in one container, with what an attacker controls
 * in the event (bucket names): what the container keeps from one invocation
 * to the next must stay bounded. The handler runs in this process (as in
 * dist/func.js: same edge, runner and module-level state) against the emulator.
 *
 * Metrics: object events add their points to the container's buffer and post
 * it when due; what cannot be posted is kept for the next flush. With
 * PostMetricData failing (Monitoring down, or the policy missing) and each
 * event naming a new bucket, the buffer grew by five streams per event.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { loadConfig } from '../../src/config';
import { createHandler } from '../../src/handler';
import { captureConsoleWarnings, createLogger } from '../../src/log';
import { containerMetrics, MAX_BUFFERED_STREAMS } from '../../src/metrics/publisher';
import type { HandlerResult } from '../../src/response';
import { runRequest } from '../../src/run';
import { objectEvent } from '../support/events';

interface Harness {
  readonly emu: Emulator;
  /** What the function logged at warn and above. */
  readonly logged: Record<string, unknown>[];
  invoke(body: string): Promise<HandlerResult>;
}

/** As support/in-process.ts, with Monitoring at the emulator too (metrics are off there). */
async function start(): Promise<Harness> {
  const emu = await startEmulator();
  const compartmentId = emu.createCompartment({ name: 'growth' }).id;
  const vault = emu.createVault({ compartmentId, displayName: 'growth-vault' });
  Object.assign(process.env, emu.issueResourcePrincipal({ compartmentId }));
  const config = loadConfig({
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: emu.url, REENCRYPT_KMS_VAULT_ENDPOINT: emu.url, REENCRYPT_SECRETS_ENDPOINT: emu.url,
    REENCRYPT_MONITORING_ENDPOINT: emu.url, REENCRYPT_METRICS_NAMESPACE: 'reencrypt_test', REENCRYPT_METRICS_COMPARTMENT_ID: compartmentId,
    REENCRYPT_COMPARTMENT_IDS: compartmentId, REENCRYPT_VAULT_IDS: vault.id, REENCRYPT_MAX_ATTEMPTS: '1', REENCRYPT_LOG_LEVEL: 'warn',
  });
  const logged: Record<string, unknown>[] = [];
  const logger = createLogger('warn', {}, (line) => logged.push(JSON.parse(line) as Record<string, unknown>));
  captureConsoleWarnings(createLogger('error', {}, () => undefined));
  const handle = createHandler({ config, run: runRequest, logger: () => logger });
  return {
    emu, logged,
    invoke: (body) => handle(Buffer.from(body, 'utf8'), { callId: randomUUID(), deadline: new Date(Date.now() + 30_000), caller: {} }),
  };
}

describe('what the container keeps across invocations stays bounded', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start();
  });
  afterAll(async () => h?.emu.stop());

  it('the metric buffer, with PostMetricData failing and every object event naming another bucket', async () => {
    h.emu.setRouteFaults('PostMetricData', { p503: 1 });
    const namespace = 'emulatorns';
    // Five streams per event (re-encrypted and failed for the bucket; duration, unfinished and age for the run).
    const events = MAX_BUFFERED_STREAMS / 5 + 40;
    for (let i = 0; i < events; i += 1) {
      const r = await h.invoke(JSON.stringify(objectEvent({ namespace, bucketName: `ghost-${i}`, objectName: 'o' })));
      expect(r.status).toBe(200);
      expect(containerMetrics.size).toBeLessThanOrEqual(MAX_BUFFERED_STREAMS);
    }
    expect(h.emu.getCounters().routes.PostMetricData?.calls ?? 0).toBeGreaterThan(0);
    expect(h.logged.filter((l) => String(l.msg).startsWith('metrics dropped')).length).toBeGreaterThan(0);
    // Once Monitoring answers again, what was kept is posted: the newest points, not none.
    h.emu.setRouteFaults('PostMetricData', undefined);
    await h.invoke(JSON.stringify(objectEvent({ namespace, bucketName: 'ghost-last', objectName: 'o' })));
    expect(containerMetrics.size).toBe(0);
    expect(h.emu.postedMetrics.some((m) => m.dimensions.bucket === 'ghost-last')).toBe(true);
  }, 120_000);
});
