import fdk, { type FdkContext } from '@fnproject/fdk';
import type { Invocation } from './handler';
import type { HandlerResult } from './response';

/**
 * The one typed wrapper around @fnproject/fdk. The body arrives as raw bytes
 * (inputMode 'buffer') so the edge can tell "not JSON" and "not UTF-8" apart
 * and chunk boundaries never split a character.
 */
export function serveWithFdk(handle: (raw: unknown, invocation: Invocation) => Promise<HandlerResult>): void {
  fdk.handle(async function fdkEntry(input: unknown, ctx: FdkContext) {
    const invocation: Invocation = { callId: ctx.callID ?? '', deadline: safeDeadline(ctx) };
    const result = await handle(input, invocation);
    // Through an HTTP gateway (API Gateway / Fn trigger) the status reaches the caller.
    if (ctx.getHeader('Fn-Http-Method') !== null || ctx.getHeader('Fn-Intent') === 'httprequest') {
      ctx.httpGateway.statusCode = result.status;
    }
    ctx.responseContentType = 'application/json';
    return result.body;
  }, { inputMode: 'buffer' });
}

/** A missing or unparsable Fn-Deadline falls back to the platform's default 30 s timeout. */
function safeDeadline(ctx: FdkContext): Date {
  const header = ctx.getHeader('Fn-Deadline');
  const parsed = header ? new Date(header) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date(Date.now() + 30_000);
}
