/**
 * Thousands of small invocations through one dist/func.js process under the
 * FDK, as one warm container serves them ("every invocation as one of
 * thousands in one container"): single objects, prefixes, every event kind,
 * invalid input and failing calls, with the emulator dropping connections
 * without an answer (before and after the operation took effect) and
 * answering 503 now and then. Our HTTP/1.1 client sees each such drop as a
 * connection closed with no response byte, and must retry it on a new
 * connection (SDK retrier) or report the object failed.
 *
 * What may not grow from one probe to the next (counts, never clocks): file
 * descriptors, TCP connections (none half-closed, CLOSE_WAIT: a socket the
 * server closed that we never destroyed), the timers and handles that keep the
 * event loop alive, the listeners on `process`, the heap after a full GC; no
 * process warning at all (MaxListenersExceededWarning among them).
 * test/support/soak-probe-hook.cjs reads them inside the process on SIGUSR2.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FnCallResult } from '../support/fdk-process';
import { asCloudEvents10, bucketEvent, keyEvent, objectEvent } from '../support/events';
import { startStack, type Stack } from '../support/stack';

const HOOK = join(__dirname, '../support/soak-probe-hook.cjs');
/** Invocations between the probes; SOAK_INVOCATIONS runs a longer soak locally. */
const ROUND = Number(process.env.SOAK_INVOCATIONS ?? 400);
/** Calls in flight at once (the FDK serves them concurrently; the Fn server sends one at a time, which is the easier case). */
const LANES = 4;
const OBJECTS = 20;
const LONG_AGO = Date.now() - 3_600_000;

