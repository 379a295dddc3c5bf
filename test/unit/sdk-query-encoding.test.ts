import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaxAttemptsTerminationStrategy, Region, SimpleAuthenticationDetailsProvider } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createOci } from '../../src/oci/clients';
import { ObjectStorage } from '../../src/oci/object-storage';

/**
 * The SDK puts query values into the URL without encoding them (OCI-NOTES.md).
 * These tests show the pitfall against a real HTTP server, and that our
 * wrapper delivers every character of a prefix or page start intact.
 */
const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaaexample';
const USER = 'ocid1.user.oc1..aaaaaaaaexample';
const FINGERPRINT = '00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let server: Server;
let endpoint: string;
const seen: string[] = [];
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json', 'opc-request-id': 'test' });
    res.end(JSON.stringify({ objects: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'oci-reencrypt-sdk-'));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
});

/** The query of the one ListObjects request the server saw, decoded the standard way. */
function lastQuery(): URLSearchParams {
  expect(seen).toHaveLength(1);
  const url = seen[0] ?? '';
  expect(url).toContain('/n/ns/b/bucket/o');
  return new URL(url, 'http://x').searchParams;
}

function rawClient(): ObjectStorageClient {
  const provider = new SimpleAuthenticationDetailsProvider(TENANCY, USER, FINGERPRINT, PRIVATE_KEY_PEM, null, Region.US_PHOENIX_1);
  const client = new ObjectStorageClient(
    { authenticationDetailsProvider: provider },
    { retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } },
  );
  client.endpoint = endpoint;
  return client;
}

function ourObjectStorage(): ObjectStorage {
  const keyFile = join(dir, 'key.pem');
  const configFile = join(dir, 'config');
  writeFileSync(keyFile, PRIVATE_KEY_PEM);
  writeFileSync(configFile, `[DEFAULT]\nuser=${USER}\nfingerprint=${FINGERPRINT}\ntenancy=${TENANCY}\nregion=us-phoenix-1\nkey_file=${keyFile}\n`);
  const config = loadConfig({
    REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: configFile, REENCRYPT_OBJECTSTORAGE_ENDPOINT: endpoint, REENCRYPT_MAX_ATTEMPTS: '1',
  });
  return new ObjectStorage(createOci(config, { hardStopAt: Date.now() + 60_000 }));
}

describe('Object Storage query values', () => {
  it('the raw SDK sends a prefix with & and # unencoded, so the server reads another prefix', async () => {
    await rawClient().listObjects({ namespaceName: 'ns', bucketName: 'bucket', prefix: 'a&b#c' });
    const query = lastQuery();
    // '#' starts a fragment, which never leaves the client; '&' then splits what is left.
    expect(seen[0]).toBe('/n/ns/b/bucket/o?prefix=a&b');
    expect(query.get('prefix')).toBe('a');
    expect([...query.keys()]).toEqual(['prefix', 'b']);
  });

  it('the raw SDK sends a start with + and spaces that the server decodes differently', async () => {
    await rawClient().listObjects({ namespaceName: 'ns', bucketName: 'bucket', start: 'x+y z' });
    // '+' means a space in a query string: the server reads a name that was never listed.
    expect(lastQuery().get('start')).toBe('x y z');
  });

  it('our wrapper delivers a prefix with & and # intact', async () => {
    await ourObjectStorage().listObjectsPage('ns', 'bucket', 'a&b#c', undefined);
    expect(seen[0]).toContain('prefix=a%26b%23c');
    expect(lastQuery().get('prefix')).toBe('a&b#c');
  });

  it.each([
    'q1 summary.csv',
    'a+b',
    '100% done',
    '%2F not a slash',
    'a&b#c?d=e',
    'reports/2026/日本/🙂 x+y%z',
  ])('our wrapper delivers the page start %j intact', async (start) => {
    await ourObjectStorage().listObjectsPage('ns', 'bucket', 'reports/', start);
    const query = lastQuery();
    expect(query.get('start')).toBe(start);
    expect(query.get('prefix')).toBe('reports/');
    expect(query.get('fields')).toBe('name,timeCreated,timeModified,storageTier,archivalState');
  });
});
