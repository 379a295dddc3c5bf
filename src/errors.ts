/**
 * Typed errors. Each carries a stable `code` that appears in the JSON
 * response, so callers never match message text.
 */
export interface FieldProblem {
  /** JSON path of the offending field, e.g. `data.additionalDetails.bucketName`; `(body)` for the whole input. */
  readonly field: string;
  readonly problem: string;
}

export class ReencryptError extends Error {
  readonly code: string = 'InternalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The input cannot be acted on as sent. Answered with HTTP 400 through a gateway. */
export class InvalidInputError extends ReencryptError {
  override readonly code = 'InvalidInput';
  constructor(message: string, readonly details: readonly FieldProblem[]) {
    super(message);
  }
}

/** The function's configuration (environment) is invalid: fix it, then every call works. */
export class InvalidConfigurationError extends ReencryptError {
  override readonly code = 'InvalidConfiguration';
  constructor(message: string, readonly details: readonly FieldProblem[]) {
    super(message);
  }
}

/**
 * A manual request asks for something the function may do but this caller
 * may not make it do: a target key or SSE-C secret that is not allowlisted.
 * Answered with HTTP 403 through a gateway. Nothing has been read or written.
 */
export class NotAllowedError extends ReencryptError {
  override readonly code = 'NotAllowed';
  constructor(message: string, readonly details: readonly FieldProblem[]) {
    super(message);
  }
}

/** A continuation cursor that is malformed, tampered with, or from another version. */
export class InvalidContinuationError extends InvalidInputError {}

/**
 * A run is saved but nothing will continue it: this invocation ran out of
 * time and Functions refused to start its successor (typically 429, the
 * tenancy's concurrency quota). The invocation then fails at the platform
 * level on purpose, so that OCI hands its record to the function's failure
 * destination, which resumes the run once Functions has room (Notifications
 * retries the delivery with backoff). Answered with HTTP 503.
 */
export class RunNotContinuedError extends ReencryptError {
  override readonly code = 'RunNotContinued';
  constructor(readonly runIds: readonly string[], why: string) {
    super(`run ${runIds.join(', ')} is saved but was not continued (${why}); the failure destination resumes it, or resume by hand with {"resume": "${runIds[0] ?? ''}"}`);
  }
}
