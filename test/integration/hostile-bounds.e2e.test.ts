/**
 * Hostile values in what the FDK passes and what an answer echoes, through
 * dist/func.js under the FDK against the emulator:
 * - an Fn-Call-Id of many KB (quotes, backslashes, latin1 bytes) is copied
 *   into no log line: each line carries a short, plain id, the same on every
 *   line of the call, another for another call;
 * - unknown field names of many KB are named in the answer and the log line
 *   without being copied whole;
 * - OCIDs (a manual kmsKeyId, vaultId, secret or compartment, the key a key
 *   event names) are at most 255 characters of the OCID grammar: a 200 KB one,
 *   or one carrying `/`, `?` or control characters, is refused naming its
 *   field before any call, not sent on in a URL and echoed in the report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CALL_ID_CHARS } from '../../src/call-id';
import { keyEvent } from '../support/events';
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

  describe('OCIDs of many KB, or outside the OCID grammar', () => {
    const huge = `ocid1.key.oc1.phx.a.${'b'.repeat(200_000)}`;
    const manual: [field: string, body: object][] = [
      ['kmsKeyId', { kmsKeyId: huge, dryRun: true }],
      ['kmsKeyId', { bucketName: 'hdr', objectName: 'o', kmsKeyId: huge }],
      ['vaultId', { kmsKeyId: 'ocid1.key.oc1.phx.a.b', dryRun: true, vaultId: 'ocid1.vault.oc1.phx.a.b/../x' }],
      ['vaultId', { bucketName: 'hdr', dryRun: true, vaultId: `ocid1.vault.oc1.phx.a.${'v'.repeat(200_000)}` }],
      ['sseCustomerKeySecretId', { bucketName: 'hdr', objectName: 'o', sseCustomerKeySecretId: `ocid1.vaultsecret.oc1.phx.a.${'s'.repeat(200_000)}` }],
      ['compartmentIds[0]', { kmsKeyId: 'ocid1.key.oc1.phx.a.b', dryRun: true, compartmentIds: [`ocid1.compartment.oc1..${'c'.repeat(200_000)}`] }],
    ];
    for (const [field, body] of manual) {
      it(`a manual ${field} of 200 KB (or with a path) beside ${Object.keys(body).filter((k) => k !== field.replace(/\[0\]$/, '')).join(', ')} is refused naming it, in a short answer, and nothing is sent`, async () => {
        s.emu.resetCounters();
        const r = await s.fn.call(JSON.stringify(body));
        expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
        expect((r.json.error.details as { field: string }[]).map((d) => d.field)).toContain(field);
        expect(r.text.length).toBeLessThan(4096);
        expect(s.emu.getCounters().totalCalls).toBe(0);
      });
    }

    const keyIds: [what: string, keyId: string][] = [
      ['200 KB long', huge],
      ['with a path and a query', 'ocid1.key.oc1.phx.a.b/../../vaults?x=1#y'],
      ['with a line break and a quote', 'ocid1.key.oc1.phx.a.b\r\n"forged"'],
    ];
    for (const [what, keyId] of keyIds) {
      it(`a key event naming a key OCID ${what} is refused naming data.resourceId, and nothing is sent`, async () => {
        s.emu.resetCounters();
        const r = await s.fn.call(JSON.stringify(keyEvent({ keyId, vaultId: s.vaultId })));
        expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
        expect((r.json.error.details as { field: string }[]).map((d) => d.field)).toContain('data.resourceId');
        expect(r.text.length).toBeLessThan(4096);
        expect(s.emu.getCounters().totalCalls).toBe(0);
      });
    }
  });

  it('a prefix of 1,200 bytes of UTF-8 (400 characters) is refused naming prefix: no object name is that long, so it could only match nothing', async () => {
    s.emu.resetCounters();
    const r = await s.fn.call(JSON.stringify({ bucketName: 'hdr', prefix: '日'.repeat(400), dryRun: true }));
    expect(r.json, r.text.slice(0, 300)).toMatchObject({ ok: false, error: { code: 'InvalidInput' } });
    expect(r.json.error.details).toEqual([{ field: 'prefix', problem: expect.stringContaining('1200 bytes') }]);
    expect(s.emu.getCounters().totalCalls).toBe(0);
  });
});
