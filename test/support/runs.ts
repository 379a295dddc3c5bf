/**
 * What the durable-run end-to-end tests share: buckets seeded as a rotation
 * finds them, the reports the function stored, and a watch on held units.
 */
import type { Emulator } from '../../emulator/src/index';
import { stateNames, stateRecord } from './stack';

/** Versions written an hour ago, before any rotation a test performs. */
const WRITTEN_AT = Date.now() - 3_600_000;

/** A versioned bucket under `keyId` holding `versions` versions (two per object). */
export function seedVersionedBucket(emu: Emulator, name: string, keyId: string, compartmentId: string, versions: number): void {
  emu.createBucket({ compartmentId, name, kmsKeyId: keyId, versioning: 'Enabled' });
  emu.seedObjects(name, {
    count: versions / 2, extraVersions: 1, prefix: `${name}/obj-`, timeModified: new Date(WRITTEN_AT).toISOString(),
    encryption: { kind: 'kms', keyId },
  });
}

/** Every final report stored in the state bucket. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- report shape asserted in tests
export function storedReports(emu: Emulator): Record<string, any>[] {
  return stateNames(emu, 'runs/').filter((n) => n.endsWith('/report.json')).map((n) => stateRecord(emu, n));
}

/** Samples the state bucket every `everyMs`: the most units in state `held` at once, over every run. */
export function watchHolds(emu: Emulator, everyMs = 25): { peak: () => number; stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => {
    const held = stateNames(emu, 'runs/').filter((n) => n.includes('/units/')).filter((n) => stateRecord(emu, n)?.state === 'held').length;
    peak = Math.max(peak, held);
  }, everyMs);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}
