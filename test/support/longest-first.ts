/**
 * The order in which `npm test` starts its files: the longest first, so that the two
 * workers share the long files at the start and finish together on the short ones.
 *
 * vitest's own order puts files it has no timings for by size, largest first; on a
 * fresh clone (CI) it has none, and the 77-line tenancy-scale test, the longest of
 * all, started last and ran alone at the end. So the long files are named here, in
 * the order of their measured durations on 2 cores; every other file follows in
 * vitest's order (its cached timings when it has them, else size).
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Longest first (seconds of wall time on 2 cores, full `npm test`, measured 2026-11-30). */
export const LONGEST_FILES: readonly string[] = [
  'test/integration/tenancy-scale.e2e.test.ts', // ~140
  'test/integration/live-check.e2e.test.ts', // ~175 in 39 short tests: it fills the gaps at the end of its half
  'test/integration/cli.e2e.test.ts',
  'test/integration/runs.e2e.test.ts',
  'test/integration/cli-runs.e2e.test.ts',
  'test/integration/runbook.e2e.test.ts',
  'test/integration/fan-out.e2e.test.ts', // ~70: a quiet and a starved run, and the 429 one
  'test/integration/runs-turn-save.e2e.test.ts', // ~50: three turns of 15 s, two of them throttled
  'test/integration/runs-dead-hold.e2e.test.ts', // ~41 (fresh clone, 2 cores)
  'test/integration/runs-chains.e2e.test.ts', // ~30: one chain of 5 s turns, two of them killed after handing over
  'test/integration/handover-refused.e2e.test.ts',
  'test/integration/bucket-strategy.e2e.test.ts',
  'test/integration/metrics.e2e.test.ts',
  'test/integration/name-ranges.e2e.test.ts',
  'test/integration/object-names.e2e.test.ts',
  'test/integration/resilience.e2e.test.ts',
  'test/integration/runs-start-refused.e2e.test.ts', // ~18
  'test/integration/soak.e2e.test.ts', // ~30 quiet (2,100 invocations through one process)
  'test/integration/sweep.e2e.test.ts',
  'emulator/test/faults.test.ts',
  'test/property/handler-contract.property.test.ts',
  'emulator/test/paging.test.ts',
  'test/unit/signer.test.ts',
  'emulator/test/scale-cli.test.ts',
  'test/integration/continued-runs.e2e.test.ts',
  'emulator/test/auth.test.ts',
  'test/integration/triggers.e2e.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const rank = (file: TestSpecification): number => {
      const i = LONGEST_FILES.indexOf(relative(root, file.moduleId).split('\\').join('/'));
      return i === -1 ? LONGEST_FILES.length : i;
    };
    const base = await super.sort(files);
    // Array.prototype.sort is stable: unlisted files keep vitest's order.
    return [...base].sort((a, b) => rank(a) - rank(b));
  }
}
