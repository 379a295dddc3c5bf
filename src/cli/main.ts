import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { requests as functionsRequests } from 'oci-functions';
import { requests as objectStorageRequests } from 'oci-objectstorage';
import packageJson from '../../package.json';
import { loadConfig, type Config } from '../config';
import { InvalidInputError } from '../errors';
import type { ReencryptRequest } from '../input/types';
import { captureConsoleWarnings, createLogger, type Logger, type LogLevel } from '../log';
import { createOci } from '../oci/clients';
import { errorResult } from '../response';
import { runRequest } from '../run';
import { EXIT, EXIT_CODES_HELP, exitCodeOfAnswer } from './exit-codes';
import { liveCheck, scratchBucketName, SCRATCH_OBJECTS, type LiveCheckResult, type ProbeResult } from './live-check';
import { ProgressWatcher, showProgress } from './progress';
import { addRequestOptions, requestFrom, type RequestOptions } from './request-options';

/** Options every command takes, named as the OCI CLI names them. */
interface GlobalOptions {
  readonly configFile?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly concurrency?: number;
  readonly logLevel: LogLevel;
  readonly progress: boolean;
  readonly progressInterval: number;
  readonly maxDuration?: number;
}

/** What the commands write to: stdout for JSON, stderr for messages (swappable for tests of the parser). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const DEFAULT_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };
/** Without --max-duration: a week (timers hold at most 24.8 days). */
const NO_LIMIT_MS = 7 * 24 * 3600 * 1000;

/** Runs the command line; resolves to the exit code (never calls process.exit but for a second Ctrl-C). */
export async function runCli(argv: readonly string[], io: CliIo = DEFAULT_IO): Promise<number> {
  // stdout holds one JSON document: the SDK's console.log/info chatter (e.g. "No DEFAULT profile
  // was specified in the configuration") goes to stderr.
  console.log = console.info = (...args: unknown[]) => { io.stderr.write(`${format(...args)}\n`); };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => { exitCode = code; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors were already printed.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err, io);
  }
  return exitCode;
}

