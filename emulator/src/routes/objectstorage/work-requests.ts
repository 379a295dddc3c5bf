import { ApiError, invalidParameter } from '../../errors';
import { iso } from '../../http';
import type { Route } from '../../http';
import type { Services } from '../../services';

/** Object Storage work requests (GetWorkRequest, ListWorkRequestErrors). */
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
    {
      // Paged like Object Storage's other work-request lists: `limit` (1..1000, default 100) and `page` (opc-next-page).
      method: 'GET', pattern: /^\/workRequests\/([^/]+)\/errors\/?$/, operation: 'ListWorkRequestErrors',
      handler: (ctx) => {
        const wr = state.workRequests.get(ctx.params[0] as string);
        if (!wr) throw ApiError.from(a.notFoundGeneric, `Work request ${ctx.params[0]} not found`);
        const limit = Number(ctx.query.get('limit') ?? 100);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidParameter(`limit must be an integer from 1 to 1000, got ${ctx.query.get('limit')}`);
        const pageParam = ctx.query.get('page');
        const start = pageParam === undefined ? 0 : Number(pageParam);
        if (!Number.isInteger(start) || start < 0) throw invalidParameter(`Invalid page '${pageParam}'`);
        const items = wr.errors.slice(start, start + limit).map((e) => ({ code: e.code, message: e.message, timestamp: iso(e.timestamp) }));
        const next = start + limit < wr.errors.length ? String(start + limit) : undefined;
        return { status: 200, body: items, headers: { 'opc-next-page': next } };
      },
    },
  ];
}
