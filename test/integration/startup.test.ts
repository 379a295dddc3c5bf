import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNC_NODE, startFunction, type RunningFunction } from '../../scripts/lib/fdk-process';

/**
 * dist/func.js starts quietly on the Node it runs on (`npm run test:node22`
 * runs this on Node 22, the container's runtime): the bundle once carried
 * node-fetch's whatwg-url, whose punycode use printed a deprecation warning
 * on every Node 22 start.
 */
describe(`dist/func.js starting on ${FUNC_NODE}`, () => {
  let fn: RunningFunction;
  beforeAll(async () => {
    fn = await startFunction({ REENCRYPT_AUTH: 'config_file', REENCRYPT_OCI_CONFIG_FILE: '/nonexistent/config' });
  });
  afterAll(async () => fn?.stop());

  it('answers without printing any warning', async () => {
    const r = await fn.call('{"bucketName": 7}');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
    expect(fn.output.filter((l) => /warning/i.test(l))).toEqual([]);
  });
});
