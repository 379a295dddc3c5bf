/**
 * The container pool leaves no process behind once it is stopped: a container still starting
 * when stop() runs, and a call that ends after stop() (with another call waiting for its
 * container), used to leave a dist/func.js process running past the test that owned it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionPool } from '../src/function-pool';

const echo = join(__dirname, 'fixtures', 'echo-fn.js');

/** This process's live children running the fixture (Linux `ps`). */
function fixtureChildren(): number[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when there is no child at all
  }
  return out.split('\n').filter((l) => l.includes('echo-fn.js') && !l.includes('<defunct>')).map((l) => Number(l.trim().split(/\s+/)[0]));
}

async function until(done: () => boolean): Promise<void> {
  // A hang guard only: counts, not a clock.
  for (let i = 0; i < 2500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe('FunctionPool.stop', () => {
  it('kills a container that was still starting, and its acquire fails', async () => {
    const before = fixtureChildren();
    const pool = new FunctionPool({ script: echo, env: {}, maxProcesses: 1 });
    const acquired = pool.acquire('{"x":1}');
    // Stopped while the process starts (before it listens).
    await until(() => fixtureChildren().length > before.length);
    await pool.stop();
    await expect(acquired).rejects.toThrow(/stopped/);
    await until(() => fixtureChildren().length === before.length);
    expect(fixtureChildren()).toEqual(before);
    expect(pool.live).toEqual([]);
  }, 120_000);

  it('starts nothing for a waiting call when a container comes back after stop', async () => {
    const before = fixtureChildren();
    const pool = new FunctionPool({ script: echo, env: {}, maxProcesses: 1 });
    const c = await pool.acquire('{"a":1}');
    // The only container is busy: this call waits for it.
    void pool.acquire('{"b":1}').catch(() => undefined);
    await pool.stop();
    pool.release(c, false);
    await new Promise((r) => setTimeout(r, 200));
    await until(() => fixtureChildren().length === before.length);
    expect(fixtureChildren()).toEqual(before);
    expect(pool.started).toBe(1);
  }, 120_000);
});
