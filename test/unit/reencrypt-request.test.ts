/**
 * ReencryptObject is composed by our code (src/oci/reencrypt-request.ts) and
 * handed to the SDK's retrier, not sent through ObjectStorageClient#reencryptObject.
 * What reaches the HTTP client must be exactly what the SDK's method hands it
 * for the same request: method, URI, every header (the opc-request-id is
 * random in both: only its form is compared) and body, and the same errors.
 */
import fc from 'fast-check';
import { MaxAttemptsTerminationStrategy, Region, type HttpClient, type HttpRequest } from 'oci-common';
import { ObjectStorageClient, type models, type requests } from 'oci-objectstorage';
import { afterEach, describe, expect, it } from 'vitest';
import { reencryptObjectRequest, type ReencryptObjectInput } from '../../src/oci/reencrypt-request';
import { fcParams } from '../support/fast-check';

/** The SDK's opc-request-id: a v1 UUID with its first dash removed, upper-case. */
const REQUEST_ID = /^[0-9A-F]{12}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

interface Seen { method: string; uri: string; headers: [string, string][]; body: unknown }

function seen(request: HttpRequest): Seen {
  const headers: [string, string][] = [];
  request.headers.forEach((value, name) => headers.push([name, name === 'opc-request-id' ? (REQUEST_ID.test(value) ? '<id>' : `bad id ${value}`) : value]));
  return { method: request.method, uri: request.uri, headers, body: 'body' in request ? request.body : '<no body>' };
}

/** An SDK client whose HTTP client records the request the SDK's retrier hands it and answers 200. */
function recordingClient(endpoint?: string): { client: ObjectStorageClient; sent: HttpRequest[] } {
  const sent: HttpRequest[] = [];
  const httpClient: HttpClient = {
    async send(request) {
      sent.push(request);
      return new Response(null, { status: 200, headers: { 'opc-request-id': 'answer-id' } });
    },
  };
  const client = new ObjectStorageClient({ httpClient }, { retryConfiguration: { terminationStrategy: new MaxAttemptsTerminationStrategy(1) } });
  if (endpoint) client.endpoint = endpoint;
  return { client, sent };
}

async function bothWays(input: ReencryptObjectInput, endpoint = 'https://objectstorage.example.test'): Promise<{ sdk: Seen; ours: Seen }> {
  const { client, sent } = recordingClient(endpoint);
  await client.reencryptObject(input as requests.ReencryptObjectRequest);
  expect(sent).toHaveLength(1);
  return { sdk: seen(sent[0] as HttpRequest), ours: seen(reencryptObjectRequest(client, input)) };
}

const key = (fill: string): models.SSECustomerKeyDetails => ({
  algorithm: 'AES256' as models.SSECustomerKeyDetails.Algorithm, key: Buffer.alloc(32, fill).toString('base64'), keySha256: Buffer.alloc(32, `${fill}#`).toString('base64'),
});

const AWKWARD_NAMES = [
  'plain.txt', "it's (1)*! o'clock/é", 'a b/c?d#e&f=g+h%20i', '$&$1$`{bucketName}{objectName}', 'dir/', '..', ' edge ', '日本語/🙂.bin',
  'tab\there', '%', '~!*()\'', 'x'.repeat(1024),
];

