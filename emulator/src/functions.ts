import { request } from 'node:http';
import type { Assumptions } from './assumptions';
import type { Principal } from './auth';
import { ApiError, EmulatorUsageError } from './errors';
import { FunctionPool, type FunctionPoolSpec } from './function-pool';
import { newOcid, newUuid } from './util';

/** Where a failed detached invocation's record goes (FailureDestinationDetails); only NOTIFICATION is modelled. */
export interface FailureDestination {
  kind: 'NOTIFICATION';
  topicId: string;
}

export interface FunctionRec {
  functionId: string;
  /** Path of the FDK's unix socket (FN_LISTENER without `unix:`). */
  socketPath: string;
  timeoutSeconds: number;
  /** Timeout of detached invocations (default: timeoutSeconds). */
  detachedTimeoutSeconds: number;
  /** Containers started on demand, one call each at a time (instead of the one socket above). */
  pool: FunctionPool | undefined;
  failureDestination: FailureDestination | undefined;
  displayName: string;
  compartmentId: string;
  applicationId: string;
  timeCreated: number;
}

export interface RegisterFunctionInput {
  functionId?: string;
  /** The FDK socket of a process the caller runs; or give `pool` and the emulator runs the containers. */
  socketPath?: string;
  pool?: FunctionPoolSpec;
  timeoutSeconds?: number;
  detachedTimeoutSeconds?: number;
  failureDestination?: FailureDestination;
  displayName?: string;
  compartmentId?: string;
}

export interface InvocationRecord {
  callId: string;
  functionId: string;
  invokeType: 'sync' | 'detached';
  /** Why it was called: an API invoke, an Events rule delivery, or a Notifications subscription. */
  via: 'api' | 'events' | 'notifications';
  requestBody: string;
  requestContentType: string;
  startedAt: Date;
  finishedAt: Date | undefined;
  deadline: string;
  /** HTTP status the FDK answered with; undefined while running or when it never answered. */
  status: number | undefined;
  responseBody: string | undefined;
  error: string | undefined;
}

/** Who signed an invoke request (A26). */
export interface InvokeCaller {
  readonly subject: Principal;
  readonly opcRequestId: string;
}

interface FdkAnswer {
  status: number;
  contentType: string | undefined;
  body: Buffer;
}

/** Calls functions the way the Fn server does: POST /call over the FDK's unix socket. */
export class FunctionsService {
  readonly functions = new Map<string, FunctionRec>();
  readonly invocations: InvocationRecord[] = [];
  /** Notifications topics: topic OCID -> functions subscribed with protocol ORACLE_FUNCTIONS. */
  readonly topics = new Map<string, string[]>();
  /** Messages published to topics: failed detached invocations' records, and PublishMessage calls. */
  readonly published: { topicId: string; message: string; via: 'failure-record' | 'PublishMessage' }[] = [];
  private readonly running = new Set<Promise<unknown>>();
  /** Base URL of the emulator: every function's invokeEndpoint. */
  url = '';
  /**
   * Invocations accepted and not yet answered, over all functions (OCI's concurrency quota is
   * regional, per tenancy). Undefined quota: no limit.
   */
  concurrencyQuota: number | undefined;
  inFlight = 0;
  /** The most invocations in flight at once since the last resetConcurrency(). */
  peakConcurrent = 0;
  /** Invocations answered 429 because the quota was reached. */
  throttled = 0;
  /** Notifications' retry policy for deliveries to function subscriptions (BackoffRetryPolicy). */
  notificationRetry = { firstDelayMs: 1000, maxRetryDurationMs: 7_200_000 };
  /** Attempts to deliver a topic message to a subscribed function (first tries and retries). */
  deliveryAttempts = 0;
  /** Messages dropped after `notificationRetry.maxRetryDurationMs` of failed deliveries. */
  readonly undelivered: { topicId: string; functionId: string; message: string; error: string }[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly region: string,
    private readonly assumptions: Assumptions,
  ) {}

