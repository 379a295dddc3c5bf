/**
 * Every run the state bucket holds, ended or not (`oci-reencrypt runs --all`).
 * The store keeps no index of ended runs: this lists the names under `runs/`
 * (every record of every run, units included) and reads each run's record.
 * Fine for an operator's look; the function itself never calls it. Those names include a run's
 * chain claims, one `runs/<run>/handed/<callId>` per handover (chains.ts), kept like the rest
 * until the bucket's lifecycle rule: runs of thousands of invocations fill MAX_NAMES sooner, and
 * the answer then says `truncated`. (Deleting claims as a run goes is not safe: a killed call's
 * failure record may be delivered, and retried, for hours and must still find its successor's.)
 */
import pLimit from 'p-limit';
import { isRunRecord, runKey, type Runs } from './lifecycle';

/** Runs read at most: the first in listing (name) order; `truncated` says when there were more. */
const MAX_RUNS = 200;
/** Names listed at most: a run holds one record per unit besides its own. */
const MAX_NAMES = 20_000;
const RUN_RECORD = /^runs\/([^/]+)\/run\.json$/;

export interface RunSummary {
  readonly runId: string;
  readonly createdAt: string;
  readonly trigger: string;
  readonly state: string;
  readonly finishedAt: string | null;
  readonly dryRun: boolean;
  readonly units: number;
}

export async function listAllRuns(runs: Runs): Promise<{ ok: true; action: 'list-runs'; runs: RunSummary[]; truncated: boolean }> {
  const names = await runs.store.list('runs/', MAX_NAMES);
  const ids = names.flatMap((n) => RUN_RECORD.exec(n)?.[1] ?? []);
  const limit = pLimit(8);
  const records = await Promise.all(ids.slice(0, MAX_RUNS).map((id) => limit(() => runs.store.get(runKey(id), isRunRecord))));
  const found = records.flatMap((r) => (r ? [r.value] : [])).map((r): RunSummary => ({
    runId: r.runId, createdAt: r.createdAt, trigger: r.triggerName, state: r.state,
    finishedAt: r.finishedAt ?? null, dryRun: r.dryRun, units: r.units.length,
  }));
  found.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  return { ok: true, action: 'list-runs', runs: found, truncated: ids.length > MAX_RUNS || names.length >= MAX_NAMES };
}
