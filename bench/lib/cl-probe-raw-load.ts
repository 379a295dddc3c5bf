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

/** The request bytes for each version, signed now (the emulator accepts a date within its clock-skew tolerance: sign shortly before use). */
export function signedRequests(t: RawLoadTarget): Buffer[] {
  const host = new URL(t.url).host;
  const key = createPrivateKey(t.privateKeyPem);
  const date = new Date().toUTCString();
  return t.versions.map(({ name, versionId }, i) => {
    const target = `/n/${encodeURIComponent(t.namespace)}/b/${encodeURIComponent(t.bucket)}/actions/reencrypt/${encodeURIComponent(name)}?versionId=${encodeURIComponent(versionId)}`;
    const signing = `x-date: ${date}\n(request-target): post ${target}\nhost: ${host}\ncontent-type: application/json\ncontent-length: 0\nx-content-sha256: ${EMPTY_SHA256}`;
    const signature = sign('sha256', Buffer.from(signing), key).toString('base64');
    const authorization = `Signature version="1",keyId="ST$${t.rpst}",algorithm="rsa-sha256",headers="x-date (request-target) host Content-Type Content-Length x-content-sha256",signature="${signature}"`;
    const requestId = `${(i + 1).toString(16).toUpperCase().padStart(12, '0')}-11F1-98B9-6F7D49B5CF16`;
    return Buffer.from(
      `POST ${target} HTTP/1.1\r\nauthorization: ${authorization}\r\ncontent-length: 0\r\ncontent-type: application/json\r\nhost: ${host}\r\n`
      + `opc-request-id: ${requestId}\r\nuser-agent: Oracle-TypeScriptSDK/2.139.1 (linux; Node/${process.version})\r\nx-content-sha256: ${EMPTY_SHA256}\r\n`
      + `x-date: ${date}\r\nConnection: keep-alive\r\n\r\n`,
    );
  });
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
