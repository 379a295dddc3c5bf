import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReceivedEvent } from './live-check-events';

export interface CapturedFile {
  readonly file: string;
  readonly eventType: string;
}

/**
 * `--capture-events DIR`: each event live-check received, as the JSON Events
 * delivered (the decoded message value, nothing else: no message key, cursor
 * or request header is written, and events carry no credentials), one file
 * per event, named as test/fixtures/events names them:
 * `com.oraclecloud.keymanagementservice.createkeyversion.end` →
 * `createkeyversion-end.json`, `createobject-2.json` for a second one. Files
 * already in DIR are never overwritten.
 */
export function captureEvents(dir: string, events: readonly ReceivedEvent[]): CapturedFile[] {
  mkdirSync(dir, { recursive: true });
  const written: CapturedFile[] = [];
  for (const e of events) {
    const base = fixtureName(e.eventType);
    let file = `${base}.json`;
    for (let n = 2; existsSync(join(dir, file)); n++) file = `${base}-${n}.json`;
    writeFileSync(join(dir, file), `${JSON.stringify(e.event, null, 2)}\n`, { flag: 'wx' });
    written.push({ file: join(dir, file), eventType: e.eventType });
  }
  return written;
}

/** The event type without `com.oraclecloud.<service>.`, dots as dashes, only file-name-safe characters. */
export function fixtureName(eventType: string): string {
  const parts = eventType.split('.');
  const tail = parts[0] === 'com' && parts[1] === 'oraclecloud' && parts.length > 3 ? parts.slice(3) : parts;
  const name = tail.join('-').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  return name || 'event';
}
