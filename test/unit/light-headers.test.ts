import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckedPrefix, LightHeaders } from '../../src/oci/light-headers';
import { fcParams } from '../support/fast-check';

/** What a Headers object holds, as fetch's own iterates it. */
const contents = (h: Headers): [string, string][] => {
  const pairs: [string, string][] = [];
  h.forEach((value, name) => pairs.push([name, value]));
  return pairs;
};

type Op = { op: 'append' | 'set' | 'delete'; name: string; value: string };
const names = fc.constantFrom('Content-Type', 'content-type', 'X-Date', 'x-date', 'opc-request-id', 'OPC-Request-Id', 'host', 'authorization', 'x');
const values = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', ',', '"', '=', '/', ':', 'é') }),
  fc.constantFrom('', ' padded ', '\tx\t', 'application/json', '\r\n x\n', '\n', ' ', 'x '),
);
const ops = fc.array(fc.record({ op: fc.constantFrom('append', 'set', 'delete'), name: names, value: values }) as fc.Arbitrary<Op>, { maxLength: 12 });

function apply(h: Headers, list: readonly Op[]): void {
  for (const { op, name, value } of list) {
    if (op === 'delete') h.delete(name);
    else h[op](name, value);
  }
}

describe('LightHeaders (the bundle\'s request Headers)', () => {
  it('holds, reads and iterates exactly what fetch\'s Headers does for any sequence of append/set/delete', () => {
    fc.assert(fc.property(ops, (list) => {
      const ours = new LightHeaders();
      const theirs = new Headers();
      apply(ours, list);
      apply(theirs, list);
      expect(contents(ours)).toEqual(contents(theirs));
      for (const name of ['content-type', 'X-DATE', 'opc-request-id', 'missing']) {
        expect(ours.get(name)).toBe(theirs.get(name));
        expect(ours.has(name)).toBe(theirs.has(name));
      }
      expect([...ours.entries()]).toEqual(contents(theirs));
      expect([...ours]).toEqual(contents(theirs));
    }), fcParams(300));
  });

  it('says of each value whether node:http would send it (tab, space, visible ASCII, obs-text only), for any sequence of append/set/delete', () => {
    const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
    const anyValue = fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', '\t', ',', 'é', '\x01', '\x1f', '\x7f', '\x0b'), fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c))) });
    const wireOps = fc.array(fc.record({ op: fc.constantFrom('append', 'set', 'delete'), name: names, value: anyValue }) as fc.Arbitrary<Op>, { maxLength: 12 });
    fc.assert(fc.property(wireOps, (list) => {
      const ours = new LightHeaders();
      apply(ours, list);
      for (const name of ['content-type', 'x-date', 'opc-request-id', 'host', 'authorization', 'x', 'missing']) {
        const value = ours.get(name);
        expect(ours.wireSafe(name)).toBe(value !== null && FIELD_VALUE.test(value));
      }
    }), fcParams(300));
  });

  it('iterates each instance in its own sorted order while several share one (their sorted names are shared when they hold the same names)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(2), ops), { maxLength: 8 }), (steps) => {
      const ours = [new LightHeaders(), new LightHeaders(), new LightHeaders()];
      const theirs = [new Headers(), new Headers(), new Headers()];
      for (const [i, list] of steps) {
        apply(ours[i] as LightHeaders, list);
        apply(theirs[i] as Headers, list);
        for (let j = 0; j < ours.length; j += 1) {
          expect(contents(ours[j] as LightHeaders)).toEqual(contents(theirs[j] as Headers));
          expect([...(ours[j] as LightHeaders).keys()]).toEqual(contents(theirs[j] as Headers).map(([name]) => name));
        }
      }
    }), fcParams(200));
  });

  it('setAfterChecked holds, reads, iterates and judges exactly what set(prefix + rest) does, or throws where it throws', () => {
    const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', ' ', '\t', '"', 'é', '\x01', '\r', '\n', '\0', '\u0101'), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c))) });
    fc.assert(fc.property(ops, names, text, text, (before, name, prefixText, rest) => {
      const prefix = CheckedPrefix.of(prefixText);
      if (!prefix) {
        expect(prefixText.length === 0 || /^[\t\n\r ]/.test(prefixText) || !FIELD_VALUE.test(prefixText)).toBe(true);
        return;
      }
      const viaSet = new LightHeaders();
      const viaChecked = new LightHeaders();
      apply(viaSet, before);
      apply(viaChecked, before);
      let setError: unknown;
      let checkedError: unknown;
      try { viaSet.set(name, prefixText + rest); } catch (err) { setError = err; }
      try { viaChecked.setAfterChecked(name, prefix, rest); } catch (err) { checkedError = err; }
      expect(checkedError instanceof TypeError).toBe(setError instanceof TypeError);
      expect([...viaChecked]).toEqual([...viaSet]);
      for (const n of ['content-type', 'x-date', 'opc-request-id', 'host', 'authorization', 'x']) expect(viaChecked.wireSafe(n)).toBe(viaSet.wireSafe(n));
    }), fcParams(300));
  });

  it('is built from a record, pairs or another Headers as fetch\'s is', () => {
    const record = { 'Content-Type': 'application/json', 'X-Date': ' now ' };
    expect(contents(new LightHeaders(record))).toEqual(contents(new Headers(record)));
    const pairs: [string, string][] = [['a', '1'], ['A', '2'], ['b', '3']];
    expect(contents(new LightHeaders(pairs))).toEqual(contents(new Headers(pairs)));
    expect(contents(new LightHeaders(new LightHeaders(pairs)))).toEqual(contents(new Headers(pairs)));
    expect(contents(new LightHeaders(new Headers(pairs)))).toEqual(contents(new Headers(pairs)));
  });

  it('refuses what fetch\'s refuses: header injection by CR/LF/NUL in a value, names that are not tokens', () => {
    for (const value of ['a\r\nx-evil: 1', 'a\nb', 'a\rb', 'a\0b', 'a\u0101']) {
      expect(() => new Headers().set('x', value)).toThrow(TypeError);
      expect(() => new LightHeaders().set('x', value)).toThrow(TypeError);
      expect(() => new LightHeaders().append('x', value)).toThrow(TypeError);
    }
    for (const name of ['', 'a b', 'a:b', 'é', 'a\nb', '(request-target)']) {
      expect(() => new Headers().set(name, 'v')).toThrow(TypeError);
      expect(() => new LightHeaders().set(name, 'v')).toThrow(TypeError);
      expect(() => new LightHeaders().get(name)).toThrow(TypeError);
    }
  });
});