interface Probe {
  resources: Record<string, number>;
  fdKinds: Record<string, number>;
  tcp: Record<string, number>;
  processListeners: Record<string, number>;
  warnings: string[];
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

type Check = (r: FnCallResult) => void;
interface Case { body: string; deadlineMs?: number; check: Check }

describe('thousands of invocations in one container', () => {
  let s: Stack;
  const seen = { reencrypted: 0, failed: 0, invalid: 0, abandoned: 0, calls: 0 };

  beforeAll(async () => {
    s = await startStack({
      env: {
        NODE_OPTIONS: `--expose-gc --require ${HOOK}`,
        REENCRYPT_CONCURRENCY: '4',
        REENCRYPT_LOG_LEVEL: 'warn',
      },
      emulator: { seed: 11 },
    });
    for (const [name, versioning] of [['soak-v', 'Enabled'], ['soak-u', 'Disabled']] as const) {
      s.emu.createBucket({ compartmentId: s.compartmentA, name, kmsKeyId: s.keyId, versioning });
      s.emu.seedObjects(name, { count: OBJECTS, prefix: 'p/', timeModified: LONG_AGO, encryption: { kind: 'kms', keyId: s.keyId } });
    }
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'soak-oracle' });
    // GetBucket of this one answers after the invocation's hard stop: its call is abandoned (and its connection destroyed).
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'soak-slow', kmsKeyId: s.keyId });
    s.emu.setRouteFaults('GetBucket@soak-slow', { latencyMs: 4000 });
    s.emu.rotateKey(s.keyId);
  });
  afterAll(async () => s?.stop());

  async function probe(): Promise<Probe> {
    const before = s.fn.output.length;
    s.fn.process.kill('SIGUSR2');
    for (let i = 0; i < 400; i++) {
      const line = s.fn.output.slice(before).find((l) => l.startsWith('SOAK-PROBE '));
      if (line) return JSON.parse(line.slice('SOAK-PROBE '.length)) as Probe;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('no SOAK-PROBE line from the function');
  }

  /**
   * A probe that two consecutive readings agree on (handles, fds, TCP states): an answer can be
   * written a moment before its invocation's last socket or timer is released, and a leak is
   * what stays, not what is on its way out.
   */
  async function settledProbe(): Promise<Probe> {
    const shape = (p: Probe) => JSON.stringify([p.resources, p.fdKinds, p.tcp]);
    let last = await probe();
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await probe();
      if (shape(next) === shape(last)) return next;
      last = next;
    }
    return last;
  }

  /** The i-th invocation of the mix. */
  function invocation(i: number): Case {
    const bucket = i % 2 === 0 ? 'soak-v' : 'soak-u';
    const object = `p/${String(i % OBJECTS).padStart(2, '0')}`;
    const answered: Check = (r) => {
      expect(r.status, r.text.slice(0, 300)).toBe(200);
      expect(r.json, r.text.slice(0, 300)).toBeTypeOf('object');
      expect(r.json.ok, r.text.slice(0, 300)).toBeTypeOf('boolean');
    };
    /**
     * A call the whole request depends on (GetBucket) failed after all its attempts (each has a 6%
     * chance of a fault here, so once in ~10^5 calls): said so, naming the operation, never silence.
     */
    const dependedCallFailed = (r: FnCallResult): boolean => {
      if (r.json.ok !== false) return false;
      expect(r.json.error, r.text.slice(0, 500)).toMatchObject({ code: expect.stringMatching(/^OciCall/), oci: { operation: expect.any(String) } });
      seen.failed += 1;
      return true;
    };
    /** One object named: it is re-encrypted, skipped or reported failed, never missing from the totals. */
    const oneObject: Check = (r) => {
      answered(r);
      if (dependedCallFailed(r)) return;
      const t = r.json.totals as { reencrypted: number; planned: number; failed: number; skipped: Record<string, number> };
      const skipped = Object.values(t.skipped).reduce((a, b) => a + b, 0);
      // A bucket that does not exist (or has no Vault key) is itself reported skipped, with its reason.
      const bucketSkipped = typeof r.json.buckets[0]?.skippedBecause === 'string' ? 1 : 0;
      expect(t.reencrypted + t.planned + t.failed + skipped + bucketSkipped, r.text.slice(0, 500)).toBe(1);
      if (t.failed > 0) expect(r.json.buckets[0].failures[0], r.text.slice(0, 500)).toMatchObject({ objectName: expect.any(String), message: expect.any(String) });
      seen.reencrypted += t.reencrypted;
      seen.failed += t.failed;
    };
    /** A sweep: answered, and whatever it scanned is accounted for. */
    const sweep: Check = (r) => {
      answered(r);
      if (dependedCallFailed(r)) return;
      const t = r.json.totals as { scanned: number; reencrypted: number; planned: number; failed: number; skipped: Record<string, number> };
      const skipped = Object.values(t.skipped).reduce((a, b) => a + b, 0);
      if (r.json.complete) expect(t.reencrypted + t.planned + t.failed + skipped, r.text.slice(0, 500)).toBe(t.scanned);
      seen.reencrypted += t.reencrypted;
      seen.failed += t.failed;
    };
    const invalid = (field: string): Check => (r) => {
      answered(r);
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
      expect((r.json.error.details as { field: string }[]).map((d) => d.field), r.text.slice(0, 300)).toContain(field);
      seen.invalid += 1;
    };
    /** The call the request depends on was abandoned at the hard stop: said so, in time. */
    const outOfTime: Check = (r) => {
      answered(r);
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'DeadlineExceeded', oci: { operation: 'GetBucket', serviceCode: 'ETIMEDOUT' } } });
      seen.abandoned += 1;
    };
    const ns = s.namespace;
    switch (i % 12) {
      case 0: return { body: JSON.stringify({ bucketName: bucket, objectName: object }), check: oneObject };
      case 1: return { body: JSON.stringify(objectEvent({ namespace: ns, bucketName: bucket, objectName: object })), check: oneObject };
      case 2: return { body: JSON.stringify(asCloudEvents10(objectEvent({ namespace: ns, bucketName: bucket, objectName: object }))), check: oneObject };
      case 3: return { body: JSON.stringify({ bucketName: bucket, prefix: `p/${i % 2}`, force: true }), check: sweep };
      case 4: return { body: JSON.stringify(bucketEvent({ namespace: ns, bucketName: bucket })), check: sweep };
      case 5: return { body: JSON.stringify(keyEvent({ keyId: s.keyId, vaultId: s.vaultId, compartmentId: s.compartmentA })), check: sweep };
      case 6: return { body: JSON.stringify(keyEvent({ eventType: 'com.oraclecloud.keymanagementservice.createkeyversion.begin', keyId: s.keyId, vaultId: s.vaultId })), check: answered };
      case 7: return { body: JSON.stringify({ bucketName: 'no-such-bucket', objectName: object }), check: oneObject };
      case 8: return { body: JSON.stringify({ bucketName: 'soak-oracle', objectName: object }), check: oneObject };
      case 9: return { body: JSON.stringify({ bucketName: bucket, dryRun: 'yes' }), check: invalid('dryRun') };
      case 10: return { body: JSON.stringify(objectEvent({ namespace: ns, bucketName: bucket, objectName: `bad\n${i}` })), check: invalid('data.resourceName') };
      default:
        if (i % 120 === 11) return { body: JSON.stringify({ bucketName: 'soak-slow', objectName: object }), deadlineMs: 1500, check: outOfTime };
        return { body: JSON.stringify({ bucketName: bucket, objectName: object, dryRun: true }), check: oneObject };
    }
  }

  async function run(from: number, count: number): Promise<void> {
    let next = from;
    const lane = async (): Promise<void> => {
      while (next < from + count) {
        const c = invocation(next);
        next += 1;
        const r = await s.fn.call(c.body, { deadlineMs: c.deadlineMs ?? 60_000 });
        seen.calls += 1;
        c.check(r);
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
  }

  it(`serves ${3 * ROUND} invocations with connection drops and 503s, and nothing grows`, async () => {
    // 2% of calls dropped before they take effect, 1% after, 3% answered 503 (REENCRYPT_MAX_ATTEMPTS is 4).
    s.emu.setGlobalFaults({ pDrop: 0.02, pLateDrop: 0.01, p503: 0.03, retryAfterSeconds: 0 });
    const pid = s.fn.process.pid;
    await run(0, ROUND); // warm: every path taken, every cache filled
    const first = await settledProbe();
    await run(ROUND, ROUND);
    const second = await settledProbe();
    await run(2 * ROUND, ROUND);
    const third = await settledProbe();
    s.emu.setGlobalFaults(undefined);
    const counters = s.emu.getCounters();
    const context = JSON.stringify({ first, second, third, seen });

    // One process served them all, and the faults really happened.
    expect(seen.calls).toBe(3 * ROUND);
    expect(s.fn.process.exitCode).toBeNull();
    expect(s.fn.process.pid).toBe(pid);
    expect(counters.routes.ReencryptObject?.faults.drop, context).toBeGreaterThan(0);
    expect(counters.routes.ReencryptObject?.faults.lateDrop, context).toBeGreaterThan(0);
    expect(seen.abandoned, context).toBeGreaterThan(0);
    // Retried on new connections: a dropped call almost never fails the object (four attempts each).
    expect(seen.reencrypted, context).toBeGreaterThan(10 * seen.failed);

    // Nothing the event loop waits on is left behind, and the same non-socket descriptors are open.
    expect(third.resources, context).toEqual(first.resources);
    const nonSocket = (p: Probe) => ({ ...p.fdKinds, socket: undefined });
    expect(nonSocket(third), context).toEqual(nonSocket(first));
    for (const p of [first, second, third]) {
      // No socket the server closed and we never destroyed; the rest are pooled idle connections, at
      // most one per call that was in flight at once (lanes × REENCRYPT_CONCURRENCY, plus listings).
      expect(p.tcp.closeWait ?? 0, context).toBe(0);
      expect(p.tcp.established ?? 0, context).toBeLessThanOrEqual(LANES * 6);
      // Unix sockets: stdout and stderr (socket pairs), the FDK's listener and the connections this test's agent keeps to it.
      expect((p.fdKinds.socket ?? 0) - (p.tcp.established ?? 0), context).toBeLessThanOrEqual(3 + LANES);
    }
    expect(third.processListeners, context).toEqual(first.processListeners);
    expect(third.warnings, context).toEqual([]);
    expect(s.fn.output.filter((l) => /Warning/.test(l)), context).toEqual([]);
    // The heap after a full GC: a few hundred bytes kept per invocation would add more than this.
    expect(third.heapUsed - second.heapUsed, context).toBeLessThan(1024 * 1024);
  }, 600_000);
});
