/**
 * An in-memory bucket with Object Storage's conditional-write answers (if-none-match `*`,
 * if-match an ETag: 412 otherwise; 404 for a missing object), for StateStore unit tests. Hooks
 * run before a put or delete of a name lands (once each), and `loseNext` makes the next put take
 * effect but answer 412, as when its answer is lost and the SDK's retry meets the write.
 */
import { OciCallError } from '../../src/oci/errors';
import type { ObjectStorage } from '../../src/oci/object-storage';

export type Hook = (name: string) => Promise<void> | void;

export function memoryBucket() {
  const objects = new Map<string, { text: string; etag: string }>();
  const beforePut = new Map<string, Hook>();
  const beforeDelete = new Map<string, Hook>();
  let n = 0;
  let loseNextAnswer = false;
  const fail = (status: number, serviceCode: string) => new OciCallError('X', { status, serviceCode, message: serviceCode, outOfTime: false });
  const runHook = async (hooks: Map<string, Hook>, name: string): Promise<void> => {
    const hook = hooks.get(name);
    if (!hook) return;
    hooks.delete(name);
    await hook(name);
  };
  const os = {
    async putText(_ns: string, _b: string, name: string, text: string, c: { ifMatch?: string; ifNoneMatch?: '*' }) {
      await runHook(beforePut, name);
      const cur = objects.get(name);
      if (c.ifNoneMatch === '*' && cur) throw fail(412, 'IfNoneMatchFailed');
      if (c.ifMatch !== undefined && cur?.etag !== c.ifMatch) throw fail(412, 'IfMatchFailed');
      const etag = `e${++n}`;
      objects.set(name, { text, etag });
      if (loseNextAnswer) {
        loseNextAnswer = false;
        throw fail(412, c.ifNoneMatch ? 'IfNoneMatchFailed' : 'IfMatchFailed');
      }
      return { etag };
    },
    async getText(_ns: string, _b: string, name: string) {
      const cur = objects.get(name);
      if (!cur) throw fail(404, 'ObjectNotFound');
      return cur;
    },
    async deleteObject(_ns: string, _b: string, name: string) {
      await runHook(beforeDelete, name);
      objects.delete(name);
    },
    async listNames(_ns: string, _b: string, prefix: string) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
  };
  return { os: os as unknown as ObjectStorage, objects, beforePut, beforeDelete, loseNext: () => { loseNextAnswer = true; } };
}
