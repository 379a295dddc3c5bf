import { describe, expect, it } from 'vitest';
import { decideObject, SkipReason, type Decision, type DecisionContext, type ObjectFacts } from '../../src/decide/decide-object';

const WATERMARK = new Date('2026-03-10T12:00:00.000Z');
const ms = (offset: number) => new Date(WATERMARK.getTime() + offset);

function facts(overrides: Partial<ObjectFacts> = {}): ObjectFacts {
  return { name: 'reports/2026/q1 summary.csv', isDeleteMarker: false, timeCreated: ms(-60_000), timeModified: ms(-60_000), ...overrides };
}

function context(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return { hasTargetKey: true, watermark: { type: 'before', at: WATERMARK }, ...overrides };
}

const REENCRYPT: Decision = { action: 'reencrypt' };
const skip = (reason: SkipReason): Decision => ({ action: 'skip', reason });

describe('decideObject', () => {
  describe.each<[string, ObjectFacts, DecisionContext, Decision]>([
    // Each skip reason on its own.
    ['skips a delete marker', facts({ isDeleteMarker: true }), context(), skip(SkipReason.deleteMarker)],
    ['skips when no Vault key protects the target (Oracle-managed key)', facts(), context({ hasTargetKey: false }), skip(SkipReason.oracleManagedKey)],
    ['skips a name outside the prefix', facts({ name: 'logs/a' }), context({ prefix: 'reports/' }), skip(SkipReason.outOfScope)],
    ['skips an Archived object', facts({ archivalState: 'Archived' }), context(), skip(SkipReason.archived)],
    ['skips an object still Restoring', facts({ archivalState: 'Restoring' }), context(), skip(SkipReason.archived)],
    ['skips a version written after the watermark as compliant', facts({ timeModified: ms(1) }), context(), skip(SkipReason.compliant)],
    ['treats a version written exactly at the watermark as compliant', facts({ timeModified: ms(0) }), context(), skip(SkipReason.compliant)],

    // Re-encrypt.
    ['re-encrypts a version written before the watermark', facts({ timeModified: ms(-1) }), context(), REENCRYPT],
    ['re-encrypts a Restored copy written before the watermark', facts({ archivalState: 'Restored' }), context(), REENCRYPT],
    ['re-encrypts an Available object written before the watermark', facts({ archivalState: 'Available' }), context(), REENCRYPT],
    ['re-encrypts an Archive-tier object whose archivalState is unknown', facts({ storageTier: 'Archive' }), context(), REENCRYPT],
    ['re-encrypts a name inside the prefix', facts({ name: 'reports/x' }), context({ prefix: 'reports/' }), REENCRYPT],
    ['re-encrypts any name when the prefix is empty', facts({ name: 'x' }), context({ prefix: '' }), REENCRYPT],
    ['re-encrypts a version written after the watermark when the watermark is "all"', facts({ timeModified: ms(3_600_000) }), context({ watermark: { type: 'all' } }), REENCRYPT],

    // Which time counts.
    ['uses timeModified over timeCreated (modified before, created after)', facts({ timeCreated: ms(1_000), timeModified: ms(-1_000) }), context(), REENCRYPT],
    ['uses timeModified over timeCreated (modified after, created before)', facts({ timeCreated: ms(-1_000), timeModified: ms(1_000) }), context(), skip(SkipReason.compliant)],
    ['falls back to timeCreated before the watermark', facts({ timeCreated: ms(-1), timeModified: undefined }), context(), REENCRYPT],
    ['falls back to timeCreated after the watermark', facts({ timeCreated: ms(1), timeModified: undefined }), context(), skip(SkipReason.compliant)],
    ['falls back to timeCreated exactly at the watermark (compliant)', facts({ timeCreated: ms(0), timeModified: undefined }), context(), skip(SkipReason.compliant)],
    ['re-encrypts a version of unknown age (the safe side)', facts({ timeCreated: undefined, timeModified: undefined }), context(), REENCRYPT],

    // Order of precedence: the earlier rule wins.
    ['delete marker wins over no target key', facts({ isDeleteMarker: true }), context({ hasTargetKey: false }), skip(SkipReason.deleteMarker)],
    ['delete marker wins over out-of-scope and archived', facts({ isDeleteMarker: true, name: 'logs/a', archivalState: 'Archived' }), context({ prefix: 'reports/' }), skip(SkipReason.deleteMarker)],
    ['no target key wins over out-of-scope', facts({ name: 'logs/a' }), context({ hasTargetKey: false, prefix: 'reports/' }), skip(SkipReason.oracleManagedKey)],
    ['no target key wins over watermark "all"', facts(), context({ hasTargetKey: false, watermark: { type: 'all' } }), skip(SkipReason.oracleManagedKey)],
    ['out-of-scope wins over archived', facts({ name: 'logs/a', archivalState: 'Archived' }), context({ prefix: 'reports/' }), skip(SkipReason.outOfScope)],
    ['out-of-scope wins over compliant', facts({ name: 'logs/a', timeModified: ms(1) }), context({ prefix: 'reports/' }), skip(SkipReason.outOfScope)],
    ['archived wins over watermark "all"', facts({ archivalState: 'Archived' }), context({ watermark: { type: 'all' } }), skip(SkipReason.archived)],
    ['archived wins over compliant', facts({ archivalState: 'Archived', timeModified: ms(1) }), context(), skip(SkipReason.archived)],
  ])('%s', (_name, object, ctx, expected) => {
    it(`decides ${expected.action === 'skip' ? `skip: ${expected.reason}` : 'reencrypt'}`, () => {
      expect(decideObject(object, ctx)).toEqual(expected);
    });
  });

  it('is case-sensitive about prefixes, like Object Storage', () => {
    expect(decideObject(facts({ name: 'Reports/a' }), context({ prefix: 'reports/' }))).toEqual(skip(SkipReason.outOfScope));
  });
});
