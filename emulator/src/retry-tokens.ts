/**
 * `opc-retry-token`, as OCI documents it for the operations that take it:
 * "A token that uniquely identifies a request so it can be retried in case of
 * a timeout or server error without risk of executing that same action
 * again. Retry tokens expire after 24 hours." Of the operations the emulator
 * models, only CreateKeyVersion accepts the header (checked against the
 * request types of oci-keymanagement, oci-objectstorage, oci-secrets and
 * oci-functions 2.139.1).
 *
 * A retried request with a known token gets the first answer again and runs
 * nothing. The same token on a different request (another key) is refused
 * (A23: OCI does not document the answer).
 */
import type { ErrorAnswer } from './assumptions';
import { ApiError } from './errors';
import type { Reply } from './http';

export const RETRY_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

interface Remembered {
  readonly request: string;
  readonly reply: Reply;
  readonly expiresAt: number;
}

export class RetryTokens {
  private readonly seen = new Map<string, Remembered>();

  constructor(private readonly conflict: ErrorAnswer, private readonly now: () => number = Date.now) {}

  /**
   * Runs `execute` once per token: a retry of the same `request` (operation
   * and resource) answers the remembered reply, marked as a replay so the
   * write is not counted twice. Without a token, every call executes.
   */
  async once(operation: string, token: string | undefined, request: string, execute: () => Reply | Promise<Reply>): Promise<Reply> {
    if (token === undefined) return execute();
    const key = `${operation}\u0000${token}`;
    const known = this.seen.get(key);
    if (known && known.expiresAt > this.now()) {
      if (known.request !== request) {
        throw ApiError.from(this.conflict, `The retry token '${token}' was already used for a different ${operation} request`);
      }
      return { ...known.reply, replayed: true };
    }
    const reply = await execute();
    // Only an answer that took effect is remembered: a failed attempt may be retried with the same token.
    if (reply.status < 300) this.seen.set(key, { request, reply, expiresAt: this.now() + RETRY_TOKEN_TTL_MS });
    return reply;
  }
}
