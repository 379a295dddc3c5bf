/** The CLI's exit codes: stable, documented in `--help` and docs/cli.md, for scripts. */
export const EXIT = {
  /** Done: every version in scope handled, none failed. */
  ok: 0,
  /** The request could not be carried out: an OCI call it depends on failed, bad configuration or profile, internal error. */
  error: 1,
  /** Bad flags or request (InvalidInput): nothing was done. */
  usage: 2,
  /** Finished or stopped, and some versions (or buckets) failed: see buckets[].failures / error. */
  failures: 3,
  /** Stopped before the end (Ctrl-C, --max-duration, the function's deadline): resume with the continuation. */
  unfinished: 4,
  /** `status`, `report`, `resume`: the state bucket holds no run with this id. */
  unknownRun: 5,
  /** A second Ctrl-C: quit without waiting for calls in flight. */
  hardInterrupt: 130,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0    done: every version in scope handled, none failed
  1    error: an OCI call the request depends on failed, or the profile/configuration is unusable
  2    invalid flags or request (InvalidInput): nothing was done
  3    some versions or buckets failed (see buckets[].failures and buckets[].error)
  4    not finished (Ctrl-C, --max-duration, deadline): resume with the printed continuation or run id;
       status/report: the run has not ended yet
  5    status/report/resume: no run with this id in the state bucket
  130  second Ctrl-C: quit without waiting for calls in flight

The report (or the error) is printed to stdout as JSON; progress and messages go to stderr.`;

/** The exit code a report or error answer stands for (the function's JSON, local or invoked). */
export function exitCodeOfAnswer(answer: Record<string, unknown>): number {
  // A stored run's status (`{"runId"}`): running is unfinished; once ended, its report decides.
  if (answer.ok === true && answer.status === 'running') return EXIT.unfinished;
  if (answer.ok === true && answer.status === 'finished' && isRecord(answer.report)) return exitCodeOfAnswer(answer.report);
  if (answer.ok === false) {
    const code = (answer.error as { code?: string } | undefined)?.code;
    return code === 'InvalidInput' ? EXIT.usage : EXIT.error;
  }
  const totals = answer.totals as { failed?: number } | undefined;
  const buckets = (answer.buckets as { error?: unknown }[] | undefined) ?? [];
  if ((totals?.failed ?? 0) > 0 || buckets.some((b) => b.error !== undefined)) return EXIT.failures;
  if (answer.complete === false) return EXIT.unfinished;
  return EXIT.ok;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
