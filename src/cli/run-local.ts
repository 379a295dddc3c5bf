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

/**
 * The engine in this process, for one command: the configuration, one
 * deadline (--max-duration), the progress display and Ctrl-C handling.
 * `run` takes as many engine requests as the command needs (`resume` takes
 * turns until the run ends); Ctrl-C stops starting new work in all of them.
 */
export interface LocalSession {
  readonly config: Config;
  run(request: ReencryptRequest): Promise<Record<string, unknown>>;
  /** Ctrl-C was pressed, or --max-duration passed. */
  stopped(): boolean;
  interrupted(): boolean;
  close(): void;
}

export function openLocalSession(g: GlobalOptions, io: CliIo, config: Config = cliConfig(g)): LocalSession {
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
  const callId = `cli-${randomUUID()}`;
  return {
    config,
    run: async (request) => await runRequest(request, {
      callId, deadline, stop: stop.signal, progress: watcher, softDeadline: true,
      // No platform stands between the operator and the engine: the OCI identity is the operator's own profile.
      caller: {},
    }, config, logger) as Record<string, unknown>,
    stopped: () => stop.signal.aborted || Date.now() >= deadline.getTime(),
    interrupted: () => stop.signal.aborted,
    close: () => {
      process.off('SIGINT', onInterrupt);
      stopDisplay();
    },
  };
}

/** Runs the engine in this process; Ctrl-C stops starting new work and the report carries the continuation. */
export async function runLocally(request: ReencryptRequest, g: GlobalOptions, io: CliIo, configOverrides: Readonly<Record<string, string>> = {}): Promise<number> {
  const session = openLocalSession(g, io, cliConfig(g, configOverrides));
  let report: Record<string, unknown>;
  try {
    report = await session.run(request);
  } finally {
    session.close();
  }
  io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const interrupted = session.interrupted() ? ' (interrupted)' : '';
  if (typeof report.continuation === 'string') {
    io.stderr.write(`not finished${interrupted}: resume with\n  oci-reencrypt run --continuation '${report.continuation}'\n`);
    if (typeof report.runId === 'string') io.stderr.write(`run id: ${report.runId}\n`);
  } else if (typeof report.runId === 'string' && report.complete === false && report.status !== undefined) {
    // A run kept in the state bucket (REENCRYPT_STATE_BUCKET) that this turn did not finish.
    io.stderr.write(`not finished${interrupted}: run ${report.runId} is kept in the state bucket; resume with\n  oci-reencrypt resume ${report.runId}\n`);
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
