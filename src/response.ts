import { InvalidConfigurationError, InvalidInputError, ReencryptError, type FieldProblem } from './errors';

/** The stable shape of every error answer. */
export interface ErrorResponse {
  readonly ok: false;
  readonly error: { readonly code: string; readonly message: string; readonly details: readonly FieldProblem[] };
}

export interface HandlerResult<T extends object = object> {
  /** HTTP status for an HTTP gateway caller; the Fn call itself always answers 200. */
  readonly status: number;
  readonly body: T | ErrorResponse;
}

export function errorResult(err: unknown): HandlerResult {
  if (err instanceof InvalidInputError) return { status: 400, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof InvalidConfigurationError) return { status: 500, body: errorBody(err.code, err.message, err.details) };
  if (err instanceof ReencryptError) return { status: 500, body: errorBody(err.code, err.message, []) };
  const message = err instanceof Error ? err.message : 'unexpected failure';
  return { status: 500, body: errorBody('InternalError', message, []) };
}

function errorBody(code: string, message: string, details: readonly FieldProblem[]): ErrorResponse {
  return { ok: false, error: { code, message, details } };
}
