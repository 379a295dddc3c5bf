import type { Assumptions } from './assumptions';
import type { FunctionsService } from './functions';
import type { ApiRuleRec, BucketRec, EmulatorState, KeyRec, KeyVersionRec, StateEvents } from './state';
import { ruleState } from './state/event-rules';
import { appendMessage, streamState } from './state/streams';
import type { VersionRecord } from './types';
import { newOcid, newUuid } from './util';

/** An OCI event as the Events service delivers it (CloudEvents 0.1 envelope). */
export interface OciEvent {
  eventType: string;
  cloudEventsVersion: '0.1';
  eventTypeVersion: '2.0';
  source: string;
  eventTime: string;
  contentType: 'application/json';
  extensions: { compartmentId: string };
  data: {
    compartmentId: string;
    compartmentName: string;
    resourceName: string;
    resourceId: string;
    availabilityDomain: string;
    freeformTags: Record<string, string>;
    definedTags: Record<string, unknown>;
    additionalDetails: Record<string, unknown>;
  };
  eventID: string;
}

export interface EventRuleInput {
  /** Event types this rule matches (`*` wildcards allowed). */
  eventTypes: string[];
  /** Only events from this compartment or its children (default: the whole tenancy). */
  compartmentId?: string;
  functionId: string;
  /** An OCI rule condition, e.g. `{ "data": { "additionalDetails": { "bucketName": ["b1"] } } }`. */
  condition?: Record<string, unknown>;
  isEnabled?: boolean;
}

export interface EventRule extends Required<Omit<EventRuleInput, 'condition' | 'compartmentId'>> {
  id: string;
  compartmentId: string | undefined;
  condition: Record<string, unknown> | undefined;
}

/** Events delivery pacing (`startEmulator({ events })`). */
export interface EventsOptions {
  /**
   * Milliseconds between an event and its delivery to a rule's function or stream (default 0: at
   * once). On OCI delivery takes seconds and no bound is documented; live-check waits for it.
   */
  deliveryDelayMs?: number;
  /** Milliseconds streams and API rules spend CREATING before ACTIVE, and DELETING before DELETED (default 0). */
  lifecycleDelayMs?: number;
}

export interface DeliveryRecord {
  eventID: string;
  eventType: string;
  ruleId: string;
  functionId: string;
  callId: string | undefined;
  /** FDK status, or undefined if the call failed before an answer. */
  status: number | undefined;
  error: string | undefined;
  event: OciEvent;
}

/** Emulated Events service: publishes what the state reports, delivers to rules' functions. */
export class EventsService implements StateEvents {
  readonly rules = new Map<string, EventRule>();
  /** Every event emitted, matched or not. */
  readonly emitted: OciEvent[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly state: EmulatorState,
    private readonly functions: FunctionsService,
    private readonly assumptions: Assumptions,
    readonly options: Required<EventsOptions> = { deliveryDelayMs: 0, lifecycleDelayMs: 0 },
  ) {}

  addRule(input: EventRuleInput): EventRule {
    const rule: EventRule = {
      id: newOcid('eventrule', this.state.region),
      eventTypes: [...input.eventTypes],
      compartmentId: input.compartmentId,
      functionId: input.functionId,
      condition: input.condition,
      isEnabled: input.isEnabled ?? true,
    };
    this.rules.set(rule.id, rule);
    return rule;
  }

  removeRule(ruleId: string): void {
    this.rules.delete(ruleId);
  }

  private envelope(
    eventType: string, source: string, compartmentId: string,
    data: Omit<OciEvent['data'], 'compartmentId' | 'compartmentName' | 'availabilityDomain' | 'definedTags' | 'freeformTags'> & { freeformTags?: Record<string, string> },
    at: number = Date.now(),
  ): OciEvent {
    return {
      eventType,
      cloudEventsVersion: '0.1',
      eventTypeVersion: '2.0',
      source,
      eventTime: new Date(at).toISOString(),
      contentType: 'application/json',
      extensions: { compartmentId },
      data: {
        compartmentId,
        compartmentName: this.state.compartment(compartmentId).name,
        resourceName: data.resourceName,
        resourceId: data.resourceId,
        availabilityDomain: 'all',
        freeformTags: data.freeformTags ?? {},
        definedTags: {},
        additionalDetails: data.additionalDetails,
      },
      eventID: newUuid(),
    };
  }

  bucketChanged(kind: 'createbucket' | 'updatebucket', b: BucketRec): void {
    this.publish(
      this.envelope(`com.oraclecloud.objectstorage.${kind}`, this.assumptions.eventSource.objectStorage, b.compartmentId, {
        resourceName: b.name,
        resourceId: `/n/${b.namespace}/b/${b.name}`,
        freeformTags: b.freeformTags,
        additionalDetails: {
          bucketName: b.name,
          versioning: b.versioning,
          namespace: b.namespace,
          publicAccessType: b.publicAccessType,
          eTag: b.etag,
        },
      }),
    );
  }

  objectChanged(kind: 'createobject' | 'updateobject' | 'deleteobject', b: BucketRec, name: string, v: VersionRecord): void {
    const details: Record<string, unknown> = {
      eTag: v.etag,
      namespace: b.namespace,
      archivalState: v.archivalState ?? 'Available',
      bucketName: b.name,
      bucketId: b.id,
    };
    if (b.versioning !== 'Disabled') details['versionId'] = v.versionId;
    this.publish(
      this.envelope(`com.oraclecloud.objectstorage.${kind}`, this.assumptions.eventSource.objectStorage, b.compartmentId, {
        resourceName: name,
        resourceId: `/n/${b.namespace}/b/${b.name}/o/${name}`,
        additionalDetails: details,
      }),
    );
  }

