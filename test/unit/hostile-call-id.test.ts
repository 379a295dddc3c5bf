/**
 * Fn-Call-Id is whatever the caller of the FDK socket sent, up to the FDK
 * server's header limit: it is copied into every log line of the invocation
 * and, as the holder of a durable run's units, into state records. What the
 * function keeps of it is bounded and plain, one call id to one holder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callIdOf, MAX_CALL_ID_CHARS } from '../../src/call-id';
import { classify } from '../../src/input/classify';
import { successorBody } from '../../src/runs/chains';
import { fcParams } from '../support/fast-check';

const PLAIN = /^[A-Za-z0-9._:~-]*$/;

describe('callIdOf', () => {
  it('keeps the ids the platform sends as they are (ULID-like, UUID, the emulator\'s)', () => {
    for (const id of ['01JDQ0Y4ZB0000000000000000', '0f9c2d7e-8b1a-4c3d-9e2f-1a2b3c4d5e6f', 'DEADCALL00000000000000000A', 'cli-0f9c2d7e-8b1a-4c3d-9e2f-1a2b3c4d5e6f']) {
      expect(callIdOf(id)).toBe(id);
    }
  });

  it('an absent or empty header is an empty id (the run then draws a fresh holder name)', () => {
    expect(callIdOf(undefined)).toBe('');
    expect(callIdOf(null)).toBe('');
    expect(callIdOf('')).toBe('');
  });

  it('a 16 KB id with quotes, backslashes, tabs and latin1 bytes comes out short and plain', () => {
    const hostile = `"}\\\t\u00ff{"level":"error","msg":"forged"}`.repeat(400);
    const id = callIdOf(hostile);
    expect(id.length).toBeLessThanOrEqual(MAX_CALL_ID_CHARS);
    expect(id).toMatch(PLAIN);
  });

  it('two long ids that differ only at the end are still two holders', () => {
    const base = 'c'.repeat(8000);
    expect(callIdOf(`${base}a`)).not.toBe(callIdOf(`${base}b`));
    expect(callIdOf('a b')).not.toBe(callIdOf('a_b'));
  });

  it('property: bounded, plain, the same for the same header, different for different headers', () => {
    const header = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 20, unit: 'binary' }), fc.string({ minLength: 1000, maxLength: 4000 }));
    fc.assert(fc.property(header, header, (a, b) => {
      const ia = callIdOf(a);
      expect(ia.length).toBeLessThanOrEqual(MAX_CALL_ID_CHARS);
      expect(ia).toMatch(PLAIN);
      expect(callIdOf(a)).toBe(ia);
      if (a !== b) expect(callIdOf(b)).not.toBe(ia);
    }), fcParams(500));
  });

  it('property: a handover from any caller\'s id is a resume the function accepts, naming the caller only when the schema can carry it', () => {
    const header = fc.oneof(
      fc.stringMatching(/^[0-9A-Z]{26}$/), // a ULID, as the platform sends
      fc.stringMatching(/^[A-Za-z0-9._:-]{1,96}$/),
      fc.string({ maxLength: 300 }),
      fc.string({ minLength: 97, maxLength: 2000 }),
    );
    fc.assert(fc.property(header, (h) => {
      const owner = callIdOf(h);
      const body = successorBody('run-1', owner);
      const request = classify(JSON.parse(JSON.stringify(body)));
      expect(request).toMatchObject({ kind: 'manual', scope: { type: 'resume', runId: 'run-1' } });
      const named = /^[A-Za-z0-9_-]{1,64}$/.test(owner);
      expect(body.handedOverBy).toBe(named ? owner : undefined);
    }), fcParams(500));
  });
});
