import { isRegionProvider } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import type { Config } from '../config';
import { InvalidInputError } from '../errors';
import { captureConsoleWarnings } from '../log';
import { configFileProvider } from '../oci/config-file-auth';
import { createOci } from '../oci/clients';
import { cliConfig, NO_LIMIT_MS, stderrLogger, type CliIo, type GlobalOptions } from './context';
import { EXIT } from './exit-codes';
import { KEY_VERSION_STAYS, liveCheck, scratchBucketName, SCRATCH_OBJECTS, type LiveCheckResult, type ProbeResult } from './live-check';
import { KEY_EVENT_TYPES, OBJECT_EVENT_TYPES } from './live-check-event-probes';
import { eventClients } from './live-check-events';

export interface LiveCheckCommandOptions {
  compartmentId: string;
  kmsKeyId: string;
  namespace?: string;
  dryRun?: boolean;
  createKeyVersion?: boolean;
  vaultId?: string;
  captureEvents?: string;
  wait: number;
  eventGrace: number;
}

/** Between two polls (stream, rule, work request): OCI's pace by default; tests against the emulator set it lower. */
function pollMs(): number {
  const v = Number(process.env.OCI_REENCRYPT_LIVE_CHECK_POLL_MS);
  return Number.isFinite(v) && v > 0 ? v : 2000;
}

/** `oci-reencrypt live-check`: runs the probes (live-check.ts), prints the findings, always cleans up. */
export async function runLiveCheck(options: LiveCheckCommandOptions, g: GlobalOptions, io: CliIo): Promise<number> {
  if (options.createKeyVersion && options.vaultId === undefined) {
    throw new InvalidInputError('--create-key-version needs the key\'s vault', [{ field: '--vault-id', problem: 'is required with --create-key-version (its management endpoint serves CreateKeyVersion)' }]);
  }
  const bucket = scratchBucketName();
  if (options.dryRun) {
    io.stdout.write(`${JSON.stringify({ ok: true, dryRun: true, wouldCreate: wouldCreate(options, bucket), thenDeletes: 'the Events rules, the stream, every object version, then the bucket' }, null, 2)}\n`);
    return EXIT.ok;
  }
  const config = cliConfig(g);
  captureConsoleWarnings(stderrLogger(g, io));
  const oci = createOci(config, { hardStopAt: Date.now() + NO_LIMIT_MS });
  const namespace = options.namespace ?? (await oci.call('GetNamespace', () => oci.objectStorage.getNamespace({}))).value;
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort();
    io.stderr.write('\nstopping: deleting what live-check created\n');
  };
  process.on('SIGINT', onInterrupt);
  let result: LiveCheckResult;
  try {
    result = await liveCheck(oci, bucket, {
      namespace, compartmentId: options.compartmentId, keyId: options.kmsKeyId, signal: stop.signal, sdkObjectStorage: sdkSignedClient(config),
      say: (line) => io.stderr.write(`${line}\n`), events: eventClients(config, g.endpoint),
      ...(options.createKeyVersion && options.vaultId !== undefined && { keyVersion: { vaultId: options.vaultId } }),
      ...(options.captureEvents !== undefined && { captureDir: options.captureEvents }),
      waitMs: options.wait * 1000, graceMs: options.eventGrace * 1000, pollMs: pollMs(),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  const count = (verdict: ProbeResult['verdict']) => result.probes.filter((p) => p.verdict === verdict).length;
  const [differs, unsettled, skipped] = [count('differs'), count('unsettled'), count('skipped')];
  const clean = result.cleanup.leftBehind.length === 0;
  io.stdout.write(`${JSON.stringify({ ok: !result.stoppedAt && clean && unsettled === 0 && result.captureError === undefined, ...result, differs, unsettled, skipped }, null, 2)}\n`);
  io.stderr.write(`${probeTable(result.probes)}\n`);
  if (result.keyVersionCreated) io.stderr.write(`created key version ${result.keyVersionCreated.keyVersionId} on ${result.keyVersionCreated.keyId}; it stays: ${KEY_VERSION_STAYS}\n`);
  if (result.captured) io.stderr.write(`captured ${result.captured.length} event(s) in ${options.captureEvents ?? ''}\n`);
  if (result.captureError !== undefined) io.stderr.write(`--capture-events failed: ${result.captureError}\n`);
  if (!clean) {
    io.stderr.write(`cleanup failed (${result.cleanup.error ?? 'unknown'}): delete by hand: ${result.cleanup.leftBehind.join('; ')}\n`);
    return EXIT.error;
  }
  if (result.stoppedAt) {
    io.stderr.write(`stopped at "${result.stoppedAt.step}": ${result.stoppedAt.error}; everything it created is deleted\n`);
    return stop.signal.aborted ? EXIT.unfinished : EXIT.error;
  }
  if (differs > 0) return EXIT.failures;
  if (unsettled > 0 || result.captureError !== undefined) {
    if (unsettled > 0) io.stderr.write(`${unsettled} probe(s) unsettled: OCI's answer never came (see their notes)\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

function wouldCreate(options: LiveCheckCommandOptions, bucket: string): Record<string, unknown>[] {
  return [
    { kind: 'stream', name: bucket, compartmentId: options.compartmentId, partitions: 1, why: 'receives the events the rules deliver; read back by live-check' },
    {
      kind: 'eventsRule', name: `${bucket}-objects`, compartmentId: options.compartmentId, eventTypes: OBJECT_EVENT_TYPES, bucketName: bucket, action: 'OSS (the stream)',
    },
    ...(options.createKeyVersion ? [
      { kind: 'eventsRule', name: `${bucket}-key-versions`, compartmentId: 'the test key\'s compartment', eventTypes: KEY_EVENT_TYPES, action: 'OSS (the stream)' },
      { kind: 'keyVersion', keyId: options.kmsKeyId, vaultId: options.vaultId, note: `not deleted: ${KEY_VERSION_STAYS}` },
    ] : []),
    { kind: 'bucket', name: bucket, compartmentId: options.compartmentId, kmsKeyId: options.kmsKeyId, versioning: 'Enabled', objectEventsEnabled: true },
    ...SCRATCH_OBJECTS.map((obj) => ({ kind: 'object', bucket, name: obj.name, why: obj.why })),
    ...(options.captureEvents !== undefined ? [{ kind: 'files', dir: options.captureEvents, why: 'the events received (--capture-events); kept' }] : []),
  ];
}

/** An Object Storage client left to the SDK's own HTTP client and signer (no retries: every answer is the probe's). */
function sdkSignedClient(config: Config): ObjectStorageClient {
  if (config.auth.type !== 'config_file') throw new Error('live-check runs with a config-file profile');
  const provider = configFileProvider(config.auth);
  const client = new ObjectStorageClient({ authenticationDetailsProvider: provider }, { retryConfiguration: { terminationStrategy: { shouldTerminate: () => true } } });
  if (config.endpoints.objectStorage) client.endpoint = config.endpoints.objectStorage;
  else if (isRegionProvider(provider)) client.region = provider.getRegion();
  return client;
}

function probeTable(probes: readonly ProbeResult[]): string {
  const rows = [['assumption', 'behaviour', 'emulator', 'OCI', 'verdict'], ...probes.map((p) => [p.assumption, p.behaviour, p.emulator, p.oci, p.verdict])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  const notes = probes.filter((p) => p.note !== undefined).map((p) => `${p.assumption} ${p.behaviour}: ${p.note ?? ''}`);
  return [...table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}
