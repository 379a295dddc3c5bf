import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeedObject } from '../../emulator/src/index';
import { keyVersionCounts, startStack, type Stack } from '../support/stack';

/**
 * Every character OCI allows in an object name (any UTF-8 but line feed,
 * carriage return and NUL), the apostrophe above all: its path form was signed
 * as %27 while fetch sent it raw, so the emulator, verifying the request
 * target strictly as OCI does, refused every such ReencryptObject with 401.
 * More than a page of names, so page boundaries (ListObjects `start`,
 * ListObjectVersions page tokens) fall on awkward names, and prefixes that
 * hold them too.
 */
const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)); // space .. ~
const OTHERS = ['\t', 'é', 'ß', '日本', '🙂', '\u00a0', '\u200b', 'e\u0301', 'ع', '\ufffd', '\u007f', '%27', '%2F', '%', '+', '..', '//'];
const CHARS = [...ASCII, ...OTHERS];
const T0 = Date.now() - 7_200_000;

/** 2,300 names: each holds an apostrophe and two of the characters above, in varied places. */
function names(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 2300; i += 1) {
    const a = CHARS[i % CHARS.length] as string;
    const b = CHARS[(i * 7 + 3) % CHARS.length] as string;
    const n = String(i).padStart(4, '0');
    switch (i % 4) {
      case 0: out.push(`it's/${a}${n}${b}'`); break;
      case 1: out.push(`it's/${n} o'clock ${a}/${b}`); break;
      case 2: out.push(`'${a}${n}'${b}`); break;
      default: out.push(`${a}quote'${n}${b}`);
    }
  }
  return out;
}

function seed(s: Stack, bucket: string, versioned: boolean): string[] {
  s.emu.createBucket({ compartmentId: s.compartmentA, name: bucket, kmsKeyId: s.keyId, ...(versioned && { versioning: 'Enabled' as const }) });
  const all = names();
  const objects: SeedObject[] = all.map((name, i) => ({
    name, timeModified: T0 + i, encryption: { kind: 'kms', keyId: s.keyId },
    ...(versioned && i % 5 === 0 && { previousVersions: [{ timeModified: T0 - 1000, encryption: { kind: 'kms' as const, keyId: s.keyId } }] }),
  }));
  s.emu.seedObjects(bucket, objects);
  return all;
}

describe("object names with ' and every other character OCI allows", () => {
  let s: Stack;
  let newVersion: string;
  let versions: number;
  beforeAll(async () => {
    s = await startStack({ env: { REENCRYPT_CONCURRENCY: '16' } });
    seed(s, 'chars', false);
    seed(s, 'chars-v', true);
    versions = 2300 + 2300 / 5;
    newVersion = s.emu.rotateKey(s.keyId).id;
  }, 60_000);
  afterAll(async () => s?.stop());

  it("a prefix holding ' re-encrypts exactly the names under it", async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'chars', prefix: "it's/" }), { deadlineMs: 120_000 });
    expect(r.json).toMatchObject({ ok: true, complete: true, totals: { failed: 0 } });
    expect(r.json.totals.reencrypted).toBe(names().filter((n) => n.startsWith("it's/")).length);
    expect(r.json.apiCalls.ListObjects).toBeGreaterThanOrEqual(2); // more than one page under the prefix
  }, 180_000);

  it('an unversioned bucket: every name is re-encrypted across ListObjects pages', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'chars' }), { deadlineMs: 120_000 });
    expect(r.json).toMatchObject({ ok: true, complete: true, totals: { failed: 0 } });
    expect(r.json.apiCalls.ListObjects).toBe(3);
    expect(keyVersionCounts(s.emu, 'chars')).toEqual({ [`kms:${newVersion}`]: 2300 });
  }, 180_000);

  it('a versioned bucket: every version of every name is re-encrypted across ListObjectVersions pages', async () => {
    const r = await s.fn.call(JSON.stringify({ bucketName: 'chars-v' }), { deadlineMs: 120_000 });
    expect(r.json).toMatchObject({ ok: true, complete: true, totals: { failed: 0, reencrypted: versions } });
    expect(r.json.apiCalls.ListObjectVersions).toBe(3);
    expect(keyVersionCounts(s.emu, 'chars-v')).toEqual({ [`kms:${newVersion}`]: versions });
  }, 180_000);
});
