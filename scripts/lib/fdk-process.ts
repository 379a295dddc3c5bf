import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FUNC_JS = resolve(__dirname, '../../dist/func.js');
/** The Node binary that runs the function: FUNC_NODE (`npm run test:node22` sets it), else this process's. */
export const FUNC_NODE = process.env.FUNC_NODE || process.execPath;

export interface FnCallResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary answer shapes
}

export interface RunningFunction {
  readonly socketPath: string;
  readonly process: ChildProcess;
  /** Output lines the function wrote (stdout and stderr). */
  readonly output: string[];
  call(body: string | Buffer, options?: { deadlineMs?: number; headers?: Record<string, string>; contentType?: string }): Promise<FnCallResult>;
  stop(): Promise<void>;
}

/**
 * Starts the built dist/func.js the way the Fn server does: FN_FORMAT=http-stream,
 * FN_LISTENER=unix:<fresh dir>/lsnr.sock, then waits for the socket to appear.
 */
/** `nodeArgs`: node and V8 flags before the script (most V8 flags, e.g. `--min-semi-space-size`, are refused in NODE_OPTIONS). */
export async function startFunction(env: Record<string, string> = {}, script = FUNC_JS, node = FUNC_NODE, nodeArgs: readonly string[] = []): Promise<RunningFunction> {
  const dir = mkdtempSync(join(tmpdir(), 'fn-'));
  const socketPath = join(dir, 'lsnr.sock');
  const child = spawn(node, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', FN_FORMAT: 'http-stream', FN_LISTENER: `unix:${socketPath}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
    });
  }
  const started = Date.now();
  while (!existsSync(socketPath)) {
    if (child.exitCode !== null) throw new Error(`function exited with ${child.exitCode}: ${output.join('\n')}`);
    // A hang guard: node and the bundle can take seconds to start on a loaded machine (hooks get 60 s).
    if (Date.now() - started > 50_000) throw new Error(`function did not listen within 50 s: ${output.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socketPath,
    process: child,
    output,
    call: (body, options = {}) => callFunction(socketPath, body, options),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One Fn server call: POST /call with Fn-Call-Id, Fn-Deadline and Content-Type. */
export function callFunction(
  socketPath: string,
  body: string | Buffer,
  options: { deadlineMs?: number; headers?: Record<string, string>; contentType?: string } = {},
): Promise<FnCallResult> {
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const deadline = new Date(Date.now() + (options.deadlineMs ?? 30_000)).toISOString();
  return new Promise((resolvePromise, reject) => {
    const req = request({
      socketPath,
      method: 'POST',
      path: '/call',
      headers: {
        'Fn-Call-Id': randomUUID(),
        'Fn-Deadline': deadline,
        'Content-Type': options.contentType ?? 'application/json',
        'Content-Length': String(payload.length),
        ...options.headers,
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        // The function writes its log lines (to pipes: synchronous in Node on Linux) before it
        // answers, so they are readable here already; one turn of the event loop lets this
        // process read them, and a test that looks at `output` right after the answer sees them.
        setImmediate(() => setImmediate(() => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, text, json })));
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
