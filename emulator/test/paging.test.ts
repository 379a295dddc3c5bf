import type { ObjectStorageClient } from 'oci-objectstorage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, start } from './helpers';

let emu: Emulator;
let os: ObjectStorageClient;
let ns: string;

const AWKWARD = ['a b', 'a&b', 'a#b', 'a+b', 'a%b', 'a%20b', 'a?b', 'a=b', 'é', 'ü/x', '中文/名字', '😀', '\uFF5E', 'dir/sub/leaf', 'dir/', 'x/y/z', '~tilde', "quote'", 'semi;colon'];

/** Object names in OCI's order: UTF-8 byte order (independent of the emulator's comparator). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function awkwardNames(count: number): string[] {
  const names = new Set<string>();
  for (let i = 0; names.size < count; i++) {
    const piece = AWKWARD[i % AWKWARD.length] as string;
    names.add(`${piece}${i % 7 === 0 ? '/' : ' '}${i}`);
  }
  return [...names];
}

/**
 * Encode a query value fully. encodeURIComponent leaves ! ' ( ) * raw, and the
 * SDK signs ' as %27 while sending it raw, so a correct client escapes those too.
 */
const q = (v: string): string => encodeURIComponent(v).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** Page ListObjects exactly as a correct client must: encoding query values itself. */
async function listAll(bucket: string, opts: { prefix?: string; delimiter?: string; end?: string; limit: number }): Promise<{ names: string[]; prefixes: string[]; pages: number }> {
  const names: string[] = [];
  const prefixes: string[] = [];
  let start: string | undefined;
  let pages = 0;
  do {
    const r = await os.listObjects({
      namespaceName: ns,
      bucketName: bucket,
      prefix: opts.prefix !== undefined ? q(opts.prefix) : undefined,
      start: start !== undefined ? q(start) : undefined,
      end: opts.end !== undefined ? q(opts.end) : undefined,
      delimiter: opts.delimiter,
      limit: opts.limit,
    });
    pages++;
    expect(r.listObjects.objects.length + (r.listObjects.prefixes?.length ?? 0)).toBeLessThanOrEqual(opts.limit);
    names.push(...r.listObjects.objects.map((o) => o.name));
    prefixes.push(...(r.listObjects.prefixes ?? []));
    start = r.listObjects.nextStartWith;
  } while (start !== undefined);
  return { names, prefixes, pages };
}

let all: string[];

beforeAll(async () => {
  ({ emu, c: { os }, ns } = await start());
  emu.createBucket({ compartmentId: COMPARTMENT, name: 'awkward', versioning: 'Enabled' });
  all = awkwardNames(3000);
  // A few go through PutObject, so path encoding of the same names is exercised too.
  const viaApi = all.slice(0, 20).filter((n) => !n.includes("'"));
  emu.seedObjects('awkward', all.filter((n) => !viaApi.includes(n)).map((name) => ({ name })));
  for (const name of viaApi) {
    await os.putObject({ namespaceName: ns, bucketName: 'awkward', objectName: name, putObjectBody: 'x', contentLength: 1 });
  }
  all.sort(byteOrder);
});
afterAll(() => emu.stop());

describe('ListObjects paging', () => {
  it('returns every name exactly once, in order, over thousands of awkward names', async () => {
    const { names, pages } = await listAll('awkward', { limit: 97 });
    expect(names).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 97));
  });

  it('pages exactly within a prefix containing reserved characters', async () => {
    for (const prefix of ['a&b', 'a#b', 'a+b', 'a%b', 'a?b', 'a b', '中文/', '😀']) {
      const { names } = await listAll('awkward', { prefix, limit: 13 });
      expect(names, prefix).toEqual(all.filter((n) => n.startsWith(prefix)));
      expect(names.length, prefix).toBeGreaterThan(0);
    }
  });

  it('honours end (exclusive) and startAfter', async () => {
    const end = all[1234] as string;
    const { names } = await listAll('awkward', { end, limit: 500 });
    expect(names).toEqual(all.slice(0, 1234));
    const after = all[10] as string;
    const r = await os.listObjects({ namespaceName: ns, bucketName: 'awkward', startAfter: q(after), limit: 3 });
    expect(r.listObjects.objects.map((o) => o.name)).toEqual(all.slice(11, 14));
  });

  it('collapses names into prefixes with the / delimiter and pages over them', async () => {
    const { names, prefixes } = await listAll('awkward', { delimiter: '/', limit: 7 });
    const expectedPrefixes = [...new Set(all.filter((n) => n.includes('/')).map((n) => n.slice(0, n.indexOf('/') + 1)))].sort(byteOrder);
    expect(prefixes).toEqual(expectedPrefixes);
    expect(names).toEqual(all.filter((n) => !n.includes('/')));
    const under = await listAll('awkward', { prefix: 'dir/', delimiter: '/', limit: 2 });
    const expectedUnder = [...new Set(all.filter((n) => n.startsWith('dir/') && n.indexOf('/', 4) >= 0).map((n) => n.slice(0, n.indexOf('/', 4) + 1)))].sort(byteOrder);
    expect(under.prefixes).toEqual(expectedUnder);
    expect(under.prefixes).toContain('dir/sub/');
    expect(under.names).toEqual(all.filter((n) => n.startsWith('dir/') && n.indexOf('/', 4) < 0));
  });

  it('sees what OCI would receive when a client does not encode: a # cuts the query', async () => {
    // The SDK puts the raw value on the wire; fetch drops everything after '#'.
    const r = await os.listObjects({ namespaceName: ns, bucketName: 'awkward', prefix: 'a#b', limit: 1000 });
    const names = r.listObjects.objects.map((o) => o.name);
    expect(names.every((n) => n.startsWith('a'))).toBe(true);
    expect(names.some((n) => !n.startsWith('a#b'))).toBe(true);
  });
});

