import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOfAnswer } from '../../src/cli/exit-codes';
import { progressLine, rateAndEta } from '../../src/cli/progress';
import { addRequestOptions, requestBody, requestFrom } from '../../src/cli/request-options';
import { InvalidInputError } from '../../src/errors';

function parse(args: string[]): Record<string, unknown> {
  const command = addRequestOptions(new Command('t').exitOverride());
  command.parse(args, { from: 'user' });
  return command.opts();
}

const KEY = 'ocid1.key.oc1.phx.aaaaaaaakey';
const SECRET = 'ocid1.vaultsecret.oc1.phx.aaaaaaaasecret';

describe('CLI request flags', () => {
  it('each flag sets the request field of the same name (OCI CLI spelling)', () => {
    expect(requestBody(parse([
      '--namespace', 'ns', '--bucket-name', 'b', '--object-name', 'o', '--version-id', 'v', '--kms-key-id', KEY,
      '--sse-customer-key-secret-id', SECRET, '--source-sse-customer-key-secret-id', SECRET, '--vault-id', 'ocid1.vault.oc1.phx.aaaa',
    ]))).toEqual({
      namespaceName: 'ns', bucketName: 'b', objectName: 'o', versionId: 'v', kmsKeyId: KEY,
      sseCustomerKeySecretId: SECRET, sourceSseCustomerKeySecretId: SECRET, vaultId: 'ocid1.vault.oc1.phx.aaaa',
    });
    expect(requestBody(parse(['--bucket-name', 'b', '--prefix', 'p/', '--before', '2024-01-01T00:00:00Z', '--force', '--compartment-id', 'a', '--compartment-id', 'b'])))
      .toEqual({ bucketName: 'b', prefix: 'p/', before: '2024-01-01T00:00:00Z', force: true, compartmentIds: ['a', 'b'] });
  });

  it('stored runs: --run-id, --resume and --list-runs set runId, resume and listRuns, and classify as the function does', () => {
    expect(requestBody(parse(['--run-id', 'ev-1']))).toEqual({ runId: 'ev-1' });
    expect(requestBody(parse(['--resume', 'ev-1']))).toEqual({ resume: 'ev-1' });
    expect(requestBody(parse(['--list-runs']))).toEqual({ listRuns: true });
    expect(requestFrom(parse(['--list-runs'])).request).toMatchObject({ kind: 'manual', scope: { type: 'list-runs' } });
  });

  it('--strategy sets strategy, and the classifier judges it as the function does', () => {
    expect(requestBody(parse(['--bucket-name', 'b', '--strategy', 'auto']))).toEqual({ bucketName: 'b', strategy: 'auto' });
    expect(requestFrom(parse(['--kms-key-id', KEY, '--strategy', 'bucket'])).request).toMatchObject({ scope: { type: 'key' }, strategy: 'bucket' });
    expect(() => requestFrom(parse(['--bucket-name', 'b', '--prefix', 'p/', '--strategy', 'bucket']))).toThrow(InvalidInputError);
  });

  it('flags override --from-json; --namespace replaces either spelling of the namespace', () => {
    const body = requestBody(parse(['--from-json', JSON.stringify({ bucketName: 'a', prefix: 'x/', namespace: 'old' }), '--bucket-name', 'b', '--namespace', 'new']));
    expect(body).toEqual({ bucketName: 'b', prefix: 'x/', namespaceName: 'new' });
  });

  it('the body goes through the function\'s classifier: the same request, the same errors', () => {
    expect(requestFrom(parse(['--bucket-name', 'b', '--prefix', 'p/']), { dryRun: true }).request).toMatchObject({
      kind: 'manual', dryRun: true, scope: { type: 'bucket', bucketName: 'b', prefix: 'p/' },
    });
    const err = (() => { try { requestFrom(parse(['--bucket-name', 'b', '--before', 'yesterday'])); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).details).toEqual([{ field: 'before', problem: 'must be an RFC 3339 date-time' }]);
  });

  it('an event in --from-json runs as the event; request flags cannot be added to it', () => {
    const event = { eventType: 'com.oraclecloud.objectstorage.createobject', cloudEventsVersion: '0.1', eventID: 'e1', eventTime: '2024-01-01T00:00:00Z', data: { resourceName: 'o', additionalDetails: { namespace: 'ns', bucketName: 'b' } } };
    expect(requestFrom(parse(['--from-json', JSON.stringify(event)])).request.kind).toBe('object-event');
    expect(() => requestBody(parse(['--from-json', JSON.stringify(event), '--prefix', 'p']))).toThrow(/cannot be combined with an event/);
  });
});

describe('CLI exit codes', () => {
  const report = (over: Record<string, unknown>) => ({ ok: true, complete: true, totals: { failed: 0 }, buckets: [{}], ...over });
  it.each([
    [report({}), EXIT.ok],
    [report({ complete: false, continuation: 'x' }), EXIT.unfinished],
    [report({ totals: { failed: 2 } }), EXIT.failures],
    [report({ complete: false, totals: { failed: 1 } }), EXIT.failures],
    [report({ buckets: [{ error: { status: 403 } }] }), EXIT.failures],
    [{ ok: false, error: { code: 'InvalidInput' } }, EXIT.usage],
    [{ ok: false, error: { code: 'OciCallFailed' } }, EXIT.error],
    [{ ok: false, error: { code: 'InvalidConfiguration' } }, EXIT.error],
    // A stored run's status ({"runId"}): running is not finished; once ended, its report decides.
    [{ ok: true, runId: 'r', status: 'running', totals: { failed: 0 }, buckets: [] }, EXIT.unfinished],
    [{ ok: true, runId: 'r', status: 'finished', report: { ok: true, complete: true, totals: { failed: 0 }, buckets: [] } }, EXIT.ok],
    [{ ok: true, runId: 'r', status: 'finished', report: { ok: true, complete: true, totals: { failed: 2 }, buckets: [] } }, EXIT.failures],
    [{ ok: true, runId: 'r', status: 'finished', report: { ok: true, complete: false, totals: { failed: 0 }, buckets: [] } }, EXIT.unfinished],
    // A turn that did not end the run.
    [{ ok: true, runId: 'r', action: 'run-step', complete: false, continuation: null }, EXIT.unfinished],
  ])('%j exits %i', (answer, code) => {
    expect(exitCodeOfAnswer(answer as Record<string, unknown>)).toBe(code);
  });
});

describe('progress figures', () => {
  const snap = { buckets: 1, done: 50, reencrypted: 40, planned: 0, failed: 1, skipped: 9 };
  it('rate from versions done; ETA only once a total is estimated', () => {
    expect(rateAndEta({ ...snap, estimatedTotal: undefined }, 10_000)).toEqual({ rate: 5, etaSeconds: undefined });
    expect(rateAndEta({ ...snap, estimatedTotal: 150 }, 10_000)).toEqual({ rate: 5, etaSeconds: 20 });
    // More versions than the (object) estimate: no negative ETA.
    expect(rateAndEta({ ...snap, estimatedTotal: 10 }, 10_000).etaSeconds).toBe(0);
    expect(progressLine({ ...snap, estimatedTotal: 150 }, 10_000)).toBe('progress: 50 of ~150 versions in 1 bucket(s), 5.0/s, ETA 20s | reencrypted=40 planned=0 skipped=9 failed=1');
  });
});
