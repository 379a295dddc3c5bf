import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultsFor, derivedOldSpaceMiB, flagCandidates, functionMemoryMiB } from '../../bench/lib/flags';
import { imageNodeFlags } from '../../bench/lib/node22';

const ROOT = resolve(__dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const funcYaml = readFileSync(join(ROOT, 'func.yaml'), 'utf8');

/** The flags benchmark (`npm run bench -- --only=flags`, bench/lib/flags.ts) compares candidates against the Dockerfile's flags. */
describe('the flags benchmark\'s candidates', () => {
  it('start with the Dockerfile\'s ENTRYPOINT flags and hold no candidate twice', () => {
    const current = imageNodeFlags(dockerfile);
    const candidates = flagCandidates(current, functionMemoryMiB(funcYaml));
    expect(candidates[0]?.flags).toEqual(current);
    const keys = candidates.map((c) => c.flags.join(' '));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('');
    // Whatever the Dockerfile says, the old image flags stay in the table as a candidate of their own.
    expect(flagCandidates(['--max-semi-space-size=16'], 512).map((c) => c.flags.join(' '))).toContain('--max-old-space-size=256 --max-semi-space-size=4');
  });

  it('read the function\'s memory from func.yaml and refuse a func.yaml without it', () => {
    expect(functionMemoryMiB(funcYaml)).toBe(512);
    expect(() => functionMemoryMiB('name: x\n')).toThrow(/memory/);
  });

  it('derive an old-space limit that leaves the function\'s memory room for the young generation and the rest', () => {
    expect(derivedOldSpaceMiB(512, 16)).toBe(384);
    for (const [memory, semi] of [[512, 16], [1024, 16], [256, 4], [2048, 32]] as const) {
      const old = derivedOldSpaceMiB(memory, semi);
      expect(old % 32).toBe(0);
      expect(old + 3 * semi + 64).toBeLessThanOrEqual(memory);
      expect(old + 3 * semi + 64).toBeGreaterThan(memory - 32);
    }
  });

  it('state V8 12.4\'s own sizing for a memory-limited container (old generation from the limit, a 1 MiB semi-space at 512 MB)', () => {
    expect(defaultsFor(512)).toEqual(['--max-old-space-size=256', '--max-semi-space-size=1']);
    // This machine (24 GB, no cgroup limit): heap_size_limit 4144 MiB = 4096 + 3 x 16, as measured.
    expect(defaultsFor(24_105)).toEqual(['--max-old-space-size=4096', '--max-semi-space-size=16']);
  });
});
