import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build helper without type declarations
import { patchSource } from '../../scripts/lib/sdk-patches.mjs';

/**
 * The bundle loads a client's model modules when a call first names them, not with the client
 * (scripts/lib/sdk-patches.mjs, LAZY_MODEL_INDEX; bench/README.md, idle RSS): the patched model
 * index must export the same names and the very same objects as the SDK's own.
 */
const PACKAGES = ['oci-objectstorage', 'oci-keymanagement', 'oci-monitoring', 'oci-functions', 'oci-secrets'];
const root = join(__dirname, '../..');

/** Runs a model index from `source` with a require that counts the model modules it loads. */
function runIndex(path: string, source: string): { exports: Record<string, unknown>; loaded: string[] } {
  const real = createRequire(path);
  const loaded: string[] = [];
  const counting = (id: string): unknown => {
    loaded.push(id);
    return real(id);
  };
  const module = { exports: {} as Record<string, unknown> };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- loading a CommonJS module from its source, as Node does
  new Function('exports', 'require', 'module', '__filename', '__dirname', source)(module.exports, counting, module, path, dirname(path));
  return { exports: module.exports, loaded };
}

describe('lazy SDK model indexes in the bundle', () => {
  for (const pkg of PACKAGES) {
    it(`${pkg}: the same exports, the same objects, each model module loaded on first access only`, () => {
      const path = join(root, 'node_modules', pkg, 'lib/model/index.js');
      const original = readFileSync(path, 'utf8');
      const sdk = createRequire(path)('./index.js') as Record<string, unknown>;
      const patched = runIndex(path, patchSource(path, original) as string);
      expect(patched.loaded).toEqual([]);
      expect(Object.keys(patched.exports).sort()).toEqual(Object.keys(sdk).sort());
      const names = Object.keys(sdk).filter((k) => k !== '__esModule');
      expect(names.length).toBeGreaterThan(3);
      const [first, second] = names as [string, string];
      expect(patched.exports[first]).toBe(sdk[first]);
      expect(patched.loaded).toHaveLength(1);
      expect(patched.exports[first]).toBe(sdk[first]); // a value now: no second require
      expect(patched.loaded).toHaveLength(1);
      expect(patched.exports[second]).toBe(sdk[second]);
      for (const name of names) expect(patched.exports[name]).toBe(sdk[name]);
      expect(patched.loaded).toHaveLength(names.length);
      expect(Object.getOwnPropertyDescriptor(patched.exports, first)).toEqual(Object.getOwnPropertyDescriptor(sdk, first));
    });
  }

  it('the build fails when a model index has another shape (an SDK upgrade)', () => {
    const path = '/x/node_modules/oci-objectstorage/lib/model/index.js';
    expect(() => patchSource(path, 'const A = require("./a");\nexports.A = A;')).toThrow(/SDK patch does not apply/);
    expect(() => patchSource(path, 'const A = __importStar(require("./a"));\nexports.A = A.A;\nconst B = require("./b");')).toThrow(/SDK patch does not apply/);
  });

  it('uuid: the module the bundle takes `v1` and `v4` from gives the very functions uuid exports', () => {
    // scripts/build.mjs maps oci-common's require("uuid") to these files for v1 and v4.
    const uuid = createRequire(join(root, 'node_modules/oci-common/lib/headers.js'))('uuid') as Record<string, unknown>;
    for (const v of ['v1', 'v4']) {
      expect((require(join(root, `node_modules/uuid/dist/cjs/${v}.js`)) as { default: unknown }).default).toBe(uuid[v]);
    }
  });
});
