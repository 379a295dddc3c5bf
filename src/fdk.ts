import fdk, { type FdkContext } from '@fnproject/fdk';
import { callIdOf } from './call-id';
import type { Caller, Invocation } from './handler';
import type { HandlerResult } from './response';

/**
 * The one typed wrapper around @fnproject/fdk. The body arrives as raw bytes
 * (inputMode 'buffer') so the edge can tell "not JSON" and "not UTF-8" apart
 * and chunk boundaries never split a character.
 */
export function serveWithFdk(handle: (raw: unknown, invocation: Invocation) => Promise<HandlerResult>): void {
  fdk.handle(async function fdkEntry(input: unknown, ctx: FdkContext) {
    const invocation: Invocation = { callId: callIdOf(ctx.callID), deadline: safeDeadline(ctx.getHeader('Fn-Deadline')), caller: callerOf(ctx) };
    const result = await handle(input, invocation);
    // The FDK turns a rejection into its 502 "Exception in function": the failure OCI acts on.
    if (result.failInvocation && 'error' in result.body) throw new FunctionFailure(`${result.body.error.code}: ${result.body.error.message}`);
    // Through an HTTP gateway (API Gateway / Fn trigger) the status reaches the caller.
    if (ctx.getHeader('Fn-Http-Method') !== null || ctx.getHeader('Fn-Intent') === 'httprequest') {
      ctx.httpGateway.statusCode = result.status;
    }
    ctx.responseContentType = 'application/json';
    return result.body;
  }, { inputMode: 'buffer' });
}

/**
 * Headers the platform sets on every invoke (not the Fn-Http-H-* copies of a
 * gateway caller's own headers, which anyone can write).
 */
const CALLER_HEADERS: { readonly [field in keyof Caller]-?: string } = {
  subjectId: 'Oci-Subject-Id',
  subjectType: 'Oci-Subject-Type',
  subjectTenancyId: 'Oci-Subject-Tenancy-Id',
  subjectCompartmentId: 'Oci-Subject-Compartment-Id',
  compartmentId: 'Opc-Compartment-Id',
  opcRequestId: 'Opc-Request-Id',
  invokeType: 'Fn-Invoke-Type',
  intent: 'Fn-Intent',
  httpMethod: 'Fn-Http-Method',
  httpRequestUrl: 'Fn-Http-Request-Url',
};
const MAX_CALLER_VALUE = 512;

function callerOf(ctx: FdkContext): Caller {
  const caller: { -readonly [field in keyof Caller]?: string } = {};
  for (const [field, header] of Object.entries(CALLER_HEADERS) as [keyof Caller, string][]) {
    const value = ctx.getHeader(header);
    if (value) caller[field] = value.length > MAX_CALLER_VALUE ? `${value.slice(0, MAX_CALLER_VALUE)}...` : value;
  }
  return caller;
}

/** The longest an invocation runs on OCI Functions: a detached one, 3600 s (a synchronous one, 300 s). */
const MAX_INVOCATION_MS = 3600_000;

/**
 * A missing or unparsable Fn-Deadline falls back to the platform's default 30 s timeout; one
 * further away than any invocation runs is brought back to that limit (a deadline years away
 * would overflow the 32-bit timers that hold each call's hard stop: Node fires those at once).
 */
function safeDeadline(header: string | null, now = Date.now()): Date {
  const parsed = header ? new Date(header) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime())) return new Date(now + 30_000);
  return parsed.getTime() > now + MAX_INVOCATION_MS ? new Date(now + MAX_INVOCATION_MS) : parsed;
}

/** What the FDK prints and answers (in `detail`) for a call failed on purpose: our own message, never a secret. */
class FunctionFailure extends Error {
  override readonly name = 'FunctionFailure';
}
