/**
 * The young generation's resident pages in a function process, read from bench/lib/gc-count-hook.cjs preloaded into
 * it (`--require`; it rewrites its file within 200 ms of each garbage collection, the only time the size changes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GC_COUNT_HOOK = join(__dirname, 'gc-count-hook.cjs');

export interface YoungGenerationProbe {
  /** Node flags and environment for the function process. */
  readonly nodeArgs: readonly string[];
  readonly env: Record<string, string>;
  /** The young generation's resident MiB as last written, or undefined before the first collection. */
  read(): number | undefined;
  dispose(): void;
}

export function youngGenerationProbe(): YoungGenerationProbe {
  const dir = mkdtempSync(join(tmpdir(), 'fn-young-'));
  const file = join(dir, 'gc.json');
  return {
    nodeArgs: ['--require', GC_COUNT_HOOK],
    env: { GC_COUNT_FILE: file },
    read() {
      try {
        const v = (JSON.parse(readFileSync(file, 'utf8')) as { youngPhysicalMiB?: unknown }).youngPhysicalMiB;
        return typeof v === 'number' ? v : undefined;
      } catch {
        return undefined; // not written yet, or caught mid-write: the next sample reads it
      }
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
