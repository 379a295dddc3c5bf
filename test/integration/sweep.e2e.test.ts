import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, SeedObject } from '../../emulator/src/index';
import { startStack, type Stack } from '../support/stack';

/** Names that break naive query handling: spaces, & # + % ?, unicode, deep slashes. */
function awkwardName(i: number): string {
  const shapes = [
    (n: number) => `plain/${n}`,
    (n: number) => `with space/file ${n}.txt`,
    (n: number) => `a&b/c#d/${n}+plus`,
    (n: number) => `pct%20/${n}%?query=1`,
    (n: number) => `unicode/données/日本語/${n}-✓`,
    (n: number) => `deep/${'x/'.repeat(12)}${n}`,
  ];
  return shapes[i % shapes.length]!(i);
}

const T0 = Date.now() - 7_200_000; // two hours ago

/** 10,000 objects; every third has two older versions; every 50th ends in a delete marker. */
function seedBig(emu: Emulator, bucket: string, keyId: string, watermark: number): void {
  const objects: SeedObject[] = [];
  for (let i = 0; i < 10_000; i += 1) {
    const after = i % 4 === 0; // a quarter of the latest versions were written after the watermark
    objects.push({
      name: awkwardName(i),
      timeModified: after ? watermark + 60_000 + i : T0 + i,
      encryption: { kind: 'kms', keyId },
      ...(i % 3 === 0 && { previousVersions: [{ timeModified: T0 - 2000, encryption: { kind: 'kms', keyId } }, { timeModified: T0 - 1000, encryption: { kind: 'kms', keyId } }] }),
      ...(i % 50 === 0 && { deleteMarker: { timeModified: T0 + 20_000 } }),
    });
  }
  emu.seedObjects(bucket, objects);
}

interface Row { name: string; versionId: string; keyVersionId: string | undefined; timeModified: number }
function rows(emu: Emulator, bucket: string): Row[] {
  const out: Row[] = [];
  for (const r of emu.iterateEncryption(bucket, { includeVersions: true })) {
    if (!r.isDeleteMarker) out.push({ name: r.name, versionId: r.versionId, keyVersionId: r.encryption.keyVersionId, timeModified: r.timeModified.getTime() });
  }
  return out;
}

describe('sweeping a large bucket (10,000 objects with versions and awkward names)', () => {
  let s: Stack;
  let before: Row[];
  let watermark: number;
  let v1: string;
  beforeAll(async () => {
    s = await startStack({ env: { REENCRYPT_CONCURRENCY: '16' } });
    v1 = s.emu.currentKeyVersion(s.keyId);
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'big', kmsKeyId: s.keyId, versioning: 'Enabled' });
    watermark = Date.now() - 3_600_000;
    seedBig(s.emu, 'big', s.keyId, watermark);
    before = rows(s.emu, 'big');
  });
  afterAll(async () => s?.stop());

  const expectedToReencrypt = () => before.filter((r) => r.timeModified < watermark);

  it('a dry run writes nothing and plans exactly the versions written before the watermark', async () => {
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'big', before: new Date(watermark).toISOString(), dryRun: true }), { deadlineMs: 120_000 });
    expect(r.json).toMatchObject({ ok: true, dryRun: true, complete: true });
    expect(s.emu.getCounters().writes).toBe(0);
    const [bucket] = r.json.buckets;
    const planned = new Set(bucket.plan.map((p: { objectName: string; versionId: string }) => `${p.objectName}\u0000${p.versionId}`));
    const expected = new Set(expectedToReencrypt().map((x) => `${x.name}\u0000${x.versionId}`));
    expect(bucket.planned).toBe(expected.size);
    expect(planned).toEqual(expected);
    expect(bucket.skipped['delete-marker']).toBe(200);
    expect(bucket.skipped.compliant).toBe(before.length - expected.size);
  });

  it('a real run re-encrypts exactly the planned versions to the current key version and leaves later ones untouched', async () => {
    const v2 = s.emu.rotateKey(s.keyId).id;
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'big', before: new Date(watermark).toISOString() }), { deadlineMs: 240_000 });
    expect(r.json).toMatchObject({ ok: true, complete: true, continuation: null });
    const expected = expectedToReencrypt();
    expect(r.json.totals.reencrypted).toBe(expected.length);
    expect(r.json.totals.failed).toBe(0);
    expect(s.emu.getCounters().routes.ReencryptObject?.writes).toBe(expected.length);
    const after = new Map(rows(s.emu, 'big').map((x) => [`${x.name}\u0000${x.versionId}`, x]));
    for (const x of before) {
      const now = after.get(`${x.name}\u0000${x.versionId}`);
      expect(now?.keyVersionId).toBe(x.timeModified < watermark ? v2 : v1);
    }
  }, 300_000);
});

describe('paging by names with quotes and sub-delimiters', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'quotes', kmsKeyId: s.keyId });
    s.emu.seedObjects('quotes', Array.from({ length: 2500 }, (_, i) => ({
      name: `it's (${String(i).padStart(4, '0')})*! o'clock`, timeModified: T0, encryption: { kind: 'kms' as const, keyId: s.keyId },
    })));
  });
  afterAll(async () => s?.stop());

  it("pages through names with ' ( ) * ! (ListObjects start values) and plans every object", async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'quotes', prefix: "it's (", force: true, dryRun: true }));
    expect(r.json).toMatchObject({ ok: true, complete: true, totals: { planned: 2500, failed: 0 } });
    expect(r.json.apiCalls.ListObjects).toBe(3);
  });
});
