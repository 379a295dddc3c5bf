import { isRegionProvider } from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import type { Config } from '../config';
import { captureConsoleWarnings } from '../log';
import { configFileProvider } from '../oci/config-file-auth';
import { createOci } from '../oci/clients';
import { cliConfig, NO_LIMIT_MS, stderrLogger, type CliIo, type GlobalOptions } from './context';
import { EXIT } from './exit-codes';
import { liveCheck, scratchBucketName, SCRATCH_OBJECTS, type LiveCheckResult, type ProbeResult } from './live-check';

/** `oci-reencrypt live-check`: runs the probes (live-check.ts), prints the findings, always cleans up. */
export async function runLiveCheck(options: { compartmentId: string; kmsKeyId: string; namespace?: string; dryRun?: boolean }, g: GlobalOptions, io: CliIo): Promise<number> {
  const bucket = scratchBucketName();
  if (options.dryRun) {
    io.stdout.write(`${JSON.stringify({
      ok: true, dryRun: true,
      wouldCreate: [
        { kind: 'bucket', name: bucket, compartmentId: options.compartmentId, kmsKeyId: options.kmsKeyId, versioning: 'Enabled' },
        ...SCRATCH_OBJECTS.map((obj) => ({ kind: 'object', bucket, name: obj.name, why: obj.why })),
      ],
      thenDeletes: 'every object version, then the bucket',
    }, null, 2)}\n`);
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
      namespace, compartmentId: options.compartmentId, keyId: options.kmsKeyId, signal: stop.signal, sdkObjectStorage: sdkSignedClient(config), say: (line) => io.stderr.write(`${line}\n`),
    });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  const differs = result.probes.filter((p) => p.verdict === 'differs').length;
  io.stdout.write(`${JSON.stringify({ ok: !result.stoppedAt && result.cleanup.bucketDeleted, ...result, differs }, null, 2)}\n`);
  io.stderr.write(`${probeTable(result.probes)}\n`);
  if (!result.cleanup.bucketDeleted) {
    io.stderr.write(`cleanup failed (${result.cleanup.error ?? 'unknown'}): delete bucket ${bucket} and its object versions by hand\n`);
    return EXIT.error;
  }
  if (result.stoppedAt) {
    io.stderr.write(`stopped at "${result.stoppedAt.step}": ${result.stoppedAt.error}; everything it created is deleted\n`);
    return stop.signal.aborted ? EXIT.unfinished : EXIT.error;
  }
  return differs > 0 ? EXIT.failures : EXIT.ok;
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
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
