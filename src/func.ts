/** The container's entry point: `node dist/func.js` under the Fn FDK. */
import { loadConfig, type Config } from './config';
import { InvalidConfigurationError } from './errors';
import { serveWithFdk } from './fdk';
import { createHandler } from './handler';
import { captureConsoleWarnings, createLogger } from './log';
import { runRequest } from './run';

function loadConfigOnce(): Config | InvalidConfigurationError {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof InvalidConfigurationError) return err;
    throw err;
  }
}

const config = loadConfigOnce();
captureConsoleWarnings(createLogger(config instanceof InvalidConfigurationError ? 'info' : config.logLevel, { source: 'console' }));

serveWithFdk(createHandler({
  config,
  run: runRequest,
  logger: (config, invocation) => createLogger(config?.logLevel ?? 'info', { callId: invocation.callId }),
}));
