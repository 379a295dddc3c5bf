import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OCI_OPERATIONS } from '../../src/oci/operations';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every OCI call goes through `oci.call('<Operation>', ...)` or `oci.callDirect('<Operation>', ...)`: collect the names.
 * The command line (src/cli) runs with the operator's own identity, not the
 * function's dynamic group: live-check's calls (CreateBucket, PutObject, ...)
 * are not the function's and need no grant in the module.
 */
const called = new Set(sources(join(__dirname, '../../src')).filter((file) => !file.includes(join('src', 'cli')))
  .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\.call(?:Direct)?\(\s*'([A-Za-z]+)'/g)].map((m) => m[1] as string)));

describe('OCI_OPERATIONS (the list IAM is derived from)', () => {
  it('names exactly the operations the code calls', () => {
    expect(called.size).toBeGreaterThan(5);
    expect(new Set(OCI_OPERATIONS.map((o) => o.operation))).toEqual(called);
  });

  it('gives every operation but GetNamespace a permission', () => {
    for (const op of OCI_OPERATIONS) if (op.operation !== 'GetNamespace') expect(op.permissions.length, op.operation).toBeGreaterThan(0);
  });
});
