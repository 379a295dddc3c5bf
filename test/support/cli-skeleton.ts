/**
 * `oci os object reencrypt --generate-full-command-json-input`, as the OCI
 * CLI prints it (test/fixtures/cli/os-object-reencrypt.skeleton.json, derived
 * from oci-cli's json_skeleton_utils: every `--option` alias camelCased, keys
 * sorted, strings "string", files "/path/to/file"), and a way to fill it in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Skeleton = Record<string, unknown>;

export const CLI_REENCRYPT_SKELETON: Readonly<Skeleton> = Object.freeze(
  JSON.parse(readFileSync(join(__dirname, '../fixtures/cli/os-object-reencrypt.skeleton.json'), 'utf8')) as Skeleton,
);

/** The skeleton with every key filled in: a key the skeleton lacks, or one left out, is a test bug. */
export function filledSkeleton(values: Skeleton): Skeleton {
  const keys = Object.keys(CLI_REENCRYPT_SKELETON).sort();
  const given = Object.keys(values).sort();
  if (JSON.stringify(keys) !== JSON.stringify(given)) {
    throw new Error(`fill in exactly the skeleton's keys ${keys.join(', ')}; got ${given.join(', ')}`);
  }
  return { ...values };
}
