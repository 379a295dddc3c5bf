import type { Route } from '../http';
import type { Services } from '../services';
import { bucketRoutes } from './objectstorage/buckets';
import { lifecycleRoutes } from './objectstorage/lifecycle';
import { listingRoutes } from './objectstorage/listing';
import { objectRoutes } from './objectstorage/objects';
import { workRequestRoutes } from './objectstorage/work-requests';

/**
 * Object Storage, one file per resource family of OCI's API reference: buckets (and the
 * namespace), listing objects and versions, objects, work requests, lifecycle policies.
 */
export function objectStorageRoutes(services: Services): Route[] {
  return [...bucketRoutes(services), ...listingRoutes(services), ...objectRoutes(services), ...workRequestRoutes(services), ...lifecycleRoutes(services)];
}
