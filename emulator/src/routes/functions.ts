import { ApiError, invalidParameter } from '../errors';
import { type Route, header } from '../http';
import type { Services } from '../services';

/** Functions invoke (FunctionsInvokeClient) and GetFunction (FunctionsManagementClient). */
export function functionsRoutes(services: Services): Route[] {
  const { functions } = services;
  return [
    {
      method: 'GET', pattern: /^\/20181201\/functions\/([^/]+)$/, operation: 'GetFunction',
      handler: (ctx) => {
        const fn = functions.get(ctx.params[0] as string);
        return { status: 200, body: functions.toJson(fn), headers: { etag: `${fn.functionId.slice(-12)}-${fn.timeCreated}` } };
      },
    },
    {
      method: 'POST', pattern: /^\/20181201\/functions\/([^/]+)\/actions\/invoke$/, operation: 'InvokeFunction',
      handler: async (ctx) => {
        const functionId = ctx.params[0] as string;
        const invokeType = header(ctx, 'fn-invoke-type') ?? 'sync';
        if (invokeType !== 'sync' && invokeType !== 'detached') throw invalidParameter(`Invalid fn-invoke-type '${invokeType}'`);
        const contentType = header(ctx, 'content-type');
        if (header(ctx, 'is-dry-run') === 'true') {
          functions.get(functionId);
          return { status: 200, body: Buffer.alloc(0) };
        }
        if (invokeType === 'detached') {
          functions.invokeDetached(functionId, ctx.body, contentType, 'api');
          return { status: 202, body: Buffer.alloc(0) };
        }
        const { answer } = await functions.invoke(functionId, ctx.body, contentType, 'api');
        if (answer.status >= 500 || answer.status === 0) {
          throw ApiError.from(services.state.assumptions.functionFailed, `Function failed: ${answer.body.toString('utf8').slice(0, 500)}`);
        }
        return {
          status: answer.status,
          body: answer.body,
          headers: { 'content-type': answer.contentType ?? 'application/octet-stream' },
        };
      },
    },
  ];
}
