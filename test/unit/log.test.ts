import { describe, expect, it } from 'vitest';
import { captureConsoleWarnings, createLogger } from '../../src/log';

describe('createLogger', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger('debug', { callId: 'c1' }, (l) => lines.push(l)) };
  };

  it('fields cannot overwrite time, level or msg', () => {
    const { lines, logger } = capture();
    logger.warn('invocation failed', { level: 'debug', msg: 'all good', time: 'forged', detail: 1 });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'warn', msg: 'invocation failed', callId: 'c1', detail: 1 });
    expect(line.time).not.toBe('forged');
    expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'msg']);
  });

  it('a field that cannot be serialised gives a line that says so instead of throwing', () => {
    const { lines, logger } = capture();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => logger.info('summary', { circular, big: 1n })).not.toThrow();
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'summary', logError: expect.stringContaining('not serialisable') });
  });
});

describe('captureConsoleWarnings', () => {
  it('turns a library warning with a circular object into a log line instead of throwing', () => {
    const lines: string[] = [];
    const original = console.warn;
    try {
      captureConsoleWarnings(createLogger('debug', {}, (l) => lines.push(l)));
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      expect(() => console.warn('odd', circular, 2n)).not.toThrow();
    } finally {
      console.warn = original;
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', msg: 'library warning', detail: 'odd [object Object] [object BigInt]' });
  });
});
