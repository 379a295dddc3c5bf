import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_SCHEMA } from '../../src/config';
import requestSchema from '../../schemas/reencrypt-request.schema.json';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('shows exactly the two newcomer commands: the demo and the tests', () => {
    const block = /## Try it\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = block.split('\n').filter((l) => l.trim()).map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it.each(CONFIG_KEYS)('documents %s with its default', (key) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row, key).toBeDefined();
    const def = String(CONFIG_SCHEMA.properties[key].default);
    expect(row).toContain(def === '' ? '*(empty)*' : `\`${def}\``);
  });

  it.each(Object.keys(requestSchema.properties))('documents the manual request field %s', (field) => {
    expect(readme).toContain(`\`${field}\``);
  });
});
