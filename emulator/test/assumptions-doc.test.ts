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

  it('numbers its rows A1, A2, ... once each, with a row for every tag assumptions.ts uses', () => {
    // Some rows are fixed choices documented where they are made (not entries): rows may outnumber tags.
    const tags = [...new Set([...source.matchAll(/\bA(\d+):/g)].map((m) => Number(m[1])))];
    const rows = tableRows.map((row) => Number(/^\| A(\d+) \|/.exec(row)?.[1]));
    expect(rows).toEqual(rows.map((_, i) => i + 1));
    for (const tag of tags) expect(rows, `A${tag}`).toContain(tag);
  });
});
