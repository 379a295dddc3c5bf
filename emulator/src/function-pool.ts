import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmulatorUsageError } from './errors';

/** How to start one container of a function: `node <script>` under the FDK's http-stream contract. */
export interface FunctionPoolSpec {
  /** The function's entry point, e.g. dist/func.js. */
  script: string;
  /** The function's configuration and resource-principal environment. */
  env: Record<string, string>;
  /** Containers at most (default 4); further invocations wait for a free one. */
  maxProcesses?: number;
}

/** One container: one FDK process on its own unix socket, serving one call at a time. */
export interface FunctionContainer {
  readonly socketPath: string;
  readonly process: ChildProcess;
  /** The body of the call it is serving, or undefined when idle. */
  busyWith: string | undefined;
  /** Output lines (stdout and stderr). */
  readonly output: string[];
}

/**
 * Fn runs one call per container at a time and starts containers on demand
 * (OCI Functions scales out the same way, up to the tenancy's concurrency).
 * Detached invocations therefore run in separate processes: CPU, memory and
 * crashes behave as in separate containers. A container that dies is gone;
 * the next call starts a fresh one.
 */
export class FunctionPool {
  private readonly containers = new Set<FunctionContainer>();
  private readonly idle: FunctionContainer[] = [];
  private readonly waiting: { resolve: (c: FunctionContainer) => void; reject: (err: unknown) => void }[] = [];
  private starting = 0;
  private stopped = false;
  readonly maxProcesses: number;

  constructor(private readonly spec: FunctionPoolSpec) {
    this.maxProcesses = spec.maxProcesses ?? 4;
    if (!Number.isInteger(this.maxProcesses) || this.maxProcesses < 1) throw new EmulatorUsageError(`maxProcesses must be a positive integer, got ${this.maxProcesses}`);
  }

  /** Every live container, busy or idle. */
  get live(): readonly FunctionContainer[] {
    return [...this.containers];
  }

  /** Containers started since the pool was created (a restart after a crash counts). */
  started = 0;

  async acquire(body: string): Promise<FunctionContainer> {
    if (this.stopped) throw new EmulatorUsageError('the function pool is stopped');
    let c = this.idle.pop();
    while (c && !this.containers.has(c)) c = this.idle.pop();
    if (!c && this.containers.size + this.starting < this.maxProcesses) c = await this.start();
    if (!c) c = await new Promise<FunctionContainer>((resolve, reject) => this.waiting.push({ resolve, reject }));
    c.busyWith = body;
    return c;
  }

  /**
   * Gives a container back. `healthy: false` (its call failed or timed out) retires it, as Fn
   * tears down such a container: it may be dead already, its exit not yet seen.
   */
  release(c: FunctionContainer, healthy = true): void {
    c.busyWith = undefined;
    if (this.stopped) {
      // A call that ends after stop(): its container goes too, and nothing new starts.
      if (this.containers.delete(c)) c.process.kill('SIGKILL');
      return;
    }
    if (!healthy && this.containers.has(c)) {
      this.containers.delete(c);
      c.process.kill('SIGKILL');
    }
    if (!this.containers.has(c)) {
      // It died during the call: a waiting call gets a fresh container.
      const next = this.waiting.shift();
      if (next) this.start().then(next.resolve, next.reject);
      return;
    }
    const next = this.waiting.shift();
    if (next) next.resolve(c);
    else this.idle.push(c);
  }

  private async start(): Promise<FunctionContainer> {
    this.starting += 1;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'fnpool-'));
      const socketPath = join(dir, 'lsnr.sock');
      const child = spawn(process.execPath, [this.spec.script], {
        env: { PATH: process.env.PATH ?? '', ...this.spec.env, FN_FORMAT: 'http-stream', FN_LISTENER: `unix:${socketPath}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const container: FunctionContainer = { socketPath, process: child, busyWith: undefined, output: [] };
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream?.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          container.output.push(...lines);
          if (container.output.length > 5000) container.output.splice(0, container.output.length - 5000);
        });
      }
      child.once('exit', () => {
        this.containers.delete(container);
        const at = this.idle.indexOf(container);
        if (at >= 0) this.idle.splice(at, 1);
        rmSync(dir, { recursive: true, force: true });
      });
      const begun = Date.now();
      try {
        while (!existsSync(socketPath)) {
          if (child.exitCode !== null) throw new EmulatorUsageError(`function container exited with ${child.exitCode}: ${container.output.join('\n').slice(-2000)}`);
          // A hang guard: a loaded machine can take seconds to start a process.
          if (Date.now() - begun > 50_000) throw new EmulatorUsageError('function container did not listen within 50 s');
          if (this.stopped) throw new EmulatorUsageError('the function pool is stopped');
          await new Promise((r) => setTimeout(r, 20));
        }
        if (this.stopped) throw new EmulatorUsageError('the function pool is stopped');
      } catch (err) {
        // Never leave a process behind: one that did not listen, or that started while the pool stopped.
        child.kill('SIGKILL');
        throw err;
      }
      this.containers.add(container);
      this.started += 1;
      return container;
    } finally {
      this.starting -= 1;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.containers].map((c) => new Promise<void>((resolve) => {
      if (!this.containers.has(c)) return resolve();
      c.process.once('exit', () => resolve());
      c.process.kill('SIGKILL');
    })));
  }
}