  /**
   * A rotation here takes no time: both events carry the new version's
   * creation time (on OCI the `.end` event follows it by however long the
   * rotation took).
   */
  keyVersionCreated(key: KeyRec, version: KeyVersionRec, automatic: boolean): void {
    const kind = automatic ? 'autokeyrotate' : 'createkeyversion';
    for (const phase of ['begin', 'end'] as const) {
      this.publish(
        this.envelope(`com.oraclecloud.keymanagementservice.${kind}.${phase}`, this.assumptions.eventSource.keyManagement, key.compartmentId, {
          resourceName: key.displayName,
          resourceId: this.assumptions.keyEventResourceIsKey ? key.id : version.id,
          additionalDetails: { vaultId: key.vaultId, keyId: key.id, keyVersionId: version.id },
        }, version.timeCreated),
      );
    }
  }

  /**
   * An automatic rotation that failed: Oracle documents that `autokeyrotate.end`
   * is emitted for failures too, not how its payload differs (A22). No key
   * version is created.
   */
  keyRotationFailed(key: KeyRec): void {
    const current = this.state.currentKeyVersion(key);
    const details: Record<string, unknown> = { vaultId: key.vaultId, keyId: key.id };
    if (this.assumptions.failedRotationNamesCurrentVersion) details['keyVersionId'] = current.id;
    for (const phase of ['begin', 'end'] as const) {
      this.publish(
        this.envelope(`com.oraclecloud.keymanagementservice.autokeyrotate.${phase}`, this.assumptions.eventSource.keyManagement, key.compartmentId, {
          resourceName: key.displayName,
          resourceId: this.assumptions.keyEventResourceIsKey ? key.id : current.id,
          additionalDetails: details,
        }),
      );
    }
  }

  /** Publish an event: record it and deliver it to every matching rule, asynchronously. */
  publish(event: OciEvent): void {
    this.emitted.push(event);
    for (const rule of this.rules.values()) {
      if (!rule.isEnabled || !this.matches(rule, event)) continue;
      this.schedule(() => this.deliver(rule, event));
    }
    for (const rule of this.state.eventRules.values()) {
      if (!this.matchesApiRule(rule, event)) continue;
      for (const action of rule.actions) {
        if (!action.isEnabled) continue;
        if (action.actionType === 'OSS') this.schedule(async () => this.toStream(action.streamId as string, event));
        else this.schedule(() => this.deliver({ id: rule.id, functionId: action.functionId as string }, event));
      }
    }
  }

  private schedule(delivery: () => Promise<void>): void {
    const delay = this.options.deliveryDelayMs;
    // A delayed delivery does not keep a process alive that has nothing else to do.
    const p = new Promise<void>((resolve) => (delay > 0 ? setTimeout(resolve, delay).unref() : setImmediate(resolve))).then(delivery);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** An API rule (routes/events.ts) matches when ACTIVE and enabled, in its compartment or below, and its condition holds. */
  private matchesApiRule(rule: ApiRuleRec, event: OciEvent): boolean {
    return rule.isEnabled && ruleState(rule) === 'ACTIVE'
      && this.state.isInCompartment(event.data.compartmentId, rule.compartmentId)
      && matchCondition(rule.parsedCondition, event);
  }

  /** One message per event (A30); a stream that is not ACTIVE (any more) loses it. */
  private toStream(streamId: string, event: OciEvent): void {
    const stream = this.state.streams.get(streamId);
    if (!stream || streamState(stream) !== 'ACTIVE') return;
    const key = this.assumptions.eventStreamMessageKey === 'eventID' ? Buffer.from(event.eventID) : null;
    appendMessage(stream, key, Buffer.from(JSON.stringify(event), 'utf8'));
  }

  private matches(rule: EventRule, event: OciEvent): boolean {
    if (!rule.eventTypes.some((t) => wildcard(t, event.eventType))) return false;
    if (rule.compartmentId && !this.state.isInCompartment(event.data.compartmentId, rule.compartmentId)) return false;
    return rule.condition === undefined || matchCondition(rule.condition, event);
  }

  private async deliver(rule: Pick<EventRule, 'id' | 'functionId'>, event: OciEvent): Promise<void> {
    const record: DeliveryRecord = {
      eventID: event.eventID, eventType: event.eventType, ruleId: rule.id, functionId: rule.functionId,
      callId: undefined, status: undefined, error: undefined, event,
    };
    this.deliveries.push(record);
    try {
      const { record: call, answer } = await this.functions.invoke(rule.functionId, Buffer.from(JSON.stringify(event)), 'application/json', 'events');
      record.callId = call.callId;
      record.status = answer.status;
    } catch (e) {
      record.error = e instanceof Error ? e.message : String(e);
    }
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Resolves when every delivery scheduled so far (and any they cause) has finished. */
  async whenIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}

function wildcard(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** OCI rule condition semantics: named fields must match, arrays mean any-of, `*` wildcards. */
export function matchCondition(condition: unknown, value: unknown): boolean {
  if (Array.isArray(condition)) return condition.some((c) => matchCondition(c, value));
  if (condition !== null && typeof condition === 'object') {
    if (value === null || typeof value !== 'object') return false;
    const v = value as Record<string, unknown>;
    return Object.entries(condition as Record<string, unknown>).every(([k, c]) => matchCondition(c, v[k]));
  }
  if (typeof condition === 'string') return value !== undefined && value !== null && wildcard(condition, String(value));
  return condition === value;
}
