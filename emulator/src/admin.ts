import type { Emulator } from './emulator';
import { EmulatorUsageError } from './errors';
import { type RequestContext, type Route, jsonBody } from './http';
import type { EncryptionRow, ReadEncryptionOptions, SeedGenerator, SeedObject } from './types';

/**
 * The admin surface under /_emulator/: unauthenticated, never faulted, never
 * counted. For tests, the demo and benchmarks only; OCI has nothing like it.
 */
export function adminRoutes(emu: Emulator): Route[] {
  const body = <T>(ctx: RequestContext): T => jsonBody<Record<string, unknown>>(ctx) as unknown as T;
  const readOptions = (ctx: RequestContext): ReadEncryptionOptions => ({
    prefix: ctx.query.get('prefix'),
    includeVersions: ctx.query.bool('includeVersions') ?? false,
  });
  const ok = (value: unknown = { ok: true }): { status: number; body: unknown } => ({ status: 200, body: value });
  const route = (method: string, path: string, operation: string, handler: Route['handler']): Route => ({
    method,
    pattern: new RegExp(`^/_emulator${path.replace(/\{[a-zA-Z]+\}/g, '([^/]+)')}/?$`),
    operation: `Admin${operation}`,
    handler,
  });

  return [
    route('GET', '/metrics', 'PostedMetrics', () => ok(emu.postedMetrics)),
    route('GET', '/health', 'Health', () => ok({ ok: true, url: emu.url, namespace: emu.state.namespace, region: emu.state.region, tenancyId: emu.state.tenancyId })),
    route('POST', '/resource-principals', 'IssueResourcePrincipal', (ctx) => ok(emu.issueResourcePrincipal(body(ctx)))),
    route('POST', '/api-keys', 'RegisterApiKey', (ctx) => ok(emu.registerApiKey(body(ctx)))),
    route('POST', '/compartments', 'CreateCompartment', (ctx) => ok(emu.createCompartment(body(ctx)))),
    route('POST', '/vaults', 'CreateVault', (ctx) => ok(emu.createVault(body(ctx)))),
    route('POST', '/keys', 'CreateKey', (ctx) => ok(emu.createKey(body(ctx)))),
    route('POST', '/keys/{keyId}/rotate', 'RotateKey', (ctx) => ok(emu.rotateKey(ctx.params[0] as string, body(ctx)))),
    route('POST', '/keys/{keyId}/fail-rotation', 'FailRotation', (ctx) => {
      emu.failAutomaticRotation(ctx.params[0] as string);
      return ok();
    }),
    route('POST', '/secrets', 'CreateSecret', (ctx) => ok({ secretId: emu.createSecret(body(ctx)) })),
    route('POST', '/buckets', 'CreateBucket', (ctx) => ok(emu.createBucket(body(ctx)))),
    route('GET', '/buckets/{bucket}', 'GetBucket', (ctx) => ok(emu.getBucket(ctx.params[0] as string))),
    route('POST', '/buckets/{bucket}', 'UpdateBucket', (ctx) => ok(emu.updateBucket(ctx.params[0] as string, body(ctx)))),
    route('POST', '/buckets/{bucket}/objects', 'SeedObjects', (ctx) => {
      const input = body<{ objects?: SeedObject[]; generator?: SeedGenerator }>(ctx);
      if (input.objects && input.generator) throw new EmulatorUsageError('send objects or generator, not both');
      const spec = input.objects ?? input.generator;
      if (!spec) throw new EmulatorUsageError('send { objects: [...] } or { generator: {...} }');
      return ok(emu.seedObjects(ctx.params[0] as string, spec));
    }),
    route('GET', '/buckets/{bucket}/encryption', 'ReadEncryption', (ctx) => {
      emu.getBucket(ctx.params[0] as string); // fail before streaming starts
      const rows = emu.iterateEncryption(ctx.params[0] as string, readOptions(ctx));
      return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, stream: ndjson(rows) };
    }),
    route('GET', '/buckets/{bucket}/encryption/summary', 'EncryptionSummary', (ctx) => ok(emu.encryptionSummary(ctx.params[0] as string, readOptions(ctx)))),
    route('GET', '/counters', 'GetCounters', () => ok(emu.getCounters())),
    route('POST', '/counters/reset', 'ResetCounters', () => {
      emu.resetCounters();
      return ok();
    }),
    route('GET', '/faults', 'GetFaults', () => ok(emu.getFaults())),
    route('PUT', '/faults', 'SetFaults', (ctx) => {
      emu.setFaults(body(ctx));
      return ok(emu.getFaults());
    }),
    route('POST', '/functions', 'RegisterFunction', (ctx) => ok({ functionId: emu.registerFunction(body(ctx)) })),
    route('GET', '/invocations', 'ListInvocations', () => ok(emu.invocations)),
    route('POST', '/event-rules', 'AddEventRule', (ctx) => ok(emu.addEventRule(body(ctx)))),
    route('GET', '/events', 'ListEvents', () => ok(emu.emittedEvents)),
    route('GET', '/deliveries', 'ListDeliveries', () => ok(emu.deliveries)),
    route('POST', '/idle', 'WhenIdle', async () => {
      await emu.whenIdle();
      return ok();
    }),
  ];
}

/** Rows as NDJSON, batched so a million rows stream without one huge string. */
function* ndjson(rows: Iterable<EncryptionRow>): Generator<string> {
  let batch = '';
  let n = 0;
  for (const row of rows) {
    batch += `${JSON.stringify(row)}\n`;
    if (++n === 1000) {
      yield batch;
      batch = '';
      n = 0;
    }
  }
  if (batch) yield batch;
}
