import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/index';
import { COMPARTMENT, type Clients, start } from './helpers';

describe('one million objects', () => {
  let emu: Emulator;
  let c: Clients;
  let ns: string;

  beforeAll(async () => {
    ({ emu, c, ns } = await start());
    const vault = emu.createVault({ compartmentId: COMPARTMENT });
    const key = emu.createKey({ vaultId: vault.id });
    emu.createBucket({ compartmentId: COMPARTMENT, name: 'big', kmsKeyId: key.id });
    const r = emu.seedObjects('big', { count: 1_000_000, prefix: 'data/part-', size: 1024 });
    expect(r).toMatchObject({ objects: 1_000_000, versions: 1_000_000 });
  });
  afterAll(() => emu.stop());

  it('pages from anywhere in the bucket with the right names', async () => {
    const r = await c.os.listObjects({ namespaceName: ns, bucketName: 'big', start: 'data/part-654321', limit: 1000, fields: 'name,size' });
    const objects = r.listObjects.objects;
    expect(objects).toHaveLength(1000);
    expect(objects[0]).toEqual({ name: 'data/part-654321', size: 1024 });
    expect(objects[999]?.name).toBe('data/part-655320');
    expect(r.listObjects.nextStartWith).toBe('data/part-655321');
    const last = await c.os.listObjects({ namespaceName: ns, bucketName: 'big', start: 'data/part-999990' });
    expect(last.listObjects.objects).toHaveLength(10);
    expect(last.listObjects.nextStartWith).toBeUndefined();
  });

  it('summarises encryption of a million objects cheaply', () => {
    const summary = emu.encryptionSummary('big');
    expect(summary).toHaveLength(1);
    expect(summary[0]?.count).toBe(1_000_000);
  });
});

describe('command line', () => {
  it('prints one JSON line with its url, seeds over the admin surface and stops on SIGTERM', async () => {
    const root = join(__dirname, '..', '..');
    const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), ['emulator/src/cli.ts', '--port', '0', '--seed', '5'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout });
      rl.once('line', resolve);
      child.once('exit', () => reject(new Error('the emulator exited before printing its url')));
    });
    const info = JSON.parse(line) as { url: string; namespace: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const admin = (path: string, body?: unknown) =>
      fetch(`${info.url}/_emulator${path}`, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json());
    expect(await admin('/health')).toMatchObject({ ok: true, namespace: info.namespace });
    await admin('/buckets', { compartmentId: COMPARTMENT, name: 'cli' });
    const seeded = (await admin('/buckets/cli/objects', { generator: { count: 100_000, prefix: 'o/' } })) as { objects: number };
    expect(seeded.objects).toBe(100_000);
    const summary = (await admin('/buckets/cli/encryption/summary')) as { kind: string; count: number }[];
    expect(summary).toEqual([{ kind: 'oracle', count: 100_000 }]);
    const rows = await (await fetch(`${info.url}/_emulator/buckets/cli/encryption?prefix=o/0000`)).text();
    expect(rows.trim().split('\n')).toHaveLength(10);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
