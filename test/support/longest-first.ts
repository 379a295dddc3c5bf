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

/** Longest first (seconds the file's tests took, fresh clone, `.ci/run` on 2 cores, measured 2026-11-30 20:21). */
export const LONGEST_FILES: readonly string[] = [
  'test/integration/tenancy-scale.e2e.test.ts', // ~134
  'test/integration/soak.e2e.test.ts', // ~121 (2,100 invocations through one process); it was listed at ~30 and started late
  'test/integration/runs.e2e.test.ts', // ~87
  'test/integration/resume-no-delivery-retry.e2e.test.ts', // ~77 here (three cases, 24,000 versions)
  'test/integration/live-check.e2e.test.ts', // ~66 in 39 short tests
  'test/integration/runbook.e2e.test.ts', // ~60
  'test/integration/runs-turn-save.e2e.test.ts', // ~46
  'test/integration/runs-turn-save-429.e2e.test.ts', // ~44
  'test/integration/runs-dead-hold.e2e.test.ts', // ~39
  'test/integration/runs-chains.e2e.test.ts', // ~38
  'test/integration/fan-out.e2e.test.ts', // ~38 of tests (a quiet and a starved run, and the 429 one), more with its stacks
  'test/integration/bucket-strategy.e2e.test.ts', // ~36
  'test/integration/runs-resume-published.e2e.test.ts', // ~29
  'test/integration/handover-refused.e2e.test.ts', // ~28
  'test/integration/resilience.e2e.test.ts', // ~27
  'test/integration/name-ranges.e2e.test.ts', // ~26
  'test/integration/metrics.e2e.test.ts', // ~23
  'test/integration/cli.e2e.test.ts', // ~21
  'test/integration/runs-start-refused.e2e.test.ts', // ~18
  'test/integration/cli-runs.e2e.test.ts',
  'test/unit/signer.test.ts',
  'test/integration/continued-runs.e2e.test.ts',
  'test/integration/sweep.e2e.test.ts',
  'emulator/test/faults.test.ts',
  'test/property/run-totals.property.test.ts',
  'test/integration/object-names.e2e.test.ts',
  'test/property/handler-contract.property.test.ts',
  'emulator/test/paging.test.ts',
  'emulator/test/scale-cli.test.ts',
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
