import type { ErrorAnswer } from './assumptions';

/** An error answered to the client as OCI does: status + JSON `{code, message}`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly headers: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.headers = headers;
  }

  static from(answer: ErrorAnswer, message: string): ApiError {
    return new ApiError(answer.status, answer.code, message);
  }
}

export const invalidParameter = (message: string): ApiError => new ApiError(400, 'InvalidParameter', message);
export const notAuthenticated = (message: string): ApiError =>
  new ApiError(401, 'NotAuthenticated', `The required information to complete authentication was not provided or was incorrect. ${message}`);

/** Thrown by admin helpers for misuse of the emulator itself (not an OCI answer). */
export class EmulatorUsageError extends Error {
  override readonly name = 'EmulatorUsageError';
}
