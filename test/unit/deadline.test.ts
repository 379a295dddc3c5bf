import { describe, expect, it } from 'vitest';
import { budgetFor } from '../../src/engine/deadline';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const deadlineIn = (ms: number) => new Date(NOW + ms);

describe('budgetFor', () => {
  it.each<[string, number, number, number]>([
    // [case, time given, configured margin, expected margin]
    ['uses the configured margin when it is under a fifth of the time', 300_000, 20_000, 20_000],
    ['caps the margin at a fifth of the time given', 30_000, 20_000, 6_000],
    ['caps the margin at exactly a fifth at the boundary', 100_000, 20_000, 20_000],
    ['never lets the cap fall below 250 ms', 1_000, 20_000, 250],
    ['uses 250 ms when the deadline has already passed', -5_000, 20_000, 250],
    ['keeps a configured margin smaller than 250 ms', 1_000, 100, 100],
    ['allows a zero margin', 60_000, 0, 0],
  ])('%s', (_name, given, configured, expectedMargin) => {
    const deadline = deadlineIn(given);
    const budget = budgetFor(deadline, configured, NOW);
    expect(budget.startedAt).toBe(NOW);
    expect(budget.stopStartingAt).toBe(deadline.getTime() - expectedMargin);
    expect(budget.hardStopAt).toBe(deadline.getTime() - expectedMargin / 3);
  });

  it.each([1_000, 5_000, 30_000, 300_000])('puts hardStopAt between stopStartingAt and the deadline (%i ms given)', (given) => {
    const deadline = deadlineIn(given);
    const budget = budgetFor(deadline, 20_000, NOW);
    expect(budget.stopStartingAt).toBeLessThan(budget.hardStopAt);
    expect(budget.hardStopAt).toBeLessThan(deadline.getTime());
  });

  it('starts new work until a fifth of a short deadline remains', () => {
    const budget = budgetFor(deadlineIn(10_000), 20_000, NOW);
    expect(budget.stopStartingAt - NOW).toBe(8_000);
  });
});
