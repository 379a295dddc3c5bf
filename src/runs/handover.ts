import type { requests } from 'oci-functions';
import type { RunContext } from '../engine/context';
import { bookkeepingHardStop } from '../engine/deadline';
import { OciCallError } from '../oci/errors';

/**
 * This function's invoke endpoint, read once per container with GetFunction:
 * it does not change for the life of the function.
 */
const invokeEndpoints = new Map<string, string>();

export type HandoverResult =
  | { readonly invoked: true; readonly throttled?: undefined; readonly attempted: true }
  /**
   * `throttled`: Functions answered 429 (the regional concurrency quota is reached).
   * `attempted`: false when self-invocation is off or impossible by configuration.
   */
  | { readonly invoked: false; readonly why: string; readonly throttled: boolean; readonly attempted: boolean };

/**
 * Continues work in a detached invocation of this same function (Fn answers
 * 202 at once; the new call gets its own Fn-Deadline, up to the function's
 * detached timeout). The endpoint is REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT if
 * set, else GetFunction(FN_FN_ID).invokeEndpoint.
 */
export async function invokeSelfDetached(body: object, ctx: RunContext, options: { maxAttempts?: number } = {}): Promise<HandoverResult> {
  const { config } = ctx;
  if (!config.selfInvoke) return { invoked: false, why: 'REENCRYPT_SELF_INVOKE is false', throttled: false, attempted: false };
  const functionId = config.functionId;
  if (!functionId) return { invoked: false, why: 'FN_FN_ID is not set (not running in OCI Functions), so the function cannot invoke itself', throttled: false, attempted: false };
  // Handing over follows the work: it gets the bookkeeping's time of its own past the hard stop (a detached invoke answers at once).
  const hardStopAt = bookkeepingHardStop(ctx.budget);
  try {
    const endpoint = await invokeEndpoint(functionId, ctx, hardStopAt);
    const client = ctx.oci.functionsInvokeAt(endpoint);
    await ctx.oci.call('InvokeFunction', () => client.invokeFunction({
      functionId, invokeFunctionBody: JSON.stringify(body),
      // The enum's value, as a literal: the SDK package loads only when a client is first built.
      fnInvokeType: 'detached' as requests.InvokeFunctionRequest.FnInvokeType.Detached,
    }), { hardStopAt, ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }) });
    return { invoked: true, attempted: true };
  } catch (err) {
    const throttled = err instanceof OciCallError && err.failure.status === 429;
    return { invoked: false, why: `self-invocation failed: ${err instanceof OciCallError ? err.message : String(err)}`, throttled, attempted: true };
  }
}

async function invokeEndpoint(functionId: string, ctx: RunContext, hardStopAt: number): Promise<string> {
  const configured = ctx.config.endpoints.functionsInvoke;
  if (configured) return configured;
  const cached = invokeEndpoints.get(functionId);
  if (cached) return cached;
  const r = await ctx.oci.call('GetFunction', () => ctx.oci.functionsManagement.getFunction({ functionId }), { hardStopAt });
  const endpoint = r.function.invokeEndpoint;
  if (!endpoint) throw new Error(`GetFunction(${functionId}) answered without an invokeEndpoint`);
  invokeEndpoints.set(functionId, endpoint);
  return endpoint;
}
