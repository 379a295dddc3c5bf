import { EndpointBuilder, ObjectSerializer, type HttpRequest } from 'oci-common';
// The SDK's own helpers for the headers every request carries (opc-request-id, User-Agent): its index does not export them.
import { addOpcRequestId, addUserAgent } from 'oci-common/lib/headers';
import type { ObjectStorageClient, requests } from 'oci-objectstorage';
import type { SdkOperation } from './direct-call';

/** ReencryptObject as ObjectStorageClient#reencryptObject names it to its retrier. */
export const REENCRYPT_OBJECT: SdkOperation = {
  targetService: 'ObjectStorage',
  operationName: 'reencryptObject',
  apiReferenceLink: 'https://docs.oracle.com/iaas/api/#/en/objectstorage/20160918/Object/ReencryptObject',
};

/** A ReencryptObject request as our code makes it: the SDK's request without a per-request retry configuration. */
export type ReencryptObjectInput = Omit<requests.ReencryptObjectRequest, 'retryConfiguration'>;

/** The client fields the SDK's reencryptObject reads to compose its request. */
interface ClientInternals {
  readonly endpoint: string;
  readonly _defaultHeaders?: Record<string, unknown>;
  readonly _enableDualstackEndpoint?: boolean;
  readonly _serviceUsesDualStackByDefault?: boolean;
}

type Serialize = (details: unknown) => string;
let serializeDetails: Serialize | undefined;

/** ReencryptObjectDetails serialized by the SDK's model (its package is loaded with the client). */
function serialize(details: unknown): string {
  if (!serializeDetails) {
    const { models } = require('oci-objectstorage') as typeof import('oci-objectstorage');
    const getJsonObj = models.ReencryptObjectDetails.getJsonObj as (obj: unknown) => object;
    serializeDetails = (d) => ObjectSerializer.serialize(d, 'ReencryptObjectDetails', getJsonObj) as string;
  }
  return serializeDetails(details);
}

/**
 * No fields (the bucket's own key, every version of a sweep): the SDK's serializer makes `{}` of it
 * whatever its environment says (nothing to escape), so it is not run.
 */
function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  for (const _ in value) return false;
  return true;
}

const validEndpoints = new Set<string>();

/** The SDK refuses an endpoint that is no http(s) URL or carries user info, a query or a fragment (same messages). */
function checkEndpoint(endpoint: string): void {
  if (validEndpoints.has(endpoint)) return;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`host is invalid. ${endpoint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('host is invalid. endpoint scheme must be http or https');
  if (url.username || url.password || url.search || url.hash) throw new Error('host is invalid. endpoint must not contain user info, query, or fragment');
  if (validEndpoints.size < 64) validEndpoints.add(endpoint);
}

/** The last endpoint template resolved, keyed by everything its resolution reads. */
let resolved: { key: string; endpoint: string } | undefined;
/** Only the namespace may be substituted into an endpoint kept in `resolved`. */
const NAMESPACE_PARAMETERS = /\{namespaceName(\+Dot|\.)?\}/g;

/**
 * The client's endpoint with its templates resolved by the SDK's own code, as
 * the SDK's reencryptObject resolves it on every call: a regional endpoint is a
 * template (`https://objectstorage.<region>.{dualStack?ds.oci.:}oraclecloud.com`,
 * realm-specific ones also `{namespaceName+Dot}`). The result is kept for the
 * next call while the template, the client's dual-stack settings, the SDK's
 * dual-stack environment variable and the namespace are the same.
 */
function resolvedEndpoint(client: ClientInternals, input: ReencryptObjectInput): string {
  const template = client.endpoint;
  if (!template.includes('{')) return template;
  const key = `${template}\n${client._enableDualstackEndpoint}\n${client._serviceUsesDualStackByDefault}\n${process.env.OCI_DUAL_STACK_ENDPOINT_ENABLED}\n${input.namespaceName}`;
  if (resolved?.key === key) return resolved.endpoint;
  const withOptions = EndpointBuilder.updateEndpointTemplateForOptions(template, client._enableDualstackEndpoint, client._serviceUsesDualStackByDefault ?? false);
  const endpoint = EndpointBuilder.populateServiceParamsInEndpoint(withOptions,
    { '{namespaceName}': input.namespaceName, '{bucketName}': input.bucketName, '{objectName}': input.objectName },
    { versionId: input.versionId }, new Set(['namespaceName', 'bucketName', 'objectName']));
  if (!withOptions.replace(NAMESPACE_PARAMETERS, '').includes('{')) resolved = { key, endpoint };
  return endpoint;
}

const present = (value: unknown): boolean => Boolean(value) || value === false || value === 0;

function pathSegment(name: string, value: unknown): string {
  if (!present(value)) throw new Error(`Missing required path parameter for {${name}}`);
  return encodeURIComponent(String(value));
}

/**
 * The request ObjectStorageClient#reencryptObject composes for `input` and
 * hands to its retrier: the same method, URI, headers and body (tested
 * against the SDK in test/unit/reencrypt-request.test.ts), without the
 * generated method's generator chain, its `composeRequest`/`composeResponse`
 * passes and their per-call objects. Throws what the SDK throws for a missing
 * path parameter or an invalid endpoint.
 */
export function reencryptObjectRequest(client: ObjectStorageClient, input: ReencryptObjectInput): HttpRequest {
  const internals = client as unknown as ClientInternals;
  const endpoint = resolvedEndpoint(internals, input);
  // In the SDK's order: the body is serialized, then the headers, path and URI composed (so the same error comes first).
  const body = isEmptyObject(input.reencryptObjectDetails) ? '{}' : serialize(input.reencryptObjectDetails);
  const headers = new Headers();
  const defaults = internals._defaultHeaders;
  if (defaults) for (const name of Object.keys(defaults)) headers.append(name, String(defaults[name]));
  headers.append('Content-Type', 'application/json');
  if (input.opcClientRequestId) headers.append('opc-client-request-id', String(input.opcClientRequestId));
  addOpcRequestId(headers);
  addUserAgent(headers);
  const path = `/n/${pathSegment('namespaceName', input.namespaceName)}/b/${pathSegment('bucketName', input.bucketName)}`
    + `/actions/reencrypt/${pathSegment('objectName', input.objectName)}`;
  checkEndpoint(endpoint);
  // The SDK does not encode query values (object-storage.ts encodes the version id).
  const uri = present(input.versionId) ? `${endpoint}${path}?versionId=${input.versionId}` : `${endpoint}${path}`;
  // An empty JSON object is sent as no body at all, as composeRequest does.
  return body === '{}' ? { method: 'POST', headers, uri } : { method: 'POST', headers, uri, body };
}
