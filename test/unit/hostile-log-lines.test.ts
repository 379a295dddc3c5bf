/**
 * Log lines carry what callers sent (object names, prefixes, caller headers).
 * JSON.stringify escapes C0 controls, so CR and LF cannot end a line early;
 * it leaves NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR
 * (U+2029) raw, and readers that split on Unicode line boundaries (Python's
 * splitlines, many editors and viewers) would cut such a line in two, the
 * second half text the caller wrote. Every line must be one line for every
 * reader, and parse back to the same values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { fcParams } from '../support/fast-check';

/** Every character some reader takes for a line break. */
const LINE_BREAKS = /[\n\r\u000b\u000c\u001c-\u001e\u0085\u2028\u2029]/;

function logged(fields: Record<string, unknown>, msg = 'summary'): string {
  const lines: string[] = [];
  createLogger('debug', { callId: 'c1' }, (l) => lines.push(l)).info(msg, fields);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('log lines under hostile text', () => {
  it('an object name with NEL, U+2028 and U+2029 stays on one line and parses back to itself', () => {
    const objectName = 'a\u2028{"level":"error","msg":"forged"}\u2029b\u0085c';
    const line = logged({ objectName });
    expect(line).not.toMatch(LINE_BREAKS);
    expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'summary', objectName });
  });

  it('property: any text in any field, or as a field name, gives one line that parses back', () => {
    const awkward = fc.constantFrom('a', '\u2028', '\u2029', '\u0085', '\n', '\r', '"', '\\', '\ud800', '\u001e', '\u00ff');
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: awkward }));
    fc.assert(fc.property(text, text, (value, name) => {
      const line = logged({ [`f${name}`]: value, nested: { value } });
      expect(line).not.toMatch(LINE_BREAKS);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      expect(parsed[`f${name}`]).toBe(value);
      expect((parsed.nested as { value: string }).value).toBe(value);
    }), fcParams(500));
  });
});
