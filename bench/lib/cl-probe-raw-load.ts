/**
 * A load of signed ReencryptObject requests for the emulator alone, without the function: requests shaped as
 * dist/func.js sends them (the same headers, the same signed header list, an empty body), signed once each with
 * the resource principal's session key, then written on `connections` keep-alive sockets, one request at a time
 * per socket, over and over. The emulator does all its work for each (parsing, signature verification, the
 * version update, the injected latency, the answer) while this process only writes bytes, so the emulator's
 * CPU per request can be measured without the function's CPU competing for its cores (bench/emu-ab.ts).
 */
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { EncryptionRow, ResourcePrincipalEnv, SeedGenerator } from '../../emulator/src/index';

export interface RawLoadTarget {
  /** http://127.0.0.1:PORT */
  url: string;
  namespace: string;
  bucket: string;
  /** Object names and version ids to address, used round-robin. */
  versions: readonly { name: string; versionId: string }[];
  /** OCI_RESOURCE_PRINCIPAL_RPST and OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM of an issued resource principal. */
  rpst: string;
  privateKeyPem: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('base64');

/**
 * The request bytes for each version, signed now (the emulator accepts a date within its clock-skew tolerance: sign
 * shortly before use); with `listEvery`, a ListObjectVersions page request (`limit=1000`, as the function lists) after every that many.
 */
export function signedRequests(t: RawLoadTarget, listEvery = 0): Buffer[] {
  const host = new URL(t.url).host;
  const key = createPrivateKey(t.privateKeyPem);
  const date = new Date().toUTCString();
  const keyId = `ST$${t.rpst}`;
  const listing = (i: number): Buffer => {
    const target = `/n/${encodeURIComponent(t.namespace)}/b/${encodeURIComponent(t.bucket)}/objectversions?limit=1000&fields=name,timeCreated,timeModified,storageTier,archivalState`;
    const signature = sign('sha256', Buffer.from(`x-date: ${date}\n(request-target): get ${target}\nhost: ${host}`), key).toString('base64');
    const authorization = `Signature version="1",keyId="${keyId}",algorithm="rsa-sha256",headers="x-date (request-target) host",signature="${signature}"`;
    return Buffer.from(
      `GET ${target} HTTP/1.1\r\nauthorization: ${authorization}\r\ncontent-type: application/json\r\nhost: ${host}\r\nopc-request-id: L${i}\r\n`
      + `user-agent: Oracle-TypeScriptSDK/2.139.1 (linux; Node/${process.version})\r\nx-date: ${date}\r\nConnection: keep-alive\r\n\r\n`,
    );
  };
  return t.versions.flatMap(({ name, versionId }, i) => {
    const target = `/n/${encodeURIComponent(t.namespace)}/b/${encodeURIComponent(t.bucket)}/actions/reencrypt/${encodeURIComponent(name)}?versionId=${encodeURIComponent(versionId)}`;
    const signing = `x-date: ${date}\n(request-target): post ${target}\nhost: ${host}\ncontent-type: application/json\ncontent-length: 0\nx-content-sha256: ${EMPTY_SHA256}`;
    const signature = sign('sha256', Buffer.from(signing), key).toString('base64');
    const authorization = `Signature version="1",keyId="${keyId}",algorithm="rsa-sha256",headers="x-date (request-target) host Content-Type Content-Length x-content-sha256",signature="${signature}"`;
    const requestId = `${(i + 1).toString(16).toUpperCase().padStart(12, '0')}-11F1-98B9-6F7D49B5CF16`;
    const reencrypt = Buffer.from(
      `POST ${target} HTTP/1.1\r\nauthorization: ${authorization}\r\ncontent-length: 0\r\ncontent-type: application/json\r\nhost: ${host}\r\n`
      + `opc-request-id: ${requestId}\r\nuser-agent: Oracle-TypeScriptSDK/2.139.1 (linux; Node/${process.version})\r\nx-content-sha256: ${EMPTY_SHA256}\r\n`
      + `x-date: ${date}\r\nConnection: keep-alive\r\n\r\n`,
    );
    return listEvery > 0 && (i + 1) % listEvery === 0 ? [reencrypt, listing(i)] : [reencrypt];
  });
}

/** What warmEmulator needs: an in-process Emulator or an EmulatorProcess. */
export interface WarmableEmulator {
  readonly url: string;
  createCompartment(input: { name?: string }): { id: string } | Promise<{ id: string }>;
  createBucket(input: { compartmentId: string; name: string; versioning: 'Enabled' }): unknown;
  seedObjects(bucket: string, input: SeedGenerator): unknown;
  readEncryption(bucket: string, options: { includeVersions: boolean }): EncryptionRow[] | Promise<EncryptionRow[]>;
  issueResourcePrincipal(input: { compartmentId: string }): ResourcePrincipalEnv | Promise<ResourcePrincipalEnv>;
}

/**
 * Runs `requests` ReencryptObject calls (and a ListObjectVersions page every 64) through the emulator on a bucket
 * of its own, so that it is past its JIT warm-up when a benchmark measures it, as a long-running Object Storage
 * is: a fresh emulator otherwise spends ~10% more CPU per call over the first few thousand. Call it before the
 * benchmark sets latency and resets counters: it runs at whatever latency is set and is counted like any call.
 */
export async function warmEmulator(emu: WarmableEmulator, namespace: string, requests = 4000): Promise<void> {
  const compartmentId = (await emu.createCompartment({ name: 'emulator-warm-up' })).id;
  await emu.createBucket({ compartmentId, name: 'emulator-warm-up', versioning: 'Enabled' });
  await emu.seedObjects('emulator-warm-up', { count: 1000, prefix: 'w/' });
  const principal = await emu.issueResourcePrincipal({ compartmentId });
  const rows = await emu.readEncryption('emulator-warm-up', { includeVersions: true });
  const signed = signedRequests({
    url: emu.url, namespace, bucket: 'emulator-warm-up', versions: rows.map((r) => ({ name: r.name, versionId: r.versionId })),
    rpst: principal.OCI_RESOURCE_PRINCIPAL_RPST, privateKeyPem: principal.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM,
  }, 64);
  const statuses = await rawLoad(emu.url, signed, requests, 16);
  if (statuses['200'] !== requests) throw new Error(`emulator warm-up: ${JSON.stringify(statuses)}`);
}

/**
 * Sends `total` requests from `requests` (round-robin) on `connections` sockets, each waiting for its answer
 * before the next; resolves with the answers' status counts. Answers must carry a content-length.
 */
export async function rawLoad(url: string, requests: readonly Buffer[], total: number, connections: number): Promise<Record<string, number>> {
  const { hostname, port } = new URL(url);
  const statuses: Record<string, number> = {};
  let sent = 0;
  const worker = (): Promise<void> => new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    let buffered: Buffer = Buffer.alloc(0);
    const next = (): void => {
      if (sent >= total) {
        socket.end();
        resolve();
        return;
      }
      socket.write(requests[sent++ % requests.length] as Buffer);
    };
    socket.on('connect', next);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 'NaN');
        if (Number.isNaN(length)) {
          reject(new Error(`an answer without content-length: ${head}`));
          return;
        }
        if (buffered.length < end + 4 + length) return;
        const status = head.slice(9, 12);
        statuses[status] = (statuses[status] ?? 0) + 1;
        buffered = buffered.subarray(end + 4 + length);
        next();
      }
    });
  });
  await Promise.all(Array.from({ length: connections }, worker));
  return statuses;
}
