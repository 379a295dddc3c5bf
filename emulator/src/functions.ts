import { request } from 'node:http';
import type { Assumptions } from './assumptions';
import type { Principal } from './auth';
import { ApiError, EmulatorUsageError } from './errors';
import { newOcid, newUuid } from './util';

export interface FunctionRec {
  functionId: string;
  /** Path of the FDK's unix socket (FN_LISTENER without `unix:`). */
  socketPath: string;
  timeoutSeconds: number;
  /** Timeout of detached invocations (default: timeoutSeconds). */
  detachedTimeoutSeconds: number;
}

export interface RegisterFunctionInput {
  functionId?: string;
  socketPath: string;
  timeoutSeconds?: number;
  detachedTimeoutSeconds?: number;
}

export interface InvocationRecord {
  callId: string;
  functionId: string;
  invokeType: 'sync' | 'detached';
  /** Why it was called: an API invoke or an Events rule delivery. */
  via: 'api' | 'events';
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

/** Who signed an invoke request (A20). */
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
  private readonly running = new Set<Promise<unknown>>();

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
    this.functions.set(functionId, {
      functionId,
      socketPath: input.socketPath.replace(/^unix:/, ''),
      timeoutSeconds,
      detachedTimeoutSeconds: input.detachedTimeoutSeconds ?? timeoutSeconds,
    });
    return functionId;
  }

  get(functionId: string): FunctionRec {
    const fn = this.functions.get(functionId);
    if (!fn) throw ApiError.from(this.assumptions.notFoundGeneric, `Function ${functionId} not found`);
    return fn;
  }

  /** Synchronous invoke: waits for the function's answer. */
  async invoke(functionId: string, body: Buffer, contentType: string | undefined, via: 'api' | 'events', caller?: InvokeCaller): Promise<{ record: InvocationRecord; answer: FdkAnswer }> {
    const fn = this.get(functionId);
    const record = this.newRecord(fn, 'sync', via, body, contentType, fn.timeoutSeconds);
    const answer = await this.track(this.call(fn, record, body, fn.timeoutSeconds, caller));
    return { record, answer };
  }

  /** Detached invoke: returns at once; the call runs in the background. */
  invokeDetached(functionId: string, body: Buffer, contentType: string | undefined, via: 'api' | 'events', caller?: InvokeCaller): InvocationRecord {
    const fn = this.get(functionId);
    const record = this.newRecord(fn, 'detached', via, body, contentType, fn.detachedTimeoutSeconds);
    void this.track(this.call(fn, record, body, fn.detachedTimeoutSeconds, caller).catch(() => undefined));
    return record;
  }

  private newRecord(fn: FunctionRec, invokeType: 'sync' | 'detached', via: 'api' | 'events', body: Buffer, contentType: string | undefined, timeoutSeconds: number): InvocationRecord {
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
    const done = (): void => {
      this.running.delete(p);
    };
    p.then(done, done);
    return p;
  }

  /** A20: the signer of an API invoke, as OCI is seen to pass it. */
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

  private call(fn: FunctionRec, record: InvocationRecord, body: Buffer, timeoutSeconds: number, caller?: InvokeCaller): Promise<FdkAnswer> {
    return new Promise<FdkAnswer>((resolve, reject) => {
      const req = request(
        {
          socketPath: fn.socketPath,
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
