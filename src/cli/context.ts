/** What every command shares: the global options, where output goes, the configuration of a local run. */
import { loadConfig, type Config } from '../config';
import { createLogger, type Logger, type LogLevel } from '../log';

/** Options every command takes, named as the OCI CLI names them. */
export interface GlobalOptions {
  readonly configFile?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly concurrency?: number;
  readonly logLevel: LogLevel;
  readonly progress: boolean;
  readonly progressInterval: number;
  readonly maxDuration?: number;
}

/** What the commands write to: stdout for JSON, stderr for messages (swappable for tests of the parser). */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const DEFAULT_IO: CliIo = { stdout: process.stdout, stderr: process.stderr };
/** Without --max-duration: a week (timers hold at most 24.8 days). */
export const NO_LIMIT_MS = 7 * 24 * 3600 * 1000;

/** The function's configuration for a local run: config-file auth, flags first, then REENCRYPT_* from the environment. */
export function cliConfig(g: GlobalOptions, overrides: Readonly<Record<string, string>> = {}): Config {
  const env: Record<string, string | undefined> = {
    ...process.env,
    REENCRYPT_AUTH: 'config_file',
    REENCRYPT_SELF_INVOKE: 'false',
    REENCRYPT_LOG_LEVEL: g.logLevel,
    REENCRYPT_OCI_CONFIG_FILE: g.configFile ?? process.env.OCI_CLI_CONFIG_FILE ?? '',
    REENCRYPT_OCI_CONFIG_PROFILE: g.profile ?? process.env.OCI_CLI_PROFILE ?? 'DEFAULT',
    ...(g.concurrency !== undefined && { REENCRYPT_CONCURRENCY: String(g.concurrency) }),
    ...(g.endpoint !== undefined && {
      REENCRYPT_OBJECTSTORAGE_ENDPOINT: g.endpoint, REENCRYPT_KMS_VAULT_ENDPOINT: g.endpoint,
      REENCRYPT_SECRETS_ENDPOINT: g.endpoint, REENCRYPT_FUNCTIONS_INVOKE_ENDPOINT: g.endpoint, REENCRYPT_FUNCTIONS_ENDPOINT: g.endpoint,
      REENCRYPT_MONITORING_ENDPOINT: g.endpoint,
    }),
    ...overrides,
  };
  const config = loadConfig(env);
  return g.region && config.auth.type === 'config_file' ? { ...config, auth: { ...config.auth, region: g.region } } : config;
}

export function stderrLogger(g: GlobalOptions, io: CliIo): Logger {
  return createLogger(g.logLevel, { source: 'oci-reencrypt' }, (line) => io.stderr.write(`${line}\n`));
}
