import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSUMPTIONS } from '../src/assumptions';

const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
const source = readFileSync(join(__dirname, '../src/assumptions.ts'), 'utf8');
const tableRows = readme.split('\n').filter((l) => /^\| A\d+ \|/.test(l));

describe('the README\'s assumptions table', () => {
  it.each(Object.keys(DEFAULT_ASSUMPTIONS))('has a row naming the entry %s', (entry) => {
    expect(tableRows.some((row) => row.includes(`\`${entry}\``)), entry).toBe(true);
  });

  it('numbers exactly the tags assumptions.ts uses, once each and in order', () => {
    const tags = [...new Set([...source.matchAll(/\bA(\d+):/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    const rows = tableRows.map((row) => Number(/^\| A(\d+) \|/.exec(row)?.[1]));
    expect(rows).toEqual(tags);
    expect(rows).toEqual(rows.map((_, i) => i + 1));
  });
});
