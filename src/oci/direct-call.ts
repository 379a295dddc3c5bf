import {
  GenericRetrier, OciSdkDefaultRetryConfiguration,
  type DelayStrategy, type HttpClient, type HttpRequest, type TerminationStrategy,
} from 'oci-common';
import { callContext, type ApiCallCounter, type CallState } from './call-context';
import { BASE_DELAY_MS, plannedRetryDelayMs } from './retry';

type WaitContext = Parameters<TerminationStrategy['shouldTerminate']>[0];

/** What an SDK client method names its operation when it hands a request to the retrier. */
export interface SdkOperation {
  readonly targetService: string;
  readonly operationName: string;
  readonly apiReferenceLink: string;
}

/**
 * One OCI call that hands its composed request to the SDK's own retrier
 * (`GenericRetrier`, created as the SDK's client methods create it, with
 * this call's retry configuration as the request's `retryConfiguration`),
 * for the one operation the function makes per object version
 * (object-storage.ts: ReencryptObject). The retrier keeps every behaviour the
 * SDK path has: which failures are retried (the SDK's DefaultRetryCondition),
 * the `x-date` refresh between attempts, OciError for error responses and
 * the SDK's shape for network errors.
 *
 * The object is the call's state and its retry strategies at once, and the
 * HTTP client the retrier sends through: it names itself as the current call
 * while our HTTP client's `send` starts (callContext.sendAs), so attempts are
 * counted, `retry-after` is recorded and the hard stop applies as on the SDK
 * path, without an AsyncLocalStorage context.
 */
export class DirectCall implements CallState, HttpClient, TerminationStrategy, DelayStrategy {
  retryAfterMs?: number;
  attempts = 0;
  outOfTime = false;
  private plannedDelayMs: number | undefined;

  constructor(
    readonly operation: string,
    readonly hardStopAt: number,
    readonly maxAttempts: number,
    readonly apiCalls: ApiCallCounter,
    private readonly http: HttpClient,
    private readonly random: () => number = Math.random,
  ) {}

  /** Sends `request` with retries; resolves with a 2xx response, rejects as the SDK's retrier does. */
  exchange(request: HttpRequest, operation: SdkOperation): Promise<Response> {
    const retrier = GenericRetrier.createPreferredRetrier(undefined, { terminationStrategy: this, delayStrategy: this }, OciSdkDefaultRetryConfiguration);
    return retrier.makeServiceCall(this, request, operation.targetService, operation.operationName, operation.apiReferenceLink);
  }

  /** HttpClient: one attempt, as the retrier makes it. */
  send(
    request: HttpRequest, forceExcludeBody?: boolean, targetService?: string, operationName?: string,
    timestamp?: string, endpoint?: string, apiReferenceLink?: string,
  ): Promise<Response> {
    return callContext.sendAs(this, () => this.http.send(request, forceExcludeBody, targetService, operationName, timestamp, endpoint, apiReferenceLink));
  }

  /** TerminationStrategy: our limits (retry.ts), after a failed attempt. */
  shouldTerminate(context: WaitContext): boolean {
    this.plannedDelayMs = plannedRetryDelayMs(this, context.attemptCount, this.random);
    return this.plannedDelayMs === undefined;
  }

  /** DelayStrategy: the wait shouldTerminate planned, in seconds as the SDK takes it. */
  delay(): number {
    return (this.plannedDelayMs ?? BASE_DELAY_MS) / 1000;
  }
}