function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('oci-reencrypt')
    .description('Re-encrypt OCI Object Storage objects under their bucket\'s current Vault key version, from your machine or through the deployed function.')
    .version(packageJson.version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .option('--config-file <path>', 'OCI config file (default: $OCI_CLI_CONFIG_FILE or ~/.oci/config)')
    .option('--profile <name>', 'profile in the config file; API key or `oci session authenticate` token (default: $OCI_CLI_PROFILE or DEFAULT)')
    .option('--region <id>', 'region, overriding the profile\'s (e.g. eu-frankfurt-1)')
    .addOption(new Option('--endpoint <url>', 'send every service call to this endpoint (a private endpoint, or the emulator)').env('OCI_REENCRYPT_ENDPOINT'))
    .option('--concurrency <n>', 're-encryptions in flight (default: 16)', positiveInteger)
    .addOption(new Option('--log-level <level>', 'log lines on stderr, as JSON').choices(['debug', 'info', 'warn', 'error']).default('warn'))
    .option('--no-progress', 'no progress display on stderr')
    .option('--progress-interval <seconds>', 'seconds between progress lines when stderr is not a terminal', positiveNumber, 10)
    .option('--max-duration <seconds>', 'stop starting new work after this long and print the continuation (default: no limit)', positiveNumber)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);

  addRequestOptions(program.command('plan'))
    .description('dry run: list what `run` would re-encrypt (the request with dryRun: true); prints the report as JSON')
    .action(async (options: RequestOptions, command: Command) => {
      const { request } = requestFrom(options, { dryRun: true });
      if (request.kind !== 'manual') throw new InvalidInputError('plan takes a manual request, not an event', [{ field: '--from-json', problem: 'must be a manual request for plan' }]);
      setExitCode(await runLocally(request, globals(command), io));
    });

  addRequestOptions(program.command('run'))
    .description('re-encrypt now, from this machine, as the function would for the same request; prints the report as JSON')
    .option('--continuation <token>', 'resume a run that stopped (Ctrl-C, --max-duration, or the function\'s deadline)')
    .action(async (options: RequestOptions & { continuation?: string }, command: Command) => {
      const { request } = requestFrom(options, options.continuation === undefined ? {} : { continuation: options.continuation });
      setExitCode(await runLocally(request, globals(command), io));
    });

  // `status`, `report` and `runs --unfinished` belong here once runs are kept in the state bucket
  // (durable runs): they read a run by id; `run` and Ctrl-C then print the run id next to the continuation.
  addRequestOptions(program.command('invoke'))
    .description('send the request to the deployed function (OCI Functions InvokeFunction) and print its answer')
    .requiredOption('--function-id <ocid>', 'the deployed function')
    .option('--invoke-endpoint <url>', 'the function\'s invoke endpoint (`oci fn function get` shows it; default: --endpoint)')
    .option('--detached', 'do not wait for the answer (fn-invoke-type: detached)')
    .option('--dry-run', 'ask the function for a plan (dryRun: true)')
    .option('--continuation <token>', 'resume a run from its continuation')
    .action(async (options: RequestOptions & { functionId: string; invokeEndpoint?: string; detached?: boolean; dryRun?: boolean; continuation?: string }, command: Command) => {
      const extra = { ...(options.dryRun && { dryRun: true }), ...(options.continuation !== undefined && { continuation: options.continuation }) };
      const { body } = requestFrom(options, extra);
      setExitCode(await invokeFunction(body, options, globals(command), io));
    });

  program.command('live-check')
    .description('settle the emulator\'s Object Storage assumptions in your tenancy, on a scratch bucket it creates and deletes; prints assumption, emulator, OCI, verdict')
    .requiredOption('--compartment-id <ocid>', 'compartment for the scratch bucket')
    .requiredOption('--kms-key-id <ocid>', 'a Vault key for testing: the scratch bucket is encrypted with it (no key version is created)')
    .option('--namespace <name>', 'Object Storage namespace (default: GetNamespace)')
    .option('--dry-run', 'list what would be created, create nothing')
    .action(async (options: { compartmentId: string; kmsKeyId: string; namespace?: string; dryRun?: boolean }, command: Command) => {
      setExitCode(await runLiveCheck(options, globals(command), io));
    });

  return program;
}

