import { ApiError } from '../errors';
import type { Route } from '../http';
import type { Services } from '../services';

/**
 * DeleteBucket (`DELETE /n/{namespace}/b/{bucket}`): 204, or 409
 * BucketNotEmpty while any object version remains (API reference: "To use
 * this and other API operations, you must be authorized... the bucket must be
 * empty"). In a file of its own so the Object Storage routes stay as they are.
 */
export function bucketDeleteRoutes(services: Services): Route[] {
  const { state } = services;
  return [
    {
      method: 'DELETE', pattern: /^\/n\/([^/]+)\/b\/([^/]+)\/?$/, operation: 'DeleteBucket', write: true,
      handler: (ctx) => {
        const [namespace, name] = ctx.params as [string, string];
        if (namespace !== state.namespace) throw new ApiError(404, 'NamespaceNotFound', `Namespace '${namespace}' not found`);
        const bucket = state.bucket(name);
        if (bucket.store.size > 0) throw new ApiError(409, 'BucketNotEmpty', `Bucket named '${name}' is not empty. Delete all objects first.`);
        state.buckets.delete(name);
        return { status: 204 };
      },
    },
  ];
}
