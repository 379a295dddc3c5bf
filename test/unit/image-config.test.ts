import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageEnv, imageNodeFlags } from '../../bench/lib/node22';

const ROOT = resolve(__dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The benchmarks run "the image" with what the Dockerfile says (bench/README.md, 3, 6 and 8), read from it. */
describe("the image's node flags and environment, as the benchmarks read them", () => {
  it('are the ENTRYPOINT flags and the runtime stage ENV (the compile cache directory is the bench\'s own)', () => {
    expect(imageNodeFlags(dockerfile)).toEqual(['--max-old-space-size=256', '--max-semi-space-size=16', '--min-semi-space-size=4']);
    expect(imageEnv(dockerfile)).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '524288', MALLOC_MMAP_THRESHOLD_: '524288' });
  });

  it('are the flags bench/README.md says the image runs with (the flags section\'s "Chosen" line)', () => {
    const readme = readFileSync(join(ROOT, 'bench/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf("### Issue 11: the image's flags chosen against CPU and memory"));
    expect(section.length).toBeLessThan(readme.length);
    const chosen = /^\*\*Chosen:\*\* `node ([^`]+) dist\/func\.js`/m.exec(section)?.[1];
    expect(chosen?.split(' ')).toEqual(imageNodeFlags(dockerfile));
  });

  it('take ENV from the runtime stage only', () => {
    const twoStages = 'FROM a AS build\nENV BUILD_ONLY=1\nFROM b\nENV RUNTIME=yes\nENV NODE_COMPILE_CACHE=/x\n';
    expect(imageEnv(twoStages)).toEqual({ RUNTIME: 'yes' });
  });

  it('refuse ENV lines they could misread (several pairs, quotes, the legacy space form, variables)', () => {
    for (const line of ['ENV A=1 B=2', 'ENV A="x y"', 'ENV A 1', 'ENV A=$B']) {
      expect(() => imageEnv(`FROM b\n${line}\n`), line).toThrow(/ENV line of another form/);
    }
  });
});
