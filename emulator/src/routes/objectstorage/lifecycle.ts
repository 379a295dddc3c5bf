import { ApiError, invalidParameter } from '../../errors';
import { type Route, iso, jsonBody } from '../../http';
import type { Services } from '../../services';
import { B, bucketOf } from './shared';

const ACTIONS = ['ARCHIVE', 'INFREQUENT_ACCESS', 'DELETE', 'ABORT'];
const UNITS = ['DAYS', 'YEARS'];

/**
 * Object lifecycle policy (PutObjectLifecyclePolicy, GetObjectLifecyclePolicy,
 * DeleteObjectLifecyclePolicy): stored and answered as OCI documents them; the rules are
 * not executed (nothing in the emulator ages that long).
 */
export function lifecycleRoutes(services: Services): Route[] {
  const { state } = services;
  return [
    {
      method: 'PUT', pattern: new RegExp(`^${B}/l/?$`), operation: 'PutObjectLifecyclePolicy', write: true,
      handler: (ctx) => {
        const b = bucketOf(state, ctx);
        const d = jsonBody<{ items?: unknown }>(ctx);
        const items = d.items ?? [];
        if (!Array.isArray(items)) throw invalidParameter('items must be an array of lifecycle rules');
        for (const [i, raw] of items.entries()) {
          const r = raw as Record<string, unknown>;
          if (typeof r['name'] !== 'string' || r['name'] === '') throw invalidParameter(`items[${i}].name is required`);
          if (typeof r['action'] !== 'string' || !ACTIONS.includes(r['action'])) throw invalidParameter(`items[${i}].action must be one of ${ACTIONS.join(', ')}`);
          if (!Number.isInteger(r['timeAmount']) || (r['timeAmount'] as number) < 1) throw invalidParameter(`items[${i}].timeAmount must be a positive integer`);
          if (typeof r['timeUnit'] !== 'string' || !UNITS.includes(r['timeUnit'])) throw invalidParameter(`items[${i}].timeUnit must be DAYS or YEARS`);
          if (typeof r['isEnabled'] !== 'boolean') throw invalidParameter(`items[${i}].isEnabled is required`);
        }
        const policy = { items, timeCreated: Date.now() };
        state.lifecyclePolicies.set(b.name, policy);
        return { status: 200, body: { items, timeCreated: iso(policy.timeCreated) } };
      },
    },
    {
      method: 'GET', pattern: new RegExp(`^${B}/l/?$`), operation: 'GetObjectLifecyclePolicy',
      handler: (ctx) => {
        const b = bucketOf(state, ctx);
        const policy = state.lifecyclePolicies.get(b.name);
        if (!policy) throw new ApiError(404, 'LifecyclePolicyNotFound', `There is no lifecycle policy on the bucket '${b.name}'`);
        return { status: 200, body: { items: policy.items, timeCreated: iso(policy.timeCreated) } };
      },
    },
    {
      method: 'DELETE', pattern: new RegExp(`^${B}/l/?$`), operation: 'DeleteObjectLifecyclePolicy', write: true,
      handler: (ctx) => {
        const b = bucketOf(state, ctx);
        state.lifecyclePolicies.delete(b.name);
        return { status: 204 };
      },
    },
  ];
}
