/**
 * One `audit` log line (info) per manual request: who asked (as far as the
 * platform says), what was asked, and whether it was allowed. Identifiers
 * only: OCIDs of keys and secrets, never a secret's content or a key.
 */
import type { ManualRequest } from '../input/types';
import type { RunContext } from './context';
import type { TargetVerdict } from './target-policy';

export type AuditDecision =
  | { readonly verdict: 'allowed' | 'refused'; readonly targets: TargetVerdict }
  /** Failed before the targets could be judged (e.g. GetBucket failed): nothing was read or written. */
  | { readonly verdict: 'not-decided'; readonly error: string };

/** A request that names no target: each bucket is re-encrypted under its own key. */
export const NO_EXPLICIT_TARGET: TargetVerdict = { allowed: true, basis: {}, refusals: [] };

export function auditManualRequest(ctx: RunContext, request: ManualRequest, decision: AuditDecision): void {
  ctx.logger.info('audit', {
    audit: 'manual-request',
    caller: ctx.caller,
    actingAs: ctx.config.functionId ?? null,
    request: describeRequest(request),
    verdict: decision.verdict,
    ...(decision.verdict === 'not-decided'
      ? { error: decision.error }
      : { targets: decision.targets.basis, ...(decision.targets.refusals.length > 0 && { refusals: decision.targets.refusals }) }),
  });
}

function describeRequest(request: ManualRequest): Record<string, unknown> {
  const { scope, watermark } = request;
  // The continuation token is an opaque cursor of up to 240 KB: its length is enough to tell calls apart.
  const { type, ...fields } = scope.type === 'continuation' ? { type: scope.type, continuationLength: scope.token.length } : scope;
  return {
    scope: type,
    ...fields,
    ...(request.runId && { runId: request.runId }),
    namespace: request.namespace ?? null,
    ...(request.vaultId && { vaultId: request.vaultId }),
    dryRun: request.dryRun,
    watermark: watermark.type === 'before' ? { type: 'before', before: watermark.before.toISOString() } : { type: watermark.type },
  };
}
