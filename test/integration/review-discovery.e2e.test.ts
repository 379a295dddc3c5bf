import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack';

describe('key sweep discovery that cannot examine a bucket', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ env: { REENCRYPT_MAX_ATTEMPTS: '1' } });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('does not call the run complete when a bucket that may use the key could not be read', async () => {
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'unreadable', kmsKeyId: s.keyId });
    s.emu.seedObjects('unreadable', { count: 3, prefix: 'x/', timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } });
    s.emu.setRouteFaults('GetBucket', { p500: 1 });
    try {
      const r = await s.fn.call(JSON.stringify({ kmsKeyId: s.keyId, force: true }), { deadlineMs: 30_000 });
      expect(r.json.ok).toBe(true);
      // The bucket is in no report entry and no continuation: only a note says why.
      expect(r.json.notes.join(' ')).toMatch(/GetBucket unreadable/);
      expect(r.json.continuation).toBeNull();
      expect(r.json.complete).toBe(false);
    } finally {
      s.emu.setRouteFaults('GetBucket', undefined);
    }
  });
});
