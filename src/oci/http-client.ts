import { FetchHttpClient, type HttpClient, type HttpRequest, type RequestSigner } from 'oci-common';
import { callContext } from './call-context';

/** Counts of API calls (attempts on the wire) by operation, for the report. */
export type ApiCallCounter = Map<string, number>;

/**
 * Wraps the SDK's FetchHttpClient (signing and fetch stay the SDK's) to:
 * - record `retry-after` for the retry strategy,
 * - stop waiting for a response past the call's hard stop,
 * - count attempts per operation.
 * No circuit breaker: in a short-lived function a tripped breaker would fail
 * every remaining object of a sweep at once.
 */
export class DeadlineHttpClient implements HttpClient {
  private readonly inner: FetchHttpClient;

  constructor(signer: RequestSigner, private readonly counter: ApiCallCounter) {
    this.inner = new FetchHttpClient(signer, null);
  }

  async send(
    req: HttpRequest, forceExcludeBody?: boolean, targetService?: string, operationName?: string,
    timestamp?: string, endpoint?: string, apiReferenceLink?: string,
  ): Promise<Response> {
    const state = callContext.getStore();
    // A retry-after applies to the wait after the response that carried it, not to later ones.
    if (state) state.retryAfterMs = undefined;
    const op = state?.operation ?? operationName ?? 'unknown';
    this.counter.set(op, (this.counter.get(op) ?? 0) + 1);
    const sending = this.inner.send(req, forceExcludeBody, targetService, operationName, timestamp, endpoint, apiReferenceLink);
    const response = state ? await withHardStop(sending, state.hardStopAt) : await sending;
    if (state) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined) state.retryAfterMs = retryAfter;
    }
    return response;
  }
}

function withHardStop(sending: Promise<Response>, hardStopAt: number): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const state = callContext.getStore();
      if (state) state.outOfTime = true;
      // Shaped like the SDK's own network errors (plain object, code + message).
      reject({ code: 'ETIMEDOUT', message: 'no response before the invocation deadline', shouldBeRetried: false });
    }, Math.max(0, hardStopAt - Date.now()));
  });
  sending.catch(() => undefined); // an abandoned request must not become an unhandled rejection
  return Promise.race([sending, timeout]).finally(() => clearTimeout(timer));
}

/** `retry-after` is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
