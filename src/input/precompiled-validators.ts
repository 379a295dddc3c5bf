import type { ValidateFunction } from 'ajv';

/**
 * Validators compiled at build time, by key (ajv.ts validatorKey). Empty when
 * run from source; scripts/build.mjs puts the generated module in this one's
 * place in dist/func.js.
 */
export const PRECOMPILED_VALIDATORS: ReadonlyMap<string, ValidateFunction> = new Map();
