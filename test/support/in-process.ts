/**
 * The handler in this process against the emulator: the same edge, runner and
 * SDK clients as dist/func.js, without the FDK socket and child process, so a
 * property test can send thousands of bodies quickly. The resource principal
 * is read from process.env, as in the container: one harness per test file
 * (vitest runs each file in its own process).
 */
import { randomUUID } from 'node:crypto';
import { startEmulator, type Emulator } from '../../emulator/src/index';
import { loadConfig } from '../../src/config';
import { createHandler } from '../../src/handler';
import { captureConsoleWarnings, createLogger } from '../../src/log';
import type { HandlerResult } from '../../src/response';
import { runRequest } from '../../src/run';

export interface InProcess {
  readonly emu: Emulator;
  readonly compartmentId: string;
  readonly vaultId: string;
  readonly keyId: string;
  /** One invocation, as the FDK would hand the body over (raw bytes). */
  invoke(body: string | Buffer, options?: { deadlineMs?: number }): Promise<HandlerResult>;
  stop(): Promise<void>;
}

export async function startInProcess(env: Record<string, string> = {}): Promise<InProcess> {
  const emu = await startEmulator();
  const compartmentId = emu.createCompartment({ name: 'props' }).id;
  const vault = emu.createVault({ compartmentId, displayName: 'props-vault' });
  const key = emu.createKey({ vaultId: vault.id, compartmentId, displayName: 'props-key' });
  Object.assign(process.env, emu.issueResourcePrincipal({ compartmentId }));
  const config = loadConfig({
    REENCRYPT_OBJECTSTORAGE_ENDPOINT: emu.url,
    REENCRYPT_KMS_VAULT_ENDPOINT: emu.url,
    REENCRYPT_SECRETS_ENDPOINT: emu.url,
    REENCRYPT_COMPARTMENT_IDS: compartmentId,
    REENCRYPT_VAULT_IDS: vault.id,
    REENCRYPT_CLOCK_SKEW_SECONDS: '0',
    REENCRYPT_SAFETY_MARGIN_SECONDS: '1',
    REENCRYPT_LOG_LEVEL: 'error',
    ...env,
  });
  const silent = createLogger('error', {}, () => undefined);
  // As func.ts does: the SDK's console.warn chatter goes through the (here silent) logger.
  captureConsoleWarnings(silent);
  const handle = createHandler({ config, run: runRequest, logger: () => silent });
  return {
    emu, compartmentId, vaultId: vault.id, keyId: key.id,
    invoke: (body, options = {}) => handle(typeof body === 'string' ? Buffer.from(body, 'utf8') : body, {
      callId: randomUUID(), deadline: new Date(Date.now() + (options.deadlineMs ?? 30_000)),
    }),
    stop: () => emu.stop(),
  };
}
