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
 * (object-storage.ts: ReencryptObject), once its first attempt has not
 * answered 2xx (see `exchange`). The retrier keeps every behaviour the
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
/** What the SDK's retrier accepts as the answer (GenericRetrier.makeServiceCall's test). */
function isSuccess(response: Response): boolean {
  return Boolean(response.status) && response.status >= 200 && response.status <= 299;
}

export class DirectCall implements CallState, HttpClient, TerminationStrategy, DelayStrategy {
  retryAfterMs?: number;
  attempts = 0;
  outOfTime = false;
  private plannedDelayMs: number | undefined;
  /** The first attempt's outcome, for the retrier's first `send`. */
  private replay: Promise<Response> | undefined;

  constructor(
    readonly operation: string,
    readonly hardStopAt: number,
    readonly maxAttempts: number,
    readonly apiCalls: ApiCallCounter,
    private readonly http: HttpClient,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Sends `request` with retries; resolves with a 2xx response, rejects as the SDK's retrier does.
   *
   * The first attempt is made here, as the retrier would make it (its only work before sending is
   * an `opc-client-retries` header it adds for its own MaxAttemptsTerminationStrategy, not ours). A
   * 2xx answer, nearly every call, is returned at once: the retrier's per-call work (its copied
   * configurations, a generator-based async loop, dates and strings for errors) is not done. Any
   * other outcome goes to the SDK's retrier with the first attempt's result replayed as its first
   * attempt (`send` hands it over instead of sending again), so which failures are retried, how
   * and with what error is still the retrier's decision; only its error objects' timestamp is
   * taken when the first answer is in rather than before the request.
   */
  exchange(request: HttpRequest, operation: SdkOperation): Promise<Response> {
    let first: Promise<Response>;
    try {
      first = this.send(request);
    } catch (err) {
      first = Promise.reject(err); // the retrier's loop catches a throwing send as a failed attempt too
    }
    return first.then(
      (response) => (isSuccess(response) ? response : this.retry(request, operation, first)),
      () => this.retry(request, operation, first),
    );
  }

  /** HttpClient: one attempt, as the retrier makes it (the replayed first attempt once, then on the wire). */
  send(
    request: HttpRequest, forceExcludeBody?: boolean, targetService?: string, operationName?: string,
    timestamp?: string, endpoint?: string, apiReferenceLink?: string,
  ): Promise<Response> {
    const replay = this.replay;
    if (replay !== undefined) {
      this.replay = undefined;
      return replay;
    }
    return callContext.sendAs(this, () => this.http.send(request, forceExcludeBody, targetService, operationName, timestamp, endpoint, apiReferenceLink));
  }

  /** The SDK's retrier from the first attempt's outcome on. */
  private retry(request: HttpRequest, operation: SdkOperation, first: Promise<Response>): Promise<Response> {
    this.replay = first;
    const retrier = GenericRetrier.createPreferredRetrier(undefined, { terminationStrategy: this, delayStrategy: this }, OciSdkDefaultRetryConfiguration);
    return retrier.makeServiceCall(this, request, operation.targetService, operation.operationName, operation.apiReferenceLink);
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
