import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import '../../src/config';
import { AJV_PROFILES, requestedSchemas } from '../../src/input/ajv';
import '../../src/input/classify';
import '../../src/sweep/continuation';

/**
 * dist/func.js carries validators compiled at build time (`npm run build`,
 * which `npm test` runs first). They must be the validators ajv compiles from
 * the same schemas at run time: same verdicts, same error objects (and so the
 * same InvalidInput messages), for every schema a module asks for.
 */
const generated = createRequire(__filename)(join(__dirname, '../../dist/.build/precompiled-validators.cjs')) as {
  PRECOMPILED_VALIDATORS: Map<string, ValidateFunction>;
};

function runtimeValidator(profile: keyof typeof AJV_PROFILES, schema: object): ValidateFunction {
  const { options, formats } = AJV_PROFILES[profile];
  const ajv = new Ajv({ ...options });
  if (formats.length) addFormats(ajv, [...formats]);
  return ajv.compile(schema);
}

const fixtures = readdirSync(join(__dirname, '../fixtures/events'))
  .map((f) => JSON.parse(readFileSync(join(__dirname, '../fixtures/events', f), 'utf8')) as Record<string, unknown>);

/** Valid-looking documents and every one-field mutation of them: dropped, nulled, retyped, emptied, oversized. */
function samples(): unknown[] {
  const bases: Record<string, unknown>[] = [
    ...fixtures, ...fixtures.map((f) => f['data'] as Record<string, unknown>),
    { bucketName: 'b', objectName: "it's", versionId: 'v1', kmsKeyId: 'ocid1.key.oc1.phx.abc.def' },
    { bucketName: 'b', prefix: 'p/', dryRun: true, before: '2026-01-01T00:00:00Z', force: false },
    { kmsKeyId: 'ocid1.key.oc1.phx.abc.def', vaultId: 'ocid1.vault.oc1.phx.abc.def' },
    { continuation: 'x'.repeat(40) },
    { REENCRYPT_CONCURRENCY: '16', REENCRYPT_LOG_LEVEL: 'debug', REENCRYPT_AUTH: 'config_file', REENCRYPT_SELF_INVOKE: 'true' },
  ];
  const out: unknown[] = [null, 0, 'text', [], {}, true];
  for (const base of bases) {
    out.push(base);
    for (const key of Object.keys(base)) {
      const { [key]: _dropped, ...rest } = base;
      out.push(rest);
      for (const value of [null, 42, -1, 1.5, '', 'x'.repeat(5000), [], {}, true, 'not-a-date', '2026-13-45T99:00:00Z', '\u0000']) {
        out.push({ ...base, [key]: value });
      }
    }
    out.push({ ...base, unknownField: 1 });
  }
  return out;
}

describe('validators compiled at build time', () => {
  it('cover every schema the modules compile', () => {
    expect(requestedSchemas.length).toBeGreaterThanOrEqual(5);
    for (const { key } of requestedSchemas) expect(generated.PRECOMPILED_VALIDATORS.has(key), key).toBe(true);
  });

  it('give the same verdicts and the same errors as ajv compiling the same schemas at run time', () => {
    const inputs = samples();
    let invalid = 0;
    for (const { profile, schema, key } of requestedSchemas) {
      const built = generated.PRECOMPILED_VALIDATORS.get(key) as ValidateFunction;
      const runtime = runtimeValidator(profile, schema);
      for (const input of inputs) {
        // Both may fill in defaults or coerce (the environment profile): give each its own copy.
        const a = structuredClone(input);
        const b = structuredClone(input);
        const verdict = runtime(a);
        expect(built(b)).toBe(verdict);
        expect(built.errors ?? null).toEqual(runtime.errors ?? null);
        expect(b).toEqual(a);
        if (!verdict) invalid += 1;
      }
    }
    expect(invalid).toBeGreaterThan(100);
  });
});
