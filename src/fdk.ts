import fdk, { type FdkContext } from '@fnproject/fdk';
import type { Caller, Invocation } from './handler';
import type { HandlerResult } from './response';

/**
 * The one typed wrapper around @fnproject/fdk. The body arrives as raw bytes
 * (inputMode 'buffer') so the edge can tell "not JSON" and "not UTF-8" apart
 * and chunk boundaries never split a character.
 */
export function serveWithFdk(handle: (raw: unknown, invocation: Invocation) => Promise<HandlerResult>): void {
  fdk.handle(async function fdkEntry(input: unknown, ctx: FdkContext) {
    const invocation: Invocation = { callId: ctx.callID ?? '', deadline: safeDeadline(ctx), caller: callerOf(ctx) };
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

/** A missing or unparsable Fn-Deadline falls back to the platform's default 30 s timeout. */
function safeDeadline(ctx: FdkContext): Date {
  const header = ctx.getHeader('Fn-Deadline');
  const parsed = header ? new Date(header) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : new Date(Date.now() + 30_000);
}

/** What the FDK prints and answers (in `detail`) for a call failed on purpose: our own message, never a secret. */
class FunctionFailure extends Error {
  override readonly name = 'FunctionFailure';
}
