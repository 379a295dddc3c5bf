import { ApiError } from '../../errors';
import type { Route } from '../../http';
import type { Services } from '../../services';

/** Object Storage work requests (GetWorkRequest). */
export function workRequestRoutes(services: Services): Route[] {
  const { state } = services;
  const a = state.assumptions;
  return [
    {
      method: 'GET', pattern: /^\/workRequests\/([^/]+)$/, operation: 'GetWorkRequest',
      handler: (ctx) => {
        const wr = state.workRequests.get(ctx.params[0] as string);
        if (!wr) throw ApiError.from(a.notFoundGeneric, `Work request ${ctx.params[0]} not found`);
        return { status: 200, body: services.workRequests.toJson(wr), headers: { 'retry-after': wr.status === 'COMPLETED' || wr.status === 'FAILED' ? undefined : '1' } };
      },
    },
  ];
}
