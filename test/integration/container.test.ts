import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectEvent } from '../support/events';
import { startStack, type Stack } from '../support/stack';
import { FUNC_JS, startFunction, type RunningFunction } from '../../scripts/lib/fdk-process';

const ROOT = resolve(__dirname, '../..');

/** What the Dockerfile's runtime stage holds: dist/func.js and dist/lazy, no node_modules. */
describe('the container image contents', () => {
  let dir: string;
  let fn: RunningFunction;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-'));
    mkdirSync(join(dir, 'dist'));
    copyFileSync(FUNC_JS, join(dir, 'dist/func.js'));
    cpSync(join(FUNC_JS, '../lazy'), join(dir, 'dist/lazy'), { recursive: true });
    fn = await startFunction({}, join(dir, 'dist/func.js'));
  });
  afterAll(async () => {
    await fn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs dist/func.js with no node_modules beside it and answers under the FDK', async () => {
    const r = await fn.call(JSON.stringify({ ...objectEvent(), eventType: 'com.oraclecloud.objectstorage.deleteobject' }));
    expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput', details: [{ field: 'eventType' }] } });
  });

  it('the Dockerfile builds on fnproject/node:22-dev and runs only the bundle (and its compile cache) on fnproject/node:22', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages[0]).toMatch(/^fnproject\/node:22-dev AS build/);
    expect(stages[1]).toMatch(/^fnproject\/node:22\n/);
    expect(stages[1]?.match(/^COPY .*/gm)).toEqual([
      'COPY --from=build /function/dist/func.js ./dist/func.js',
      'COPY --from=build /function/dist/lazy ./dist/lazy',
      'COPY --from=build /function/.compile-cache ./.compile-cache',
    ]);
    expect(stages[1]?.match(/^ENV .*/gm)).toEqual([
      'ENV NODE_COMPILE_CACHE=/function/.compile-cache', 'ENV MALLOC_ARENA_MAX=2', 'ENV MALLOC_TRIM_THRESHOLD_=524288', 'ENV MALLOC_MMAP_THRESHOLD_=524288',
    ]);
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    const argv = JSON.parse(entrypoint ?? '[]') as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/func.js');
    // V8 accepts a compile cache only from the same flags: it is baked with the ENTRYPOINT's.
    expect(stages[0]).toContain(['RUN node', ...argv.slice(1, -1), 'scripts/bake-compile-cache.cjs /function/.compile-cache'].join(' '));
    // Every file the build stage copies exists in the repository.
    for (const [, sources] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
      for (const from of sources!.split(' ')) expect(() => readFileSync(join(ROOT, from)), from).not.toThrow(/ENOENT/);
    }
    // ...and every local module scripts/build.mjs imports is among them (sdk-patches.mjs once was not).
    const copied = [...(stages[0] ?? '').matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap(([, sources]) => sources!.split(' '));
    const imported = [...readFileSync(join(ROOT, 'scripts/build.mjs'), 'utf8').matchAll(/^import .* from '\.\/(.+)';$/gm)].map(([, path]) => `scripts/${path}`);
    expect(imported.length).toBeGreaterThan(1);
    for (const path of imported) expect(copied, path).toContain(path);
  });

  it('func.yaml names the function, runs the Dockerfile, and allows a 300 s sweep', () => {
    const yaml = readFileSync(join(ROOT, 'func.yaml'), 'utf8');
    expect(yaml).toMatch(/^schema_version: 20180708$/m);
    expect(yaml).toMatch(/^name: oci-reencrypt$/m);
    expect(yaml).toMatch(/^runtime: docker$/m);
    expect(yaml).toMatch(/^timeout: 300$/m);
  });
});

/**
 * The packages the first calls do not need are files of their own (scripts/build.mjs, SPLIT): a key
 * rotation sweep reads the key's versions with the KMS client, which only dist/lazy holds, taking
 * oci-common from dist/func.js. Copied as the image holds them, with no node_modules to fall back on.
 */
describe('dist/lazy in the image layout', () => {
  let dir: string;
  let s: Stack;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-lazy-'));
    mkdirSync(join(dir, 'dist'));
    copyFileSync(FUNC_JS, join(dir, 'dist/func.js'));
    cpSync(join(FUNC_JS, '../lazy'), join(dir, 'dist/lazy'), { recursive: true });
    s = await startStack({ script: join(dir, 'dist/func.js') });
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'rotated', kmsKeyId: s.keyId, versioning: 'Enabled' });
    s.emu.seedObjects('rotated', { count: 3, extraVersions: 1, timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.rotateKey(s.keyId);
  });
  afterAll(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('re-encrypts under the key\'s current version, loading the KMS client from dist/lazy', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'rotated' }), { deadlineMs: 60_000 });
    expect(r.json).toMatchObject({ ok: true, complete: true, totals: { reencrypted: 6, failed: 0 } });
    expect(s.emu.getCounters().routes['GetKey']?.calls ?? 0).toBeGreaterThan(0);
  });
});

describe('deployment settings agree', () => {
  it('func.yaml and the Terraform module give the function the same memory and timeout', () => {
    const yaml = readFileSync(join(ROOT, 'func.yaml'), 'utf8');
    const variables = readFileSync(join(ROOT, 'terraform/variables.tf'), 'utf8');
    const tfDefault = (name: string) => new RegExp(`variable "${name}" \\{[\\s\\S]*?default\\s*=\\s*(\\d+)`).exec(variables)?.[1];
    expect(tfDefault('function_memory_in_mbs')).toBe(/^memory: (\d+)$/m.exec(yaml)?.[1]);
    expect(tfDefault('function_timeout_in_seconds')).toBe(/^timeout: (\d+)$/m.exec(yaml)?.[1]);
  });
});