  /**
   * Limits from "Changing Default Memory and Timeout Settings" (OCI Functions docs): the sync
   * timeout (`timeoutInSeconds`) defaults to 30 s, maximum 300; the detached timeout
   * (`detachedModeTimeoutInSeconds`) defaults to the sync timeout, minimum 5, maximum 3600.
   */
  register(input: RegisterFunctionInput): string {
    const functionId = input.functionId ?? newOcid('fnfunc', this.region);
    const timeoutSeconds = input.timeoutSeconds ?? 30;
    if (!(timeoutSeconds > 0 && timeoutSeconds <= 300)) throw new EmulatorUsageError(`timeoutSeconds must be in (0, 300] (OCI's maximum), got ${timeoutSeconds}`);
    const detached = input.detachedTimeoutSeconds;
    if (detached !== undefined && !(detached >= 5 && detached <= 3600)) throw new EmulatorUsageError(`detachedTimeoutSeconds must be between 5 and 3600 (OCI's limits), got ${detached}`);
    if ((input.socketPath === undefined) === (input.pool === undefined)) throw new EmulatorUsageError('give either socketPath or pool');
    this.functions.set(functionId, {
      functionId,
      socketPath: (input.socketPath ?? '').replace(/^unix:/, ''),
      timeoutSeconds,
      detachedTimeoutSeconds: input.detachedTimeoutSeconds ?? timeoutSeconds,
      pool: input.pool ? new FunctionPool(input.pool) : undefined,
      failureDestination: input.failureDestination,
      displayName: input.displayName ?? 'reencrypt',
      compartmentId: input.compartmentId ?? 'ocid1.compartment.oc1..aaaaaaaaemulatorfunctions',
      applicationId: newOcid('fnapp', this.region),
      timeCreated: Date.now(),
    });
    return functionId;
  }

  get(functionId: string): FunctionRec {
    const fn = this.functions.get(functionId);
    if (!fn) throw ApiError.from(this.assumptions.notFoundGeneric, `Function ${functionId} not found`);
    return fn;
  }

  resetConcurrency(): void {
    this.peakConcurrent = this.inFlight;
    this.throttled = 0;
  }

  /**
   * OCI Functions answers 429 TooManyRequests when an invocation would take the tenancy past its
   * concurrency limit (documented under "Service Limits" and the invoke troubleshooting pages;
   * the quota is memory of concurrent invocations, modelled here as a count, assumption A28).
   */
  private admit(): void {
    if (this.concurrencyQuota !== undefined && this.inFlight >= this.concurrencyQuota) {
      this.throttled += 1;
      throw ApiError.from(this.assumptions.functionsTooManyRequests, `Too many requests: ${this.inFlight} invocations in flight, quota ${this.concurrencyQuota}`);
    }
  }

  /** Synchronous invoke: waits for the function's answer. */
  async invoke(functionId: string, body: Buffer, contentType: string | undefined, via: InvocationRecord['via'], caller?: InvokeCaller): Promise<{ record: InvocationRecord; answer: FdkAnswer }> {
    const fn = this.get(functionId);
    this.admit();
    return this.invokeAdmitted(fn, body, contentType, via, caller);
  }

  private async invokeAdmitted(fn: FunctionRec, body: Buffer, contentType: string | undefined, via: InvocationRecord['via'], caller?: InvokeCaller): Promise<{ record: InvocationRecord; answer: FdkAnswer }> {
    const record = this.newRecord(fn, 'sync', via, body, contentType, fn.timeoutSeconds);
    const answer = await this.track(this.call(fn, record, body, fn.timeoutSeconds, caller));
    return { record, answer };
  }

  /** Detached invoke: returns at once; the call runs in the background. */
  invokeDetached(functionId: string, body: Buffer, contentType: string | undefined, via: InvocationRecord['via'], caller?: InvokeCaller): InvocationRecord {
    const fn = this.get(functionId);
    this.admit();
    const record = this.newRecord(fn, 'detached', via, body, contentType, fn.detachedTimeoutSeconds);
    // The call's slot is free before its failure is handled: the failure record's delivery
    // competes for the quota like any other invocation.
    this.track(this.call(fn, record, body, fn.detachedTimeoutSeconds, caller)).then(
      (answer) => {
        if (answer.status >= 300) this.detachedFailed(fn, record, `the function answered ${answer.status}`);
      },
      (err: unknown) => this.detachedFailed(fn, record, err instanceof Error ? err.message : String(err)),
    );
    return record;
  }

  /** A topic with these functions subscribed (ORACLE_FUNCTIONS protocol); `topicId` to choose its OCID (a configuration names it first). */
  createTopic(functionIds: string[], topicId = newOcid('onstopic', this.region)): string {
    if (this.topics.has(topicId)) throw new EmulatorUsageError(`topic ${topicId} exists`);
    this.topics.set(topicId, [...functionIds]);
    return topicId;
  }

