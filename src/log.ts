/**
 * Structured JSON log lines (one per line on stdout) that OCI Logging indexes.
 * Never pass key material, tokens or secret contents in `fields`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  readonly level: LogLevel;
}

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, write: (line: string) => void = writeStdout): Logger {
  const log = (at: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return;
    write(logLine(at, msg, base, fields));
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), level };
}

/**
 * time, level and msg are written last: fields (which may hold what a caller
 * sent) can add to a line but never forge what it says. A line that cannot be
 * serialised still says that something was logged, instead of throwing.
 */
function logLine(level: LogLevel, msg: string, base: Record<string, unknown>, fields: Record<string, unknown> | undefined): string {
  const fixed = { time: new Date().toISOString(), level, msg };
  try {
    // `fixed` first for the key order, last for the values.
    return oneLine(JSON.stringify({ ...fixed, ...base, ...fields, ...fixed }));
  } catch (err) {
    return JSON.stringify({ ...fixed, logError: `fields not serialisable: ${(err as Error).message}` });
  }
}

/** Line breaks JSON.stringify leaves raw, which readers that split on Unicode line boundaries break a line at. */
const UNICODE_LINE_BREAK = /[\u0085\u2028\u2029]/;
const UNICODE_LINE_BREAKS = new RegExp(UNICODE_LINE_BREAK.source, 'g');

/** The same JSON with those characters escaped: one line for every reader, the same values. */
function oneLine(json: string): string {
  return UNICODE_LINE_BREAK.test(json) ? json.replace(UNICODE_LINE_BREAKS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

function writeStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The SDK's own retry chatter: useful when debugging, noise otherwise (our report counts every attempt). */
const SDK_RETRY_CHATTER = /^(Request failed with Exception|Request cannot be retried|All retry attempts have exhausted)/;

/**
 * The OCI SDK and the FDK write plain-text `console.warn` lines; OCI Logging
 * indexes JSON. Route them through the structured logger.
 */
export function captureConsoleWarnings(logger: Logger): void {
  console.warn = function structuredWarn(...args: unknown[]) {
    const detail = args.map(describeArg).join(' ');
    if (SDK_RETRY_CHATTER.test(detail)) logger.debug('oci-sdk', { detail: detail.slice(0, 1000) });
    else logger.warn('library warning', { detail: detail.slice(0, 1000) });
  };
}

/** A console argument as text; never throws (a circular object or a BigInt would make JSON.stringify throw inside a library's warning). */
function describeArg(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.message;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return Object.prototype.toString.call(a);
  }
}