async function runLiveCheck(options: { compartmentId: string; kmsKeyId: string; namespace?: string; dryRun?: boolean }, g: GlobalOptions, io: CliIo): Promise<number> {
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
      namespace, compartmentId: options.compartmentId, keyId: options.kmsKeyId, signal: stop.signal, say: (line) => io.stderr.write(`${line}\n`),
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

function probeTable(probes: readonly ProbeResult[]): string {
  const rows = [['assumption', 'behaviour', 'emulator', 'OCI', 'verdict'], ...probes.map((p) => [p.assumption, p.behaviour, p.emulator, p.oci, p.verdict])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** The function's configuration for a local run: config-file auth, flags first, then REENCRYPT_* from the environment. */
function cliConfig(g: GlobalOptions): Config {
  const env: Record<string, string | undefined> = {
    ...process.env,
    REENCRYPT_AUTH: 'config_file',
    REENCRYPT_SELF_INVOKE: 'false',
    REENCRYPT_LOG_LEVEL: g.logLevel,
    REENCRYPT_OCI_CONFIG_FILE: g.configFile ?? process.env.OCI_CLI_CONFIG_FILE ?? '',
    REENCRYPT_OCI_CONFIG_PROFILE: g.profile ?? process.env.OCI_CLI_PROFILE ?? 'DEFAULT',
    ...(g.concurrency !== undefined && { REENCRYPT_CONCURRENCY: String(g.concurrency) }),
    ...(g.endpoint !== undefined && {
      REENCRYPT_OBJECTSTORAGE_ENDPOINT: g.endpoint, REENCRYPT_KMS_VAULT_ENDPOINT: g.endpoint,
      REENCRYPT_SECRETS_ENDPOINT: g.endpoint, REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: g.endpoint, REENCRYPT_MONITORING_ENDPOINT: g.endpoint,
    }),
  };
  const config = loadConfig(env);
  return g.region && config.auth.type === 'config_file' ? { ...config, auth: { ...config.auth, region: g.region } } : config;
}

function stderrLogger(g: GlobalOptions, io: CliIo): Logger {
  return createLogger(g.logLevel, { source: 'oci-reencrypt' }, (line) => io.stderr.write(`${line}\n`));
}

/** Runs the engine in this process; Ctrl-C stops starting new work and the report carries the continuation. */
async function runLocally(request: ReencryptRequest, g: GlobalOptions, io: CliIo): Promise<number> {
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
    report = await runRequest(request, { callId: `cli-${randomUUID()}`, deadline, stop: stop.signal, progress: watcher }, config, logger) as Record<string, unknown>;
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

async function invokeFunction(
  body: Record<string, unknown>, options: { functionId: string; invokeEndpoint?: string; detached?: boolean }, g: GlobalOptions, io: CliIo,
): Promise<number> {
  const endpoint = options.invokeEndpoint ?? g.endpoint;
  if (!endpoint) {
    throw new InvalidInputError('invoke needs the function\'s invoke endpoint', [
      { field: '--invoke-endpoint', problem: 'is required (see `oci fn function get --function-id ... --query data."invoke-endpoint"`)' },
    ]);
  }
  const config = cliConfig({ ...g, endpoint });
  const oci = createOci(config, { hardStopAt: Date.now() + 330_000 }); // OCI Functions answers within 300 s
  const client = oci.functionsInvoke;
  if (!client) throw new Error('no Functions invoke client'); // cliConfig always sets the endpoint
  const response = await oci.call('InvokeFunction', () => client.invokeFunction({
    functionId: options.functionId, invokeFunctionBody: JSON.stringify(body),
    fnInvokeType: options.detached ? functionsRequests.InvokeFunctionRequest.FnInvokeType.Detached : functionsRequests.InvokeFunctionRequest.FnInvokeType.Sync,
  }));
  if (options.detached) {
    io.stdout.write(`${JSON.stringify({ ok: true, invoked: 'detached', functionId: options.functionId, opcRequestId: response.opcRequestId ?? null }, null, 2)}\n`);
    return EXIT.ok;
  }
  const text = await readAll(response.value);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    io.stderr.write(`the function answered with something that is not JSON: ${text.slice(0, 300)}\n`);
    return EXIT.error;
  }
  io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  const code = exitCodeOfAnswer(answer as Record<string, unknown>);
  if (code !== EXIT.ok) io.stderr.write(`${describeAnswer(answer as Record<string, unknown>)}\n`);
  return code;
}

function describeAnswer(answer: Record<string, unknown>): string {
  const error = answer.error as { code?: string; message?: string } | undefined;
  if (answer.ok === false && error) return `${error.code}: ${error.message}`;
  if (typeof answer.continuation === 'string') return `not finished: resume with\n  oci-reencrypt invoke --function-id ... --continuation '${answer.continuation}'`;
  return 'some versions failed: see buckets[].failures';
}

async function readAll(value: unknown): Promise<string> {
  if (typeof value === 'string') return value;
  if (value instanceof ReadableStream) return new Response(value).text();
  if (value && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of value as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(value ?? '');
}

/** Errors: the function's error JSON on stdout (same shape), one line on stderr. */
function reportError(err: unknown, io: CliIo): number {
  const { body } = errorResult(err);
  io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  const error = (body as { error?: { code: string; message: string } }).error;
  io.stderr.write(`error: ${error ? `${error.code}: ${error.message}` : String(err)}\n`);
  return exitCodeOfAnswer(body as Record<string, unknown>);
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}
