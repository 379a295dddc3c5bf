/**
 * docs/operations.md: every block marked `<!-- rehearsed -->` runs, in order,
 * in one bash session against the rehearsal tenancy (scripts/lib/rehearsal.ts),
 * the way an operator would paste them. A failing command fails the test.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRehearsal, type Rehearsal } from '../../scripts/lib/rehearsal';

const ROOT = resolve(__dirname, '../..');
const RUNBOOK = readFileSync(resolve(ROOT, 'docs/operations.md'), 'utf8');

function rehearsedBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/<!-- rehearsed -->\n```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('the runbook, rehearsed on the emulator', () => {
  let rehearsal: Rehearsal;
  beforeAll(async () => {
    rehearsal = await startRehearsal();
  });
  afterAll(async () => rehearsal?.stop());

  it('has rehearsed blocks for verify, watch, respond and rotate', () => {
    const blocks = rehearsedBlocks(RUNBOOK);
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    for (const command of ['oci-reencrypt plan', 'oci-reencrypt invoke', 'oci-reencrypt run --continuation', '--source-sse-customer-key-secret-id', '/rotate']) {
      expect(blocks.join('\n')).toContain(command);
    }
  });

  it('every rehearsed command succeeds, in order', async () => {
    const script = ['set -euo pipefail', ...rehearsedBlocks(RUNBOOK)].join('\n');
    // Asynchronously: the emulator answering these commands lives in this process.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolveRun) => {
      const child = spawn('bash', ['-c', script], {
        cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...rehearsal.env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
      child.on('close', (status) => resolveRun({ status, stdout, stderr }));
    });
    if (process.env.SHOW_RUNBOOK) process.stdout.write(r.stdout);
    expect(r.status, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    // The rotation was swept by the deployed function, through the event.
    const rotation = rehearsal.stack.emu.invocations.filter((i) => i.via === 'events' && i.requestBody.includes('createkeyversion.end'));
    expect(rotation).toHaveLength(1);
    expect(JSON.parse(rotation[0]!.responseBody ?? '{}')).toMatchObject({ ok: true, complete: true, totals: { failed: 0 } });
  }, 300_000);
});