  /**
   * A message published to a topic (PublishMessage, or a failure record): each subscribed function
   * is invoked with it as its body (A33 for PublishMessage's `body`, A21 for failure records), as
   * Notifications delivers (A29). Unknown topic: 404, as for any OCID the caller cannot see (A18).
   */
  publish(topicId: string, message: string, via: 'failure-record' | 'PublishMessage'): void {
    const subscribers = this.topics.get(topicId);
    if (!subscribers) throw ApiError.from(this.assumptions.notFoundGeneric, `Topic ${topicId} not found`);
    this.published.push({ topicId, message, via });
    const firstAt = Date.now();
    for (const subscriber of subscribers) this.deliver(topicId, subscriber, message, firstAt, 0);
  }

  /**
   * A failed detached invocation: its record goes to the function's failure destination. The
   * record's shape is not documented (assumption A21); a topic delivers it to each subscribed
   * function as the invocation body.
   */
  private detachedFailed(fn: FunctionRec, record: InvocationRecord, error: string): void {
    const dest = fn.failureDestination;
    if (!dest) return;
    const message = JSON.stringify({
      id: record.callId, functionId: fn.functionId, invokeType: 'detached', status: 'FAILED',
      errorMessage: error.slice(0, 500), timeStarted: record.startedAt.toISOString(), timeFinished: new Date().toISOString(),
    });
    if (this.topics.has(dest.topicId)) this.publish(dest.topicId, message, 'failure-record');
    else this.published.push({ topicId: dest.topicId, message, via: 'failure-record' });
  }

