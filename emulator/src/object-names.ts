/**
 * Oracle's object naming rules ("Object Naming"): a name is 1 to 1024 bytes
 * of UTF-8 and cannot contain a line feed, carriage return or NUL. Everything
 * else, other control characters included, is allowed.
 */
export const MAX_OBJECT_NAME_BYTES = 1024;
const FORBIDDEN_IN_NAMES = /[\n\r\u0000]/;

/** Why a name breaks the rules, or undefined when it follows them. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Object names cannot be empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES) return `Object names are limited to ${MAX_OBJECT_NAME_BYTES} bytes of UTF-8`;
  if (FORBIDDEN_IN_NAMES.test(name)) return 'Object names cannot contain line feed, carriage return or NUL characters';
  return undefined;
}
