import type { Runner } from './handler';

/** Placeholder until the engine lands: a valid request is accepted but not acted on. */
export const runRequest: Runner = async (request) => ({
  ok: true,
  status: 'accepted',
  implemented: false,
  trigger: request.kind,
});
