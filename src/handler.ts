import type { Config } from './config';
import type { ProgressSink } from './engine/context';
import { InvalidConfigurationError } from './errors';
import { classify, parseBody } from './input/classify';
import type { ReencryptRequest } from './input/types';
import type { Logger } from './log';
import { errorResult, type HandlerResult } from './response';

/**
 * What OCI Functions says about who invoked the function, from the headers
 * the platform sets on the call (see README, Security: which are documented
 * and which are only observed). Only what is present; never a credential.
 */
export interface Caller {
  /** Oci-Subject-Id: the user or resource (e.g. an API gateway) that signed the invoke. */
  readonly subjectId?: string;
  /** Oci-Subject-Type: `user` or `resource`. */
  readonly subjectType?: string;
  readonly subjectTenancyId?: string;
  readonly subjectCompartmentId?: string;
  /** Opc-Compartment-Id: the compartment named on the signed invoke request. */
  readonly compartmentId?: string;
  /** Opc-Request-Id: quote it to Oracle to trace the invoke request. */
  readonly opcRequestId?: string;
  readonly invokeType?: string;
  readonly intent?: string;
  /** Through an HTTP gateway: the method and URL the gateway was called with. */
  readonly httpMethod?: string;
  readonly httpRequestUrl?: string;
}

/** What the handler knows about one invocation, independent of the FDK. */
export interface Invocation {
  readonly callId: string;
  /** When the Fn server stops waiting for the answer (Fn-Deadline). */
  readonly deadline: Date;
  readonly caller: Caller;
  /** Aborted to stop starting new work now (the CLI's Ctrl-C); the run answers with a continuation. */
  readonly stop?: AbortSignal;
  /** Watches the sweep's progress (the CLI); absent in the function. */
  readonly progress?: ProgressSink;
  /**
   * The deadline only ends new work; nothing kills the process at it (the CLI's
   * --max-duration). Fn-Deadline is hard: past it the container's answer is lost.
   */
  readonly softDeadline?: boolean;
}

/** Runs one validated request; everything after the edge lives behind this. */
export type Runner = (request: ReencryptRequest, invocation: Invocation, config: Config, logger: Logger) => Promise<object>;

export interface HandlerDeps {
  /** The configuration, or why it is invalid (reported on every call until fixed). */
  readonly config: Config | InvalidConfigurationError;
  readonly run: Runner;
  readonly logger: (config: Config | undefined, invocation: Invocation) => Logger;
}

/**
 * The edge: parse and classify the body once, then hand the typed request to
 * the runner. Never throws and never returns undefined (either would crash
 * the FDK or turn into its generic 502).
 */
export function createHandler(deps: HandlerDeps) {
  return async function handleInvocation(raw: unknown, invocation: Invocation): Promise<HandlerResult> {
    const config = deps.config instanceof InvalidConfigurationError ? undefined : deps.config;
    const logger = deps.logger(config, invocation);
    try {
      if (!config) throw deps.config;
      const request = classify(parseBody(raw));
      const body = await deps.run(request, invocation, config, logger);
      return { status: 200, body };
    } catch (err) {
      const result = errorResult(err);
      const level = result.status >= 500 ? 'error' : 'warn';
      // Who sent a refused body is worth as much as who sent an accepted one (README, Security: audit).
      logger[level]('invocation failed', { error: result.body, caller: invocation.caller });
      return result;
    }
  };
}
