import { InvalidConfigurationError, InvalidInputError, NotAllowedError, ReencryptError, RunNotContinuedError, type FieldProblem } from './errors';
import { OciCallError } from './oci/errors';

/** The stable shape of every error answer. */
export interface ErrorResponse {
  readonly ok: false;
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: readonly FieldProblem[];
    /** For OciCallFailed: the call that failed, with OCI's status, service code and request id. */
    readonly oci?: { readonly operation: string; readonly status: number | null; readonly serviceCode: string | null; readonly opcRequestId: string | null };
  };
}

export interface HandlerResult<T extends object = object> {
  /** HTTP status for an HTTP gateway caller; the Fn call itself always answers 200. */
  readonly status: number;
  readonly body: T | ErrorResponse;
  /**
   * Fail the Fn call itself (the FDK answers 502), not just answer an error:
   * only a failed call reaches the function's failure destination.
   */
  readonly failInvocation?: true;
}

export function errorResult(err: unknown): HandlerResult {
  if (err instanceof InvalidInputError) return { status: 400, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof NotAllowedError) return { status: 403, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof RunNotContinuedError) return { status: 503, body: errorBody(err.code, err.message, []), failInvocation: true };
  if (err instanceof InvalidConfigurationError) return { status: 500, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof ReencryptError) return { status: 500, body: errorBody(err.code, err.message, []) };
  if (err instanceof OciCallError) {
    // An OCI call the whole request depends on (GetBucket, GetNamespace, ...) failed: say which, with OCI's ids.
    const f = err.failure;
    return {
      status: f.outOfTime ? 504 : 502,
      body: {
        ok: false,
        error: {
          code: f.outOfTime ? 'DeadlineExceeded' : 'OciCallFailed', message: err.message, details: [],
          oci: { operation: err.operation, status: f.status ?? null, serviceCode: f.serviceCode ?? null, opcRequestId: f.opcRequestId ?? null },
        },
      },
    };
  }
  const message = err instanceof Error ? err.message : 'unexpected failure';
  return { status: 500, body: errorBody('InternalError', message, []) };
}

function errorBody(code: string, message: string, details: readonly FieldProblem[]): ErrorResponse {
  return { ok: false, error: { code, message, details } };
}
