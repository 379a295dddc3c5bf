import { randomUUID } from 'node:crypto';
import { requests as objectStorageRequests } from 'oci-objectstorage';
import type { Config } from '../config';
import type { ReencryptRequest } from '../input/types';
import { captureConsoleWarnings } from '../log';
import { createOci } from '../oci/clients';
import { runRequest } from '../run';
import { cliConfig, NO_LIMIT_MS, stderrLogger, type CliIo, type GlobalOptions } from './context';
import { EXIT, exitCodeOfAnswer } from './exit-codes';
import { ProgressWatcher, showProgress } from './progress';

/** Runs the engine in this process; Ctrl-C stops starting new work and the report carries the continuation. */
export async function runLocally(request: ReencryptRequest, g: GlobalOptions, io: CliIo): Promise<number> {
  const config = cliConfig(g);
  const logger = stderrLogger(g, io);
  captureConsoleWarnings(logger);
  const startedAt = Date.now();
  const deadline = new Date(startedAt + (g.maxDuration !== undefined ? g.maxDuration * 1000 : NO_LIMIT_MS));
  const stop = new AbortController();
  const watcher = new ProgressWatcher(approximateCount(config, deadline.getTime()));
  const stopDisplay = g.progress ? showProgress(watcher, { tty: io.stderr.isTTY === true, intervalMs: g.progressInterval * 1000, stream: io.stderr }) : () => undefined;
  const onInterrupt = () => {
    if (!stop.signal.aborted) {
      stop.abort();
      io.stderr.write('\nstopping: no new work is started; waiting for the calls in flight (Ctrl-C again to quit at once)\n');
      return;
    }
    io.stderr.write('quitting without waiting: calls in flight may or may not have taken effect; run the same request again to finish\n');
    process.exit(EXIT.hardInterrupt);
  };
  process.on('SIGINT', onInterrupt);
  let report: Record<string, unknown>;
  try {
    report = await runRequest(request, {
      callId: `cli-${randomUUID()}`, deadline, stop: stop.signal, progress: watcher,
      // No platform stands between the operator and the engine: the OCI identity is the operator's own profile.
      caller: {},
    }, config, logger) as Record<string, unknown>;
  } finally {
    process.off('SIGINT', onInterrupt);
    stopDisplay();
  }
  io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  if (typeof report.continuation === 'string') {
    io.stderr.write(`not finished${stop.signal.aborted ? ' (interrupted)' : ''}: resume with\n  oci-reencrypt run --continuation '${report.continuation}'\n`);
    if (typeof report.runId === 'string') io.stderr.write(`run id: ${report.runId}\n`);
  }
  return exitCodeOfAnswer(report);
}

/** The bucket's approximateCount for the ETA, on a client of its own (never counted in the report). */
function approximateCount(config: Config, hardStopAt: number) {
  const oci = createOci(config, { hardStopAt });
  return async (namespaceName: string, bucketName: string): Promise<number | undefined> => {
    const r = await oci.call('GetBucket', () => oci.objectStorage.getBucket({
      namespaceName, bucketName, fields: [objectStorageRequests.GetBucketRequest.Fields.ApproximateCount],
    }));
    return r.bucket.approximateCount;
  };
}
