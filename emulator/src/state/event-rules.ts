import { ApiError, invalidParameter } from '../errors';
import type { EmulatorState } from '../state';
import { newOcid } from '../util';

/**
 * Events rules made through the API (EventsClient CreateRule / GetRule /
 * DeleteRule), with the API reference's shapes: a JSON `condition` string,
 * `actions.actions` of type OSS (a stream) or FAAS (a function). ONS
 * (Notifications topics) is not modelled. Rules made in-process with
 * `addEventRule` (events.ts) are another, older list.
 */
export interface ApiRuleAction {
  readonly id: string;
  readonly actionType: 'OSS' | 'FAAS';
  readonly isEnabled: boolean;
  readonly description: string | undefined;
  readonly streamId: string | undefined;
  readonly functionId: string | undefined;
}

export interface ApiRuleRec {
  readonly id: string;
  readonly displayName: string;
  readonly description: string | undefined;
  readonly compartmentId: string;
  readonly isEnabled: boolean;
  /** As given (a JSON string) and parsed. */
  readonly condition: string;
  readonly parsedCondition: Record<string, unknown>;
  readonly actions: readonly ApiRuleAction[];
  readonly freeformTags: Record<string, string>;
  readonly timeCreated: number;
  readonly activeAt: number;
  deletedAt: number | undefined;
}

export type RuleState = 'CREATING' | 'ACTIVE' | 'DELETING' | 'DELETED';

export function ruleState(r: ApiRuleRec, now = Date.now()): RuleState {
  if (r.deletedAt !== undefined) return now >= r.deletedAt ? 'DELETED' : 'DELETING';
  return now >= r.activeAt ? 'ACTIVE' : 'CREATING';
}

/** "Each rule can have a maximum of 10 actions" (Managing Rules for Events). */
const MAX_ACTIONS = 10;

export function createRule(state: EmulatorState, body: Record<string, unknown>, functionExists: (id: string) => boolean, lifecycleDelayMs: number): ApiRuleRec {
  const { displayName, description, isEnabled, condition, compartmentId, actions } = body;
  if (typeof displayName !== 'string' || displayName.length === 0) throw invalidParameter('displayName is required');
  if (typeof isEnabled !== 'boolean') throw invalidParameter('isEnabled is required (true or false)');
  if (typeof compartmentId !== 'string' || !compartmentId.startsWith('ocid1.')) throw invalidParameter('compartmentId must be an OCID');
  if (typeof condition !== 'string') throw invalidParameter('condition is required (a JSON object as a string)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(condition);
  } catch {
    throw invalidParameter('condition is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParameter('condition must be a JSON object');
  const list = (actions as { actions?: unknown } | undefined)?.actions;
  if (!Array.isArray(list) || list.length === 0) throw invalidParameter('actions.actions must list at least one action');
  if (list.length > MAX_ACTIONS) throw invalidParameter(`A rule can have at most ${MAX_ACTIONS} actions`);
  const ruleActions = list.map((a: unknown): ApiRuleAction => {
    const x = (a ?? {}) as Record<string, unknown>;
    if (typeof x['isEnabled'] !== 'boolean') throw invalidParameter('each action needs isEnabled');
    const base = { id: newOcid('eventaction', state.region), isEnabled: x['isEnabled'], description: typeof x['description'] === 'string' ? x['description'] : undefined };
    switch (x['actionType']) {
      case 'OSS': {
        const streamId = x['streamId'];
        if (typeof streamId !== 'string' || !state.streams.has(streamId)) throw invalidParameter(`OSS action: streamId ${String(streamId)} names no stream`);
        return { ...base, actionType: 'OSS', streamId, functionId: undefined };
      }
      case 'FAAS': {
        const functionId = x['functionId'];
        if (typeof functionId !== 'string' || !functionExists(functionId)) throw invalidParameter(`FAAS action: functionId ${String(functionId)} names no function`);
        return { ...base, actionType: 'FAAS', functionId, streamId: undefined };
      }
      case 'ONS': throw invalidParameter('ONS (Notifications) actions are not modelled by the OCI emulator');
      default: throw invalidParameter(`actionType must be OSS, FAAS or ONS, got ${String(x['actionType'])}`);
    }
  });
  const now = Date.now();
  const rule: ApiRuleRec = {
    id: newOcid('eventrule', state.region), displayName, description: typeof description === 'string' ? description : undefined,
    compartmentId: state.compartment(compartmentId).id, isEnabled, condition, parsedCondition: parsed as Record<string, unknown>, actions: ruleActions,
    freeformTags: {}, timeCreated: now, activeAt: now + lifecycleDelayMs, deletedAt: undefined,
  };
  state.eventRules.set(rule.id, rule);
  return rule;
}

export function getRule(state: EmulatorState, id: string): ApiRuleRec {
  const r = state.eventRules.get(id);
  if (!r) throw ApiError.from(state.assumptions.notFoundGeneric, `Rule ${id} not found or not authorized`);
  return r;
}

export function deleteRule(state: EmulatorState, id: string, lifecycleDelayMs: number): void {
  const r = getRule(state, id);
  if (r.deletedAt !== undefined) throw ApiError.from(state.assumptions.notFoundGeneric, `Rule ${id} not found or not authorized`);
  r.deletedAt = Date.now() + lifecycleDelayMs;
}
