import { type Route, iso, jsonBody } from '../http';
import type { Services } from '../services';
import { createRule, deleteRule, getRule, ruleState, type ApiRuleRec } from '../state/event-rules';
import type { EventsOptions } from '../events';

/** Events (EventsClient): CreateRule, GetRule, DeleteRule, under /20181201 as the SDK builds them. */
export function eventsRoutes(services: Services, options: Required<EventsOptions>): Route[] {
  const { state } = services;
  const ruleJson = (r: ApiRuleRec): Record<string, unknown> => {
    const lifecycleState = ruleState(r);
    return {
      id: r.id, displayName: r.displayName, ...(r.description !== undefined && { description: r.description }), lifecycleState,
      condition: r.condition, compartmentId: r.compartmentId, isEnabled: r.isEnabled, freeformTags: r.freeformTags, definedTags: {},
      timeCreated: iso(r.timeCreated),
      actions: {
        actions: r.actions.map((a) => ({
          id: a.id, actionType: a.actionType, isEnabled: a.isEnabled, lifecycleState, lifecycleMessage: '',
          ...(a.description !== undefined && { description: a.description }),
          ...(a.streamId !== undefined && { streamId: a.streamId }), ...(a.functionId !== undefined && { functionId: a.functionId }),
        })),
      },
    };
  };
  return [
    {
      method: 'POST', pattern: /^\/20181201\/rules$/, operation: 'CreateRule', write: true,
      handler: (ctx) => {
        const r = createRule(state, jsonBody<Record<string, unknown>>(ctx), (id) => services.functions.functions.has(id), options.lifecycleDelayMs);
        return { status: 200, body: ruleJson(r), headers: { etag: r.id.slice(-12) } };
      },
    },
    {
      method: 'GET', pattern: /^\/20181201\/rules\/([^/]+)$/, operation: 'GetRule',
      handler: (ctx) => {
        const r = getRule(state, ctx.params[0] as string);
        return { status: 200, body: ruleJson(r), headers: { etag: r.id.slice(-12) } };
      },
    },
    {
      method: 'DELETE', pattern: /^\/20181201\/rules\/([^/]+)$/, operation: 'DeleteRule', write: true,
      handler: (ctx) => {
        deleteRule(state, ctx.params[0] as string, options.lifecycleDelayMs);
        return { status: 204 };
      },
    },
  ];
}
