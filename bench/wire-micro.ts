/**
 * CPU per call of the wire side alone (a developer tool, not part of `npm run bench`): the HTTP
 * client (`WireHttpClient.send`) with our signer or a stand-in that sets an authorization header
 * of the real size, against a trivial keep-alive server in another process that answers like
 * OCI's ReencryptObject (200, opc-request-id, no body). Two builds of src/oci are compared
 * interleaved (batches of `--batch` calls, `--rounds` rounds, median of per-round ratios):
 *   tsx bench/wire-micro.ts BASE_DIR NEW_DIR [--mode=unsigned|signed] [--concurrency=16] [--batch=400] [--rounds=20]
 * where each DIR holds http-client.ts, signer.ts, light-headers.ts and their imports (e.g. a
 * copy of main's src/oci and this tree's src/oci).
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import type { AuthenticationDetailsProvider, HttpRequest, RequestSigner } from 'oci-common';
import { arg } from './lib/args';

const SERVER = `
const http = require('node:http');
let n = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (n++ === 0) process.send({ first: { method: req.method, url: req.url, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() } });
    res.setHeader('opc-request-id', String(req.headers['opc-request-id']) + '/A1B2C3D4E5F6');
    res.setHeader('content-length', '0');
    res.statusCode = 200;
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

interface Build {
  name: string;
  client: { send(req: HttpRequest, forceExcludeBody?: boolean, targetService?: string, operationName?: string): Promise<Response> };
  /** Runs one call in a per-call context, as Oci.call does. */
  inCall<T>(fn: () => Promise<T>): Promise<T>;
  Headers: typeof Headers;
}

/** A stand-in for the resource principal: a long RPST-like key id, an RSA-2048 key. */
function provider(): AuthenticationDetailsProvider {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const keyId = `ST$${'eyJraWQiOiJhc3dfb2MxXzEyMyIsImFsZyI6IlJTMjU2In0'}.${'x'.repeat(1050)}.${'y'.repeat(342)}`;
  return { getKeyId: async () => keyId, getPrivateKey: () => pem, getPassphrase: () => null } as unknown as AuthenticationDetailsProvider;
}

async function load(dir: string, mode: string, auth: AuthenticationDetailsProvider): Promise<Build> {
  const http = (await import(resolve(dir, 'http-client.ts'))) as typeof import('../src/oci/http-client');
  const signerModule = (await import(resolve(dir, 'signer.ts'))) as typeof import('../src/oci/signer');
  const headersModule = (await import(resolve(dir, 'light-headers.ts'))) as typeof import('../src/oci/light-headers');
  const { callContext } = (await import(resolve(dir, 'call-context.ts'))) as typeof import('../src/oci/call-context');
  const apiCalls = new Map<string, number>();
  const inCall = <T>(fn: () => Promise<T>): Promise<T> => (process.env.WIRE_MICRO_NO_CONTEXT ? fn() : callContext.run({
    operation: 'ReencryptObject', hardStopAt: Date.now() + 600_000, maxAttempts: 8, apiCalls, attempts: 0, outOfTime: false,
  }, fn));
  const authorization = `Signature version="1",keyId="${await auth.getKeyId()}",algorithm="rsa-sha256",headers="x-date (request-target) host content-type content-length x-content-sha256",signature="${'S'.repeat(344)}"`;
  const standIn: RequestSigner = {
    signHttpRequest: async (req) => {
      req.headers.set('x-date', new Date().toUTCString());
      req.headers.set('x-content-sha256', 'RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=');
      req.headers.set('content-length', '2');
      req.headers.set('authorization', authorization);
    },
  };
  const signer = mode === 'signed' ? new signerModule.CachedKeyRequestSigner(auth, { inThreadpool: true }) : standIn;
  return { name: dir, inCall, client: new http.WireHttpClient(signer), Headers: headersModule.LightHeaders as unknown as typeof Headers };
}

/** The request the SDK composes for ReencryptObject (headers as in the bundle, before signing). */
function request(b: Build, endpoint: string, i: number): HttpRequest {
  const headers = new b.Headers();
  headers.set('opc-client-info', 'Oracle-TypeScriptSDK/2.139.1');
  headers.set('opc-request-id', `0F1E2D3C4B5A69788796A5B4C3D2E1F${String(i % 10).padStart(1, '0')}`);
  headers.set('user-agent', 'Oracle-TypeScriptSDK/2.139.1 (linux/20.20.2; x64) Oracle-Node/20.20.2');
  headers.set('content-type', 'application/json');
  return {
    method: 'POST', uri: `${endpoint}/n/ns/b/tp-bucket/actions/reencrypt/tp%2Fo-${i}?versionId=v${i}`,
    headers, body: '{}',
  } as unknown as HttpRequest;
}

async function batch(b: Build, endpoint: string, n: number, concurrency: number): Promise<number> {
  let next = 0;
  const c0 = process.cpuUsage();
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      const res = await b.inCall(() => b.client.send(request(b, endpoint, i), false, 'objectstorage', 'ReencryptObject'));
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.text();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (dirs.length !== 2) throw new Error('usage: tsx bench/wire-micro.ts BASE_DIR NEW_DIR [--mode=unsigned|signed]');
  const mode = arg('mode', 'unsigned');
  const concurrency = Number(arg('concurrency', '16'));
  const n = Number(arg('batch', '400'));
  const rounds = Number(arg('rounds', '20'));
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((ok) => server.on('message', (m: { port?: number }) => m.port && ok(m.port)));
  server.on('message', (m: { first?: unknown }) => m.first && process.env.WIRE_MICRO_SHOW && console.log(JSON.stringify(m.first, null, 1)));
  const endpoint = `http://127.0.0.1:${port}`;
  const auth = provider();
  const builds = [await load(dirs[0] as string, mode, auth), await load(dirs[1] as string, mode, auth)] as const;
  for (const b of builds) await batch(b, endpoint, n, concurrency); // warm
  for (const b of builds) await batch(b, endpoint, n, concurrency);
  const ratios: number[] = [];
  const us: [number[], number[]] = [[], []];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    const got: number[] = [0, 0];
    for (const k of order) got[k] = await batch(builds[k] as Build, endpoint, n, concurrency);
    us[0].push(got[0] as number);
    us[1].push(got[1] as number);
    ratios.push((got[1] as number) / (got[0] as number));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)] as number;
  console.log(`wire-micro ${process.version} mode=${mode} c=${concurrency}: base ${median(us[0]).toFixed(1)} µs/call, new ${median(us[1]).toFixed(1)} µs/call, new/base median ${median(ratios).toFixed(3)} (q25 ${q(ratios, 0.25).toFixed(3)}, q75 ${q(ratios, 0.75).toFixed(3)}); diff ${(median(us[1]) - median(us[0])).toFixed(1)} µs`);
  server.kill();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
