import { OciError } from 'oci-common';

/** What went wrong with one OCI call, in the terms the report uses. */
export interface CallFailure {
  readonly status?: number;
  readonly serviceCode?: string;
  readonly message: string;
  readonly opcRequestId?: string;
  /** The call gave up because the invocation's time ran out: the work is not done, not failed. */
  readonly outOfTime: boolean;
}

/** Object-level outcomes that are skips with a reason, not failures. */
export type SkipReason = 'not-found' | 'sse-c-key-required' | 'archived';

/** Wraps any error thrown by the SDK (OciError, or its plain network-error objects). */
export class OciCallError extends Error {
  constructor(readonly operation: string, readonly failure: CallFailure, options?: { cause?: unknown }) {
    super(`${operation} failed: ${failure.status ?? 'network'} ${failure.serviceCode ?? ''} ${failure.message}`.replace(/\s+/g, ' '), options);
    this.name = 'OciCallError';
  }
}

export function toCallFailure(err: unknown, outOfTime: boolean): CallFailure {
  if (err instanceof OciError) {
    return {
      status: err.statusCode, serviceCode: err.serviceCode, message: err.message,
      ...(err.opcRequestId && { opcRequestId: err.opcRequestId }), outOfTime,
    };
  }
  // The SDK rejects network failures with plain objects ({code, message}), not Errors.
  const plain = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown; statusCode?: unknown };
  const status = typeof plain.statusCode === 'number' && plain.statusCode > 0 ? plain.statusCode : undefined;
  return {
    ...(status && { status }),
    ...(typeof plain.code === 'string' && { serviceCode: plain.code }),
    message: typeof plain.message === 'string' ? plain.message : String(err),
    outOfTime,
  };
}

/**
 * Which failures of ReencryptObject are an answer about the object rather
 * than a failure of the call. OCI's exact codes for SSE-C and archived objects
 * are unverified (OCI-NOTES.md), so match the documented family of answers
 * rather than one code.
 */
export function objectSkipReason(failure: CallFailure): SkipReason | undefined {
  const code = failure.serviceCode ?? '';
  const text = `${code} ${failure.message}`;
  if (failure.status === 404) return 'not-found';
  // Not 403: "not authorized to use the key" is a missing policy, a failure to report.
  if ((failure.status === 400 || failure.status === 409)
    && /\bsse\b|sse-c|customer[- ]?(provided|key)|encryption key/i.test(text)) return 'sse-c-key-required';
  if (failure.status === 409 && /archiv|restor/i.test(text)) return 'archived';
  return undefined;
}
