import { format } from 'node:util';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import packageJson from '../../package.json';
import { InvalidInputError } from '../errors';
import { errorResult } from '../response';
import { DEFAULT_IO, type CliIo, type GlobalOptions } from './context';
import { EXIT, EXIT_CODES_HELP, exitCodeOfAnswer } from './exit-codes';
import { invokeFunction } from './invoke';
import { runLiveCheck, type LiveCheckCommandOptions } from './live-check-command';
import { runLocally } from './run-local';
import { addRequestOptions, requestFrom, type RequestOptions } from './request-options';
import { addStateOptions, listRuns, resumeLocally, showReport, showStatus, type StateOptions } from './stored-runs';

/** The `oci-reencrypt` command line: options and commands; each command lives in its own file. */

/**
 * The process's entry point (bin/oci-reencrypt.mjs from source, dist/cli.js built): runs the
 * command line with this process's arguments and sets its exit code.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // `oci-reencrypt ... | head`: a reader that stops early is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  process.exitCode = await runCli(argv);
}

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
    .addOption(new Option('--state-bucket <name>', 'keep the run in this state bucket (a durable run: `status`, `report`, `resume` by its id)').env('REENCRYPT_STATE_BUCKET'))
    .action(async (options: RequestOptions & { continuation?: string; stateBucket?: string }, command: Command) => {
      const { request } = requestFrom(options, options.continuation === undefined ? {} : { continuation: options.continuation });
      setExitCode(await runLocally(request, globals(command), io, options.stateBucket ? { REENCRYPT_STATE_BUCKET: options.stateBucket } : {}));
    });

  // Runs kept in the state bucket (durable runs), read and continued with the operator's profile.
  addStateOptions(program.command('status'))
    .argument('<runId>', 'the run\'s id (as `run`, `invoke` or `runs` printed it)')
    .description('where a run kept in the state bucket stands (units done, pending, counts so far), or its final report once it has ended')
    .action(async (runId: string, options: StateOptions, command: Command) => {
      setExitCode(await showStatus(runId, options, globals(command), io));
    });

  addStateOptions(program.command('report'))
    .argument('<runId>', 'the run\'s id')
    .description('the final report of a run that has ended, as stored in the state bucket (exit 4 while it is still running)')
    .action(async (runId: string, options: StateOptions, command: Command) => {
      setExitCode(await showReport(runId, options, globals(command), io));
    });

  addStateOptions(program.command('runs'))
    .description('list the runs in the state bucket that have not ended, oldest first')
    .option('--all', 'every run the state bucket holds, ended or not, with its state (reads each run\'s record)')
    .action(async (options: StateOptions & { all?: boolean }, command: Command) => {
      setExitCode(await listRuns(options, globals(command), io));
    });

  addStateOptions(program.command('resume'))
    .argument('<runId>', 'the run\'s id')
    .description('continue a run kept in the state bucket from this machine until it ends (Ctrl-C stops starting new work); prints its report')
    .action(async (runId: string, options: StateOptions, command: Command) => {
      setExitCode(await resumeLocally(runId, options, globals(command), io));
    });

  addRequestOptions(program.command('invoke'))
    .description('send the request to the deployed function (OCI Functions InvokeFunction) and print its answer')
    .requiredOption('--function-id <ocid>', 'the deployed function')
    .option('--invoke-endpoint <url>', 'the function\'s invoke endpoint (default: looked up with GetFunction, as `oci fn function invoke` does)')
    .option('--detached', 'do not wait for the answer (fn-invoke-type: detached)')
    .option('--dry-run', 'ask the function for a plan (dryRun: true)')
    .option('--continuation <token>', 'resume a run from its continuation')
    .action(async (options: RequestOptions & { functionId: string; invokeEndpoint?: string; detached?: boolean; dryRun?: boolean; continuation?: string }, command: Command) => {
      const extra = { ...(options.dryRun && { dryRun: true }), ...(options.continuation !== undefined && { continuation: options.continuation }) };
      const { body } = requestFrom(options, extra);
      setExitCode(await invokeFunction(body, options, globals(command), io));
    });

  program.command('live-check')
    .description('settle the emulator\'s assumptions in your tenancy, on a scratch bucket, stream and Events rule it creates and deletes; prints assumption, emulator, OCI, verdict')
    .requiredOption('--compartment-id <ocid>', 'compartment for the scratch bucket, the temporary stream and Events rule')
    .requiredOption('--kms-key-id <ocid>', 'a Vault key for testing: the scratch bucket is encrypted with it')
    .option('--namespace <name>', 'Object Storage namespace (default: GetNamespace)')
    .option('--create-key-version', 'also create ONE key version on the test key and read its createkeyversion events (A8); the version cannot be removed')
    .option('--vault-id <ocid>', 'the test key\'s vault (with --create-key-version)')
    .option('--capture-events <dir>', 'write every event received as a JSON file in <dir>, named like test/fixtures/events')
    .option('--wait <seconds>', 'longest wait for a stream or rule to become ACTIVE, for events, for a work request', positiveNumber, 300)
    .addOption(new Option('--event-grace <seconds>', 'after the last expected event, how long events that should not come are given')
      .argParser(nonNegativeNumber).default(15).env('OCI_REENCRYPT_LIVE_CHECK_EVENT_GRACE'))
    .option('--dry-run', 'list what would be created, create nothing')
    .action(async (options: LiveCheckCommandOptions, command: Command) => {
      setExitCode(await runLiveCheck(options, globals(command), io));
    });

  return program;
}

function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
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

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number, 0 or more');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}