const ENV_KEYS = ['OCI_SDK_APPEND_USER_AGENT', 'OCI_SDK_ESCAPE_JSON_ASCII', 'OCI_DUAL_STACK_ENDPOINT_ENABLED'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

describe('ReencryptObject composed as the SDK composes it', () => {
  it.each(AWKWARD_NAMES)('object name %j: same method, URI, headers and body', async (objectName) => {
    const { sdk, ours } = await bothWays({ namespaceName: 'ns', bucketName: 'b-1', objectName, reencryptObjectDetails: {} });
    expect(ours).toEqual(sdk);
    expect(ours.body).toBe('<no body>'); // an empty ReencryptObjectDetails goes as no body at all
    expect(ours.headers.map(([name]) => name)).toEqual(['content-type', 'opc-request-id', 'user-agent']);
  });

  it.each<[string, models.ReencryptObjectDetails]>([
    ['a kmsKeyId', { kmsKeyId: 'ocid1.key.oc1.phx.aaaa' }],
    ['an SSE-C key', { sseCustomerKey: key('k') }],
    ['the source SSE-C key', { sourceSseCustomerKey: key('s') }],
    ['both SSE-C keys', { sseCustomerKey: key('k'), sourceSseCustomerKey: key('s') }],
    ['every field', { kmsKeyId: 'ocid1.key.oc1..x', sseCustomerKey: key('k'), sourceSseCustomerKey: key('s') }],
    ['fields in another order', { sourceSseCustomerKey: key('s'), kmsKeyId: 'ocid1.key.oc1..x' }],
  ])('with %s: the same JSON body', async (_what, reencryptObjectDetails) => {
    const { sdk, ours } = await bothWays({ namespaceName: 'ns', bucketName: 'b', objectName: 'o', reencryptObjectDetails });
    expect(ours).toEqual(sdk);
    expect(JSON.parse(String(ours.body))).toEqual(reencryptObjectDetails);
  });

  it('with a version id (already encoded by the caller, as object-storage.ts does), an opc-client-request-id and default headers', async () => {
    const input = {
      namespaceName: 'ns', bucketName: 'b', objectName: 'o', versionId: encodeURIComponent('v1+/=&x'), opcClientRequestId: 'client-req-1',
      reencryptObjectDetails: { kmsKeyId: 'ocid1.key.oc1..k' },
    };
    const { client, sent } = recordingClient('https://objectstorage.example.test');
    (client as unknown as { _defaultHeaders: Record<string, string> })._defaultHeaders = { 'x-extra': 'one' };
    await client.reencryptObject(input);
    expect(seen(reencryptObjectRequest(client, input))).toEqual(seen(sent[0] as HttpRequest));
    expect(sent[0]?.uri).toBe('https://objectstorage.example.test/n/ns/b/b/actions/reencrypt/o?versionId=v1%2B%2F%3D%26x');
    expect(sent[0]?.headers.get('opc-client-request-id')).toBe('client-req-1');
  });

  it('an empty version id is left out, as the SDK leaves it out', async () => {
    const { sdk, ours } = await bothWays({ namespaceName: 'ns', bucketName: 'b', objectName: 'o', versionId: '', reencryptObjectDetails: {} });
    expect(ours).toEqual(sdk);
    expect(ours.uri).not.toContain('?');
  });

  it("honours the SDK's environment: OCI_SDK_APPEND_USER_AGENT and OCI_SDK_ESCAPE_JSON_ASCII", async () => {
    process.env.OCI_SDK_APPEND_USER_AGENT = 'oci-reencrypt/test';
    process.env.OCI_SDK_ESCAPE_JSON_ASCII = 'true';
    const { sdk, ours } = await bothWays({ namespaceName: 'ns', bucketName: 'b', objectName: 'o', reencryptObjectDetails: { kmsKeyId: 'ocid1.key.é' } });
    expect(ours).toEqual(sdk);
    expect(ours.headers.find(([n]) => n === 'user-agent')?.[1]).toMatch(/^Oracle-TypeScriptSDK\/2\.139\.1 \(.+; Node\/v\d+.*\) oci-reencrypt\/test$/);
    expect(ours.body).toBe('{"kmsKeyId":"ocid1.key.\\u00e9"}');
  });

  it('a regional endpoint template resolves as the SDK resolves it, also with dual stack and a realm-specific template', async () => {
    for (const setup of [
      (c: ObjectStorageClient) => { c.region = Region.US_PHOENIX_1; },
      (c: ObjectStorageClient) => { c.region = Region.US_PHOENIX_1; process.env.OCI_DUAL_STACK_ENDPOINT_ENABLED = 'true'; },
      (c: ObjectStorageClient) => { c.useRealmSpecificEndpointTemplate = true; c.region = Region.US_PHOENIX_1; },
      (c: ObjectStorageClient) => { c.useRealmSpecificEndpointTemplate = true; c.region = Region.US_PHOENIX_1; c.enableDualstackEndpoint = true; },
    ]) {
      for (const namespaceName of ['ns-one', 'ns-two']) {
        const { client, sent } = recordingClient();
        setup(client);
        expect(client.endpoint).toContain('{');
        const input = { namespaceName, bucketName: 'b', objectName: 'o', reencryptObjectDetails: {} };
        await client.reencryptObject(input);
        expect(seen(reencryptObjectRequest(client, input))).toEqual(seen(sent[0] as HttpRequest));
      }
      delete process.env.OCI_DUAL_STACK_ENDPOINT_ENABLED;
    }
  });

  it('throws what the SDK throws: a missing path parameter, an invalid endpoint', async () => {
    const cases: [ReencryptObjectInput, string][] = [
      [{ namespaceName: 'ns', bucketName: '', objectName: 'o', reencryptObjectDetails: {} }, 'https://objectstorage.example.test'],
      [{ namespaceName: 'ns', bucketName: 'b', objectName: '', reencryptObjectDetails: {} }, 'https://objectstorage.example.test'],
      [{ namespaceName: 'ns', bucketName: 'b', objectName: 'o', reencryptObjectDetails: {} }, 'ftp://objectstorage.example.test'],
      [{ namespaceName: 'ns', bucketName: 'b', objectName: 'o', reencryptObjectDetails: {} }, 'https://user:pw@objectstorage.example.test'],
      [{ namespaceName: 'ns', bucketName: 'b', objectName: 'o', reencryptObjectDetails: {} }, 'not a url'],
    ];
    for (const [input, endpoint] of cases) {
      const { client } = recordingClient(endpoint);
      const sdkError = await client.reencryptObject(input).then(() => undefined, (e: unknown) => e);
      expect(sdkError).toBeInstanceOf(Error);
      expect(() => reencryptObjectRequest(client, input)).toThrow((sdkError as Error).message);
    }
  });

  it('property: any names, version id and details compose the same request', async () => {
    const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 });
    const sseKey = fc.record({ algorithm: fc.constant('AES256' as models.SSECustomerKeyDetails.Algorithm), key: fc.base64String({ maxLength: 44 }), keySha256: fc.base64String({ maxLength: 44 }) });
    await fc.assert(fc.asyncProperty(
      name, name, name, fc.option(fc.string({ maxLength: 30 }), { nil: undefined }),
      fc.record({ kmsKeyId: fc.string({ maxLength: 40 }), sseCustomerKey: sseKey, sourceSseCustomerKey: sseKey }, { requiredKeys: [] }),
      async (namespaceName, bucketName, objectName, versionId, reencryptObjectDetails) => {
        const input = { namespaceName, bucketName, objectName, ...(versionId !== undefined && { versionId: encodeURIComponent(versionId) }), reencryptObjectDetails };
        const { sdk, ours } = await bothWays(input);
        expect(ours).toEqual(sdk);
      },
    ), fcParams(200));
  });
});