  /**
   * Notifications' delivery to an ORACLE_FUNCTIONS subscription: a synchronous invoke (A29).
   * A delivery that fails (Functions refuses it, e.g. 429 past the quota, or the function
   * fails) is retried with exponential backoff until the subscription's `maxRetryDuration`
   * (BackoffRetryPolicy, documented default 7,200,000 ms); then it is dropped.
   */
  private deliver(topicId: string, functionId: string, message: string, firstAt: number, attempt: number): void {
    const retry = (why: string): void => {
      const delay = this.notificationRetry.firstDelayMs * 2 ** attempt;
      if (Date.now() + delay - firstAt > this.notificationRetry.maxRetryDurationMs) {
        this.undelivered.push({ topicId, functionId, message, error: why });
        return;
      }
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.deliver(topicId, functionId, message, firstAt, attempt + 1);
      }, delay);
      this.retryTimers.add(timer);
    };
    this.deliveryAttempts += 1;
    let fn: FunctionRec;
    try {
      fn = this.get(functionId);
      this.admit();
    } catch (err) {
      // Functions refused the invoke (429 past the quota): the endpoint did not acknowledge receipt.
      retry(err instanceof Error ? err.message : String(err));
      return;
    }
    // The function ran: whether its failure (5xx, a dead container, its timeout) is retried is A29's open part.
    const ranAndFailed = (why: string): void => {
      if (this.assumptions.notificationsRetryFunctionFailures) retry(why);
    };
    this.invokeAdmitted(fn, Buffer.from(message), 'application/json', 'notifications').then(
      ({ answer }) => {
        if (answer.status >= 500 || answer.status === 0) ranAndFailed(`the function answered ${answer.status}`);
      },
      (err: unknown) => ranAndFailed(err instanceof Error ? err.message : String(err)),
    );
  }

  /** GetFunction's body (Function in oci-functions): enough for a caller to find its invoke endpoint. */
  toJson(fn: FunctionRec): Record<string, unknown> {
    return {
      id: fn.functionId, displayName: fn.displayName, lifecycleState: 'ACTIVE', applicationId: fn.applicationId,
      compartmentId: fn.compartmentId, image: 'emulator/reencrypt:0.1.0', memoryInMBs: 512,
      timeoutInSeconds: fn.timeoutSeconds, detachedModeTimeoutInSeconds: fn.detachedTimeoutSeconds,
      invokeEndpoint: this.url, config: {}, freeformTags: {}, definedTags: {},
      ...(fn.failureDestination && { failureDestination: fn.failureDestination }),
      timeCreated: new Date(fn.timeCreated).toISOString(), timeUpdated: new Date(fn.timeCreated).toISOString(),
    };
  }

  /** Stops every container the emulator started. */
  async stop(): Promise<void> {
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all([...this.functions.values()].map((fn) => fn.pool?.stop()));
  }

  private newRecord(fn: FunctionRec, invokeType: 'sync' | 'detached', via: InvocationRecord['via'], body: Buffer, contentType: string | undefined, timeoutSeconds: number): InvocationRecord {
    const record: InvocationRecord = {
      callId: newUuid().replace(/-/g, '').toUpperCase().slice(0, 26),
      functionId: fn.functionId,
      invokeType,
      via,
      requestBody: body.toString('utf8'),
      requestContentType: contentType ?? 'application/json',
      startedAt: new Date(),
      finishedAt: undefined,
      deadline: new Date(Date.now() + timeoutSeconds * 1000).toISOString(),
      status: undefined,
      responseBody: undefined,
      error: undefined,
    };
    this.invocations.push(record);
    return record;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    this.inFlight += 1;
    this.peakConcurrent = Math.max(this.peakConcurrent, this.inFlight);
    const done = (): void => {
      this.running.delete(p);
      this.inFlight -= 1;
    };
    p.then(done, done);
    return p;
  }

  /** A26: the signer of an API invoke, as OCI is seen to pass it. */
  private callerHeaders(caller: InvokeCaller | undefined): Record<string, string> {
    if (!caller || !this.assumptions.invokeCallerHeaders) return {};
    const { subject } = caller;
    const id = subject.kind === 'user' ? subject.userId : subject.resourceId;
    return {
      ...(id && { 'Oci-Subject-Id': id }),
      'Oci-Subject-Type': subject.kind,
      'Oci-Subject-Tenancy-Id': subject.tenancyId,
      ...(subject.kind === 'resource' && { 'Oci-Subject-Compartment-Id': subject.compartmentId }),
      'Opc-Request-Id': caller.opcRequestId,
    };
  }

  private async call(fn: FunctionRec, record: InvocationRecord, body: Buffer, timeoutSeconds: number, caller?: InvokeCaller): Promise<FdkAnswer> {
    if (!fn.pool) return this.callSocket(fn.socketPath, fn, record, body, timeoutSeconds, caller);
    const container = await fn.pool.acquire(record.requestBody);
    // The timeout counts from the moment a container takes the call (as in Fn's agent), not from
    // when it was accepted: a call that waited for a free container still gets its full time.
    record.deadline = new Date(Date.now() + timeoutSeconds * 1000).toISOString();
    let healthy = false;
    try {
      const answer = await this.callSocket(container.socketPath, fn, record, body, timeoutSeconds, caller);
      healthy = true;
      return answer;
    } finally {
      fn.pool.release(container, healthy);
    }
  }

  private callSocket(socketPath: string, fn: FunctionRec, record: InvocationRecord, body: Buffer, timeoutSeconds: number, caller?: InvokeCaller): Promise<FdkAnswer> {
    return new Promise<FdkAnswer>((resolve, reject) => {
      const req = request(
        {
          socketPath,
          path: '/call',
          method: 'POST',
          headers: {
            'Fn-Call-Id': record.callId,
            'Fn-Deadline': record.deadline,
            'Content-Type': record.requestContentType,
            'Content-Length': String(body.length),
            ...this.callerHeaders(caller),
          },
          timeout: timeoutSeconds * 1000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const answer: FdkAnswer = {
              status: res.statusCode ?? 0,
              contentType: res.headers['content-type'],
              body: Buffer.concat(chunks),
            };
            record.status = answer.status;
            record.responseBody = answer.body.toString('utf8');
            record.finishedAt = new Date();
            resolve(answer);
          });
          res.on('error', (e) => fail(e));
        },
      );
      const fail = (e: Error, timedOut = false): void => {
        record.error = timedOut ? 'timeout' : e.message;
        record.finishedAt = new Date();
        reject(timedOut ? ApiError.from(this.assumptions.functionTimedOut, `Function ${fn.functionId} timed out after ${timeoutSeconds}s`) : ApiError.from(this.assumptions.functionFailed, `Function ${fn.functionId} could not be reached: ${e.message}`));
      };
      req.on('timeout', () => {
        fail(new Error('timeout'), true);
        req.destroy();
      });
      req.on('error', (e) => {
        if (record.finishedAt === undefined) fail(e);
      });
      req.end(body);
    });
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /** Resolves when no invocation is running (including ones started meanwhile). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