describe('signing of names the SDK escapes differently from fetch', () => {
  it("answers 401 when the SDK signs %27 for an apostrophe it sends raw (strict draft-cavage)", async () => {
    const f = await os.putObject({ namespaceName: ns, bucketName: 'awkward', objectName: "it's", putObjectBody: 'x', contentLength: 1 }).catch((e: { statusCode: number }) => e);
    expect((f as { statusCode: number }).statusCode).toBe(401);
  });

  it('accepts it when the acceptLegacyEscapedTarget assumption is switched on', async () => {
    const other = await start({ assumptions: { acceptLegacyEscapedTarget: true } });
    try {
      other.emu.createBucket({ compartmentId: COMPARTMENT, name: 'q' });
      await other.c.os.putObject({ namespaceName: other.ns, bucketName: 'q', objectName: "it's", putObjectBody: 'x', contentLength: 1 });
      expect(other.emu.readEncryption('q').map((r) => r.name)).toEqual(["it's"]);
    } finally {
      await other.emu.stop();
    }
  });
});

describe('ListObjectVersions paging', () => {
  beforeAll(async () => {
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'versions', versioning: 'Enabled' });
    emu.seedObjects('versions', { count: 400, prefix: 'v/', extraVersions: 2, deleteMarkerEvery: 5 });
  });

  it('walks every version and delete marker exactly once with page / opc-next-page', async () => {
    const seen: string[] = [];
    let markers = 0;
    let page: string | undefined;
    do {
      const r = await os.listObjectVersions({ namespaceName: ns, bucketName: 'versions', limit: 37, page, fields: 'name,size' });
      for (const v of r.objectVersionCollection.items) {
        seen.push(`${v.name}@${v.versionId}`);
        if (v.isDeleteMarker) markers++;
      }
      page = r.opcNextPage;
    } while (page);
    const expected = emu.readEncryption('versions', { includeVersions: true }).map((row) => `${row.name}@${row.versionId}`);
    expect(seen).toEqual(expected);
    expect(seen.length).toBe(400 * 3 + 80);
    expect(markers).toBe(80);
  });

  /** Every version of names in [start, end), paging with the same start/end on every call. */
  async function versionsInRange(client: ObjectStorageClient, start: string, end: string): Promise<string[]> {
    const seen: string[] = [];
    let page: string | undefined;
    do {
      const r = await client.listObjectVersions({ namespaceName: ns, bucketName: 'versions', limit: 50, page, start: q(start), end: q(end), fields: 'name' });
      seen.push(...r.objectVersionCollection.items.map((v) => v.name));
      page = r.opcNextPage;
    } while (page);
    return seen;
  }

  it('honours start (inclusive) and end (exclusive) on every page (A31: versionPagesKeepNameRange)', async () => {
    const seen = await versionsInRange(os, 'v/100', 'v/200');
    expect(seen.length).toBe(100 * 3 + 20); // 100 names of 3 versions, every fifth with a delete marker on top
    expect(seen[0]).toBe('v/100');
    expect(seen.every((n) => n >= 'v/100' && n < 'v/200')).toBe(true);
  });

  it('with versionPagesKeepNameRange false, pages after the first run past end (a client must stop itself)', async () => {
    const other = await start({ assumptions: { versionPagesKeepNameRange: false } });
    try {
      other.emu.createBucket({ compartmentId: COMPARTMENT, name: 'versions', versioning: 'Enabled' });
      other.emu.seedObjects('versions', { count: 400, prefix: 'v/', extraVersions: 2, deleteMarkerEvery: 5 });
      const seen = await versionsInRange(other.c.os, 'v/100', 'v/200');
      expect(seen[0]).toBe('v/100');
      expect(seen.slice(0, 50).every((n) => n < 'v/200')).toBe(true);
      expect(seen.some((n) => n >= 'v/200')).toBe(true);
    } finally {
      await other.emu.stop();
    }
  });

  it('lists names under a delete marker in versions but not in ListObjects', async () => {
    const live = await listAll('versions', { limit: 1000 });
    expect(live.names.length).toBe(320);
  });
});
