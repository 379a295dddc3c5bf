/** What classify refuses a body for: the InvalidInput's details (field and problem). */
import { expect } from 'vitest';
import { InvalidInputError } from '../../src/errors';
import { classify } from '../../src/input/classify';

export function problemsOf(body: unknown): { field: string; problem: string }[] {
  try {
    classify(body);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidInputError);
    return [...(err as InvalidInputError).details];
  }
  throw new Error('expected InvalidInputError');
}
