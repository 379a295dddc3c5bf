import * as common from 'oci-common';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, start } from './helpers';

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function withBucket(seed: number): Promise<{ emu: Emulator; c: Clients; ns: string }> {
  const s = await start({ seed });
  running.push(s.emu);
  s.emu.createBucket({ compartmentId: COMPARTMENT, name: 'f' });
  return s;
}

/** Outcome of each of n GetBucket calls: 'ok' or the HTTP status (or 'net' for a dropped connection). */
async function outcomes(s: { c: Clients; ns: string }, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await s.c.os.getBucket({ namespaceName: s.ns, bucketName: 'f' });
      out.push('ok');
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      out.push(typeof status === 'number' && status > 0 ? String(status) : 'net');
    }
  }
  return out;
}

describe('fault injection', () => {
  it('fails about half of 400 calls on a route set to 50% 503, and counts them', async () => {
    const s = await withBucket(42);
    s.emu.setRouteFaults('GetBucket', { p503: 0.5 });
    const seq = await outcomes(s, 400);
    const failed = seq.filter((o) => o === '503').length;
    expect(failed).toBeGreaterThan(150);
    expect(failed).toBeLessThan(250);
    expect(seq.filter((o) => o !== 'ok' && o !== '503')).toEqual([]);
    const counters = s.emu.getCounters();
    expect(counters.routes['GetBucket']).toMatchObject({ calls: 400, faults: { '503': failed } });
    expect(counters.routes['GetBucket']?.statuses).toEqual({ 200: 400 - failed, 503: failed });
    // Other routes are untouched.
    await s.c.os.getNamespace({});
    expect(s.emu.getCounters().routes['GetNamespace']?.faults['503']).toBe(0);
  });

  it('reproduces the same fault sequence from the same seed, and a different one from another seed', async () => {
    const runs: string[][] = [];
    for (const seed of [7, 7, 8]) {
      const s = await withBucket(seed);
      s.emu.setRouteFaults('GetBucket', { p503: 0.3, p429: 0.1, p500: 0.1 });
      runs.push(await outcomes(s, 120));
    }
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]).not.toEqual(runs[2]);
    expect(new Set(runs[0])).toEqual(new Set(['ok', '503', '429', '500']));
  });

  it('sends retry-after with 429 TooManyRequests and an OCI error body', async () => {
    const s = await withBucket(1);
    s.emu.setGlobalFaults({ p429: 1, retryAfterSeconds: 3 });
    // A raw call signed by the SDK's signer, so the headers can be read.
    const headers = new Headers();
    const uri = `${s.emu.url}/n/${s.ns}/b/f`;
    await new common.DefaultRequestSigner(s.c.provider).signHttpRequest({ method: 'GET', headers, uri, body: undefined });
    const raw = await fetch(uri, { headers });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(raw.headers.get('opc-request-id')).toBeTruthy();
    expect(await raw.json()).toMatchObject({ code: 'TooManyRequests' });
    const r = await s.c.os.getBucket({ namespaceName: s.ns, bucketName: 'f' }).catch((e: { statusCode: number; serviceCode: string; opcRequestId: string }) => e);
    expect(r).toMatchObject({ statusCode: 429, serviceCode: 'TooManyRequests' });
    expect((r as { opcRequestId: string }).opcRequestId).toBeTruthy();
    s.emu.setGlobalFaults(undefined);
    await s.c.os.getBucket({ namespaceName: s.ns, bucketName: 'f' });
  });

  it('drops connections, and a per-route setting overrides the global one', async () => {
    const s = await withBucket(3);
    s.emu.setFaults({ global: { pDrop: 1 }, routes: { GetNamespace: {} } });
    expect(await outcomes(s, 3)).toEqual(['net', 'net', 'net']);
    await s.c.os.getNamespace({});
    expect(s.emu.getCounters().routes['GetBucket']?.faults.drop).toBe(3);
  });

  it('can fail after the write took effect (an ambiguous failure)', async () => {
    const s = await withBucket(13);
    s.emu.setRouteFaults('PutObject', { pLate500: 1 });
    const f = await s.c.os.putObject({ namespaceName: s.ns, bucketName: 'f', objectName: 'late', putObjectBody: 'x', contentLength: 1 }).catch((e: { statusCode: number }) => e);
    expect((f as { statusCode: number }).statusCode).toBe(500);
    expect(s.emu.readEncryption('f').map((r) => r.name)).toEqual(['late']);
    expect(s.emu.getCounters().routes['PutObject']).toMatchObject({ writes: 1, faults: { late500: 1 } });
  });

  it('adds latency without failing calls', async () => {
    const s = await withBucket(5);
    s.emu.setRouteFaults('GetBucket', { latencyMs: 5, jitterMs: 5 });
    expect(await outcomes(s, 5)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('counts writes separately so a dry run can prove it wrote nothing', async () => {
    const s = await withBucket(9);
    s.emu.seedObjects('f', { count: 10 });
    s.emu.resetCounters();
    await s.c.os.listObjects({ namespaceName: s.ns, bucketName: 'f' });
    await s.c.os.headObject({ namespaceName: s.ns, bucketName: 'f', objectName: 'object-0' });
    expect(s.emu.getCounters().writes).toBe(0);
    await s.c.os.reencryptObject({ namespaceName: s.ns, bucketName: 'f', objectName: 'object-0', reencryptObjectDetails: {} });
    await s.c.os.putObject({ namespaceName: s.ns, bucketName: 'f', objectName: 'n', putObjectBody: 'x', contentLength: 1 });
    expect(s.emu.getCounters()).toMatchObject({ writes: 2, routes: { ReencryptObject: { writes: 1 }, PutObject: { writes: 1 } } });
    s.emu.resetCounters();
    expect(s.emu.getCounters()).toEqual({ routes: {}, totalCalls: 0, totalFaults: 0, writes: 0 });
  });

  it('is configurable over the admin surface', async () => {
    const s = await withBucket(11);
    const put = await fetch(`${s.emu.url}/_emulator/faults`, { method: 'PUT', body: JSON.stringify({ routes: { GetBucket: { p500: 1 } } }) });
    expect(await put.json()).toEqual({ routes: { GetBucket: { p500: 1 } } });
    expect(await outcomes(s, 2)).toEqual(['500', '500']);
    const counters = (await (await fetch(`${s.emu.url}/_emulator/counters`)).json()) as { routes: Record<string, { faults: Record<string, number> }> };
    expect(counters.routes['GetBucket']?.faults['500']).toBe(2);
  });
});

describe('alternate faults', () => {
  it('answer every other request with the fault, from the first after the setting is made, per setting', async () => {
    const s = await withBucket(1);
    s.emu.setRouteFaults('GetBucket', { alternate: '429', retryAfterSeconds: 2 });
    expect(await outcomes(s, 5)).toEqual(['429', 'ok', '429', 'ok', '429']);
    // Set again: it starts over with the fault.
    s.emu.setRouteFaults('GetBucket', { alternate: '503' });
    expect(await outcomes(s, 2)).toEqual(['503', 'ok']);
    // Another bucket's setting counts its own requests.
    s.emu.setRouteFaults('GetBucket', undefined);
    s.emu.setRouteFaults('GetBucket@f', { alternate: '429' });
    expect(await outcomes(s, 3)).toEqual(['429', 'ok', '429']);
    expect(s.emu.getCounters().routes['GetBucket']?.faults['429']).toBe(5);
  });
});
