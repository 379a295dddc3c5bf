import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LONGEST_FILES } from '../support/longest-first';

describe('the order npm test starts its files in', () => {
  it('names only test files that exist, each once (a renamed file would silently drop to the end)', () => {
    const root = resolve(__dirname, '../..');
    expect(LONGEST_FILES.filter((f) => !existsSync(resolve(root, f)))).toEqual([]);
    expect(new Set(LONGEST_FILES).size).toBe(LONGEST_FILES.length);
    for (const f of LONGEST_FILES) expect(f).toMatch(/\.test\.ts$/);
  });
});
