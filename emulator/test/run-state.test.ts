/**
 * What durable runs need from the emulator, through the real SDK: object
 * bodies, conditional writes with OCI's 412 answers, lifecycle policies,
 * GetFunction, containers started on demand, and failure destinations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FunctionsManagementClient } from 'oci-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, failure, rawConfig, start } from './helpers';

let emu: Emulator;
let c: Clients;
let ns: string;

beforeAll(async () => {
  ({ emu, c, ns } = await start());
  emu.createBucket({ compartmentId: COMPARTMENT, name: 'state' });
});
afterAll(() => emu.stop());

async function text(value: unknown): Promise<string> {
  return new Response(value as ReadableStream<Uint8Array>).text();
}

describe('conditional object writes', () => {
  it('keeps the body PutObject sent and returns it with its ETag', async () => {
    const put = await c.os.putObject({ namespaceName: ns, bucketName: 'state', objectName: 'runs/a.json', putObjectBody: '{"n":1}', contentLength: 7 });
    const got = await c.os.getObject({ namespaceName: ns, bucketName: 'state', objectName: 'runs/a.json' });
    expect(await text(got.value)).toBe('{"n":1}');
    expect(got.eTag).toBe(put.eTag);
  });

  it('if-none-match: * creates once, then answers 412 IfNoneMatchFailed', async () => {
    const args = { namespaceName: ns, bucketName: 'state', objectName: 'runs/once.json', putObjectBody: 'x', contentLength: 1, ifNoneMatch: '*' };
    await c.os.putObject(args);
    expect(await failure(c.os.putObject(args))).toEqual({ statusCode: 412, serviceCode: 'IfNoneMatchFailed' });
  });

  it('if-match replaces only the ETag it names, on PutObject, GetObject and DeleteObject', async () => {
    const base = { namespaceName: ns, bucketName: 'state', objectName: 'runs/cas.json' };
    const first = await c.os.putObject({ ...base, putObjectBody: 'v1', contentLength: 2 });
    const second = await c.os.putObject({ ...base, putObjectBody: 'v2', contentLength: 2, ifMatch: first.eTag });
    expect(second.eTag).not.toBe(first.eTag);
    expect(await failure(c.os.putObject({ ...base, putObjectBody: 'v3', contentLength: 2, ifMatch: first.eTag }))).toEqual({ statusCode: 412, serviceCode: 'IfMatchFailed' });
    expect(await failure(c.os.getObject({ ...base, ifMatch: first.eTag }))).toEqual({ statusCode: 412, serviceCode: 'IfMatchFailed' });
    expect(await failure(c.os.deleteObject({ ...base, ifMatch: first.eTag }))).toEqual({ statusCode: 412, serviceCode: 'IfMatchFailed' });
    expect(await text((await c.os.getObject(base)).value)).toBe('v2');
    await c.os.deleteObject({ ...base, ifMatch: second.eTag });
    expect(await failure(c.os.getObject(base))).toEqual({ statusCode: 404, serviceCode: 'ObjectNotFound' });
    // if-match on a name that does not exist
    expect(await failure(c.os.putObject({ ...base, putObjectBody: 'v4', contentLength: 2, ifMatch: second.eTag }))).toEqual({ statusCode: 412, serviceCode: 'IfMatchFailed' });
  });

  it('faults can target one bucket: the state bucket fails while others answer', async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'other' });
    emu.setRouteFaults('PutObject@state', { p503: 1 });
    try {
      expect(await failure(c.os.putObject({ namespaceName: ns, bucketName: 'state', objectName: 'f', putObjectBody: 'x', contentLength: 1 }))).toEqual({ statusCode: 503, serviceCode: 'ServiceUnavailable' });
      await c.os.putObject({ namespaceName: ns, bucketName: 'other', objectName: 'f', putObjectBody: 'x', contentLength: 1 });
    } finally {
      emu.setRouteFaults('PutObject@state', undefined);
    }
  });
});

describe('object lifecycle policy', () => {
  it('stores the rules PutObjectLifecyclePolicy sends and answers them on Get; 404 once deleted', async () => {
    const rule = { name: 'expire-runs', action: 'DELETE', timeAmount: 30, timeUnit: 'DAYS' as never, isEnabled: true };
    await c.os.putObjectLifecyclePolicy({ namespaceName: ns, bucketName: 'state', putObjectLifecyclePolicyDetails: { items: [rule] } });
    const got = await c.os.getObjectLifecyclePolicy({ namespaceName: ns, bucketName: 'state' });
    expect(got.objectLifecyclePolicy.items).toEqual([rule]);
    await c.os.deleteObjectLifecyclePolicy({ namespaceName: ns, bucketName: 'state' });
    expect((await failure(c.os.getObjectLifecyclePolicy({ namespaceName: ns, bucketName: 'state' }))).statusCode).toBe(404);
    expect((await failure(c.os.putObjectLifecyclePolicy({ namespaceName: ns, bucketName: 'state', putObjectLifecyclePolicyDetails: { items: [{ ...rule, timeUnit: 'WEEKS' as never }] } }))).statusCode).toBe(400);
  });
});

describe('functions: GetFunction, containers on demand, failure destinations', () => {
  const echo = join(__dirname, 'fixtures', 'echo-fn.js');
  let fnId: string;
  let subscriberId: string;
  beforeAll(() => {
    subscriberId = emu.registerFunction({ pool: { script: echo, env: {}, maxProcesses: 1 }, timeoutSeconds: 30 });
    const topicId = emu.functions.createTopic([subscriberId]);
    fnId = emu.registerFunction({
      pool: { script: echo, env: {}, maxProcesses: 2 }, timeoutSeconds: 30, detachedTimeoutSeconds: 60,
      failureDestination: { kind: 'NOTIFICATION', topicId },
    });
  });

  it('GetFunction answers the invoke endpoint and the detached timeout', async () => {
    const client = new FunctionsManagementClient({ authenticationDetailsProvider: c.provider }, rawConfig);
    client.endpoint = emu.url;
    const r = await client.getFunction({ functionId: fnId });
    expect(r.function).toMatchObject({ id: fnId, invokeEndpoint: emu.url, detachedModeTimeoutInSeconds: 60, lifecycleState: 'ACTIVE' });
    expect((await failure(client.getFunction({ functionId: 'ocid1.fnfunc.oc1.phx.nope' }))).statusCode).toBe(404);
  });

  it('runs detached invocations at once in separate containers, up to the cap', async () => {
    const pool = emu.functions.functions.get(fnId)?.pool;
    const startedBefore = pool?.started ?? 0;
    // Each call is held until the test releases it: all three are in at once however slowly containers start.
    const release = join(mkdtempSync(join(tmpdir(), 'hold-')), 'release');
    for (let i = 0; i < 3; i++) {
      await c.fn.invokeFunction({ functionId: fnId, invokeFunctionBody: JSON.stringify({ holdFile: release, i }), fnInvokeType: 'detached' as never });
    }
    const busy = () => pool?.live.filter((x) => x.busyWith !== undefined).length ?? 0;
    // A hang guard only (counts, not a clock): two containers take two calls, the third waits for one.
    for (let i = 0; i < 3000 && busy() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(busy()).toBe(2);
    expect(emu.invocations.filter((x) => x.functionId === fnId && x.finishedAt === undefined)).toHaveLength(3);
    writeFileSync(release, '');
    await emu.functions.whenIdle();
    expect(emu.invocations.filter((x) => x.functionId === fnId).slice(-3).map((x) => x.status)).toEqual([200, 200, 200]);
    // No third container was started for the third call: it ran in one of the two.
    expect((pool?.started ?? 0) - startedBefore).toBe(2);
    expect(pool?.live.length).toBe(2);
    expect(new Set(pool?.live.map((x) => x.process.pid)).size).toBe(2);
  }, 60_000);

  it('sends a failed detached invocation to its failure destination, which invokes the subscriber', async () => {
    await c.fn.invokeFunction({ functionId: fnId, invokeFunctionBody: JSON.stringify({ fail: true }), fnInvokeType: 'detached' as never });
    await emu.whenIdle();
    const record = JSON.parse(emu.functions.published.at(-1)?.message ?? '{}') as Record<string, unknown>;
    expect(record).toMatchObject({ functionId: fnId, status: 'FAILED', invokeType: 'detached' });
    const delivered = emu.invocations.filter((i) => i.via === 'notifications' && i.functionId === subscriberId);
    expect(delivered.map((d) => JSON.parse(d.requestBody))).toContainEqual(record);
  }, 30_000);

  it('replaces a container that died; the call it was serving fails', async () => {
    const pool = emu.functions.functions.get(fnId)?.pool;
    const started = pool?.started ?? 0;
    // Held until killed: the file is never written.
    const never = join(mkdtempSync(join(tmpdir(), 'hold-')), 'never');
    await c.fn.invokeFunction({ functionId: fnId, invokeFunctionBody: JSON.stringify({ holdFile: never }), fnInvokeType: 'detached' as never });
    let busy;
    for (let i = 0; i < 3000 && !busy; i++) {
      busy = pool?.live.find((x) => x.busyWith?.includes(never));
      if (!busy) await new Promise((r) => setTimeout(r, 20));
    }
    expect(busy).toBeDefined();
    busy?.process.kill('SIGKILL');
    await emu.whenIdle();
    const last = emu.invocations.filter((i) => i.functionId === fnId).at(-1);
    expect(last?.error).toBeDefined();
    const r = await c.fn.invokeFunction({ functionId: fnId, invokeFunctionBody: JSON.stringify({ ok: 1 }) });
    expect(await text(r.value)).toContain('"ok":1');
    expect(pool?.started ?? 0).toBeGreaterThanOrEqual(started);
  }, 60_000);
});
