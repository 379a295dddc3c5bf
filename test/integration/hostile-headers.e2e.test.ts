/**
 * Hostile values in what the FDK passes and what an answer echoes, through
 * dist/func.js under the FDK against the emulator:
 * - an Fn-Call-Id of many KB (quotes, backslashes, latin1 bytes) is copied
 *   into no log line: each line carries a short, plain id, the same on every
 *   line of the call, another for another call;
 * - unknown field names of many KB are named in the answer and the log line
 *   without being copied whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CALL_ID_CHARS } from '../../src/call-id';
import { startStack, type Stack } from '../support/stack';

interface LogLine { callId?: string; msg: string; [field: string]: unknown }

function linesFrom(output: readonly string[], from: number): LogLine[] {
  return output.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

describe('hostile headers and echoed input, through the FDK socket', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack();
    s.emu.createBucket({ compartmentId: s.compartmentA, name: 'hdr', kmsKeyId: s.keyId });
    s.emu.seedObjects('hdr', [{ name: 'o', timeModified: Date.now() - 3_600_000, encryption: { kind: 'kms', keyId: s.keyId } }]);
  }, 60_000);
  afterAll(async () => s?.stop());

  it('a 12 KB Fn-Call-Id reaches no log line whole: every line of the call names it by the same short, plain id', async () => {
    const ids: string[] = [];
    for (const tail of ['a', 'b']) {
      const from = s.fn.output.length;
      const hostile = `"}\\\u00ff{"level":"error","msg":"forged"}`.repeat(300) + tail;
      const r = await s.fn.call(JSON.stringify({ bucketName: 'hdr', objectName: 'o', dryRun: true }), { headers: { 'Fn-Call-Id': hostile } });
      expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: true });
      expect(r.text).not.toContain('forged');
      const lines = linesFrom(s.fn.output, from).filter((l) => l.callId !== undefined);
      expect(lines.length).toBeGreaterThan(0);
      const callIds = new Set(lines.map((l) => l.callId));
      expect(callIds.size).toBe(1);
      const id = String([...callIds][0]);
      expect(id.length).toBeLessThanOrEqual(MAX_CALL_ID_CHARS);
      expect(id).toMatch(/^[A-Za-z0-9._:~-]+$/);
      for (const raw of s.fn.output.slice(from)) expect(raw.length).toBeLessThan(4096);
      ids.push(id);
    }
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('unknown field names of 12 KB each are named in the answer and the log line, not copied whole', async () => {
    const long = (i: number) => `${'k'.repeat(12_000)}\\r\\n${i}`;
    const body = `{"bucketName":"hdr",${Array.from({ length: 20 }, (_, i) => `"${long(i)}":1`).join(',')}}`;
    const from = s.fn.output.length;
    const r = await s.fn.call(body);
    expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
    const details = r.json.error.details as { field: string; problem: string }[];
    expect(details, r.text.slice(0, 400)).toHaveLength(20);
    for (const d of details) {
      expect(d.field.startsWith('kkkk')).toBe(true);
      expect(d.field.length).toBeLessThanOrEqual(80);
      expect(d.field).not.toMatch(/[\r\n]/);
      expect(d.problem).toBe('is not a known field');
    }
    expect(r.text.length).toBeLessThan(16 * 1024);
    expect(s.fn.output.slice(from).join('\n').length).toBeLessThan(16 * 1024);
  });
});
