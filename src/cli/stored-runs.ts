/**
 * `status`, `report`, `runs` and `resume`: the runs the function keeps in its
 * state bucket (src/runs/), read and continued from this machine with the
 * operator's own profile. The store and lifecycle code is the function's own.
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InvalidInputError } from '../errors';
import { classify } from '../input/classify';
import { createOci } from '../oci/clients';
import { ObjectStorage } from '../oci/object-storage';
import { errorResult } from '../response';
import { listAllRuns } from '../runs/catalog';
import { listUnfinished, NoSuchRunError, runStatus, type Runs } from '../runs/lifecycle';
import { StateStore } from '../runs/store';
import { cliConfig, type CliIo, type GlobalOptions } from './context';
import { EXIT, exitCodeOfAnswer } from './exit-codes';
import { openLocalSession } from './run-local';

export interface StateOptions {
  readonly stateBucket?: string;
  readonly namespace?: string;
}

/** The options every stored-run command takes. */
export function addStateOptions(command: Command): Command {
  return command
    .addOption(new Option('--state-bucket <name>', 'the bucket the function keeps its runs in (the function\'s REENCRYPT_STATE_BUCKET)').env('REENCRYPT_STATE_BUCKET'))
    .option('--namespace <name>', 'Object Storage namespace of the state bucket (default: GetNamespace)');
}

/** `status <runId>`: where the run stands, or its final report once it has ended (the function's `{"runId"}` answer). */
export async function showStatus(runId: string, o: StateOptions, g: GlobalOptions, io: CliIo): Promise<number> {
  classify({ runId }); // the function's own rules for a run id: InvalidInput naming runId
  return knownRun(io, async () => {
    const answer = await runStatus(runId, await openRuns(o, g)) as Record<string, unknown>;
    print(io, answer);
    if (answer.status === 'running') {
      const units = answer.units as { total: number; done: number; inProgress: number; pending: number; stopped: number };
      io.stderr.write(`run ${runId} is running: ${units.done} of ${units.total} unit(s) done, ${units.inProgress} in progress, ${units.pending} pending, ${units.stopped} stopped\n`);
    } else {
      io.stderr.write(`run ${runId} has ended${answer.report === null ? ', but its report is missing from the state bucket' : ''}\n`);
    }
    return answer.status === 'finished' && answer.report === null ? EXIT.error : exitCodeOfAnswer(answer);
  });
}

/** `report <runId>`: the run's final report as stored; an error (exit 4) while the run has not ended. */
export async function showReport(runId: string, o: StateOptions, g: GlobalOptions, io: CliIo): Promise<number> {
  classify({ runId });
  return knownRun(io, async () => {
    const answer = await runStatus(runId, await openRuns(o, g)) as Record<string, unknown>;
    if (answer.status !== 'finished') {
      print(io, {
        ok: false,
        error: {
          code: 'RunNotFinished', message: `Run ${runId} has not ended: there is no report yet`,
          details: [{ field: 'runId', problem: 'names a run that has not ended yet (`oci-reencrypt status` shows where it stands)' }],
        },
      });
      io.stderr.write(`error: RunNotFinished: run ${runId} has not ended; see oci-reencrypt status ${runId}\n`);
      return EXIT.unfinished;
    }
    if (answer.report === null || typeof answer.report !== 'object') {
      print(io, {
        ok: false,
        error: { code: 'InternalError', message: `Run ${runId} has ended but its report is missing from the state bucket`, details: [{ field: 'runId', problem: 'names a run whose report object is missing' }] },
      });
      io.stderr.write(`error: run ${runId} has ended but its report is missing\n`);
      return EXIT.error;
    }
    const report = answer.report as Record<string, unknown>;
    print(io, report);
    return exitCodeOfAnswer(report);
  });
}

/** `runs`: the runs that have not ended, oldest first (the function's `{"listRuns": true}` answer); `--all`: every run. */
export async function listRuns(o: StateOptions & { all?: boolean }, g: GlobalOptions, io: CliIo): Promise<number> {
  if (o.all) {
    const every = await listAllRuns(await openRuns(o, g));
    print(io, every);
    const running = every.runs.filter((r) => r.state !== 'finished').length;
    io.stderr.write(`${every.runs.length}${every.truncated ? '+' : ''} run(s), ${running} not ended\n`);
    return EXIT.ok;
  }
  const answer = await listUnfinished(await openRuns(o, g)) as { unfinished: unknown[]; truncated: boolean };
  print(io, answer);
  io.stderr.write(`${answer.unfinished.length}${answer.truncated ? '+' : ''} unfinished run(s)\n`);
  return EXIT.ok;
}

/**
 * `resume <runId>`: takes turns on the run in this process until it ends,
 * Ctrl-C or --max-duration stops it, or only units other invocations hold
 * are left. Prints the final report, or the last turn's answer.
 */
export async function resumeLocally(runId: string, o: StateOptions, g: GlobalOptions, io: CliIo): Promise<number> {
  return knownRun(io, () => resumeTurns(runId, o, g, io));
}

async function resumeTurns(runId: string, o: StateOptions, g: GlobalOptions, io: CliIo): Promise<number> {
  const request = classify({ resume: runId });
  const session = openLocalSession(g, io, cliConfig(g, stateEnv(o)));
  let answer: Record<string, unknown>;
  let heldElsewhere = false;
  try {
    answer = await session.run(request);
    while (answer.action === 'run-step' && !session.stopped()) {
      if ((answer.thisInvocation as { units?: unknown[] } | undefined)?.units?.length === 0) {
        heldElsewhere = true;
        break;
      }
      answer = await session.run(request);
    }
  } finally {
    session.close();
  }
  print(io, answer);
  if (answer.action === 'run-step') {
    const why = session.interrupted() ? ' (interrupted)' : heldElsewhere ? ': the open units are held by other invocations (the deployed function?)' : '';
    io.stderr.write(`not finished${why}: resume with\n  oci-reencrypt resume ${runId}\n`);
  }
  return exitCodeOfAnswer(answer);
}

/** Runs a command about one run; a run id that names no run is exit 5 with the InvalidInput answer. */
async function knownRun(io: CliIo, command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (err) {
    if (!(err instanceof NoSuchRunError)) throw err;
    print(io, errorResult(err).body as Record<string, unknown>);
    io.stderr.write(`error: ${err.message}\n`);
    return EXIT.unknownRun;
  }
}

function stateEnv(o: StateOptions): { REENCRYPT_STATE_BUCKET: string; REENCRYPT_NAMESPACE?: string } {
  if (!o.stateBucket) {
    throw new InvalidInputError('The state bucket is not named: pass --state-bucket or set REENCRYPT_STATE_BUCKET', [
      { field: '--state-bucket', problem: 'is required (or REENCRYPT_STATE_BUCKET): the bucket the function keeps its runs in' },
    ]);
  }
  return { REENCRYPT_STATE_BUCKET: o.stateBucket, ...(o.namespace !== undefined && { REENCRYPT_NAMESPACE: o.namespace }) };
}

async function openRuns(o: StateOptions, g: GlobalOptions): Promise<Runs> {
  const env = stateEnv(o);
  const config = cliConfig(g, env);
  const oci = createOci(config, { hardStopAt: Date.now() + 120_000 });
  const objectStorage = new ObjectStorage(oci);
  const namespace = config.namespace ?? await objectStorage.getNamespace();
  // Reading claims nothing; the owner name is never written.
  return { store: new StateStore(objectStorage, namespace, env.REENCRYPT_STATE_BUCKET), owner: `cli-${randomUUID()}` };
}

function print(io: CliIo, json: unknown): void {
  io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}
