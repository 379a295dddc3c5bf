import { requests as functionsRequests } from 'oci-functions';
import { InvalidInputError } from '../errors';
import { createOci, type Oci } from '../oci/clients';
import { cliConfig, type CliIo, type GlobalOptions } from './context';
import { EXIT, exitCodeOfAnswer } from './exit-codes';

/** Sends the request to the deployed function (InvokeFunction) and prints its answer. */
export async function invokeFunction(
  body: Record<string, unknown>, options: { functionId: string; invokeEndpoint?: string; detached?: boolean }, g: GlobalOptions, io: CliIo,
): Promise<number> {
  const oci = createOci(cliConfig(g), { hardStopAt: Date.now() + 330_000 }); // OCI Functions answers within 300 s
  const endpoint = options.invokeEndpoint ?? await lookUpInvokeEndpoint(options.functionId, oci);
  const client = oci.functionsInvokeAt(endpoint);
  const response = await oci.call('InvokeFunction', () => client.invokeFunction({
    functionId: options.functionId, invokeFunctionBody: JSON.stringify(body),
    fnInvokeType: options.detached ? functionsRequests.InvokeFunctionRequest.FnInvokeType.Detached : functionsRequests.InvokeFunctionRequest.FnInvokeType.Sync,
  }));
  if (options.detached) {
    io.stdout.write(`${JSON.stringify({ ok: true, invoked: 'detached', functionId: options.functionId, opcRequestId: response.opcRequestId ?? null }, null, 2)}\n`);
    return EXIT.ok;
  }
  const text = await readAll(response.value);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    io.stderr.write(`the function answered with something that is not JSON: ${text.slice(0, 300)}\n`);
    return EXIT.error;
  }
  io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  const code = exitCodeOfAnswer(answer as Record<string, unknown>);
  if (code !== EXIT.ok) io.stderr.write(`${describeAnswer(answer as Record<string, unknown>)}\n`);
  return code;
}

/**
 * The invoke endpoint is per application, with no regional default: like
 * `oci fn function invoke`, ask GetFunction (Functions management, at
 * --endpoint or the region's own) for the function's `invokeEndpoint`.
 */
async function lookUpInvokeEndpoint(functionId: string, oci: Oci): Promise<string> {
  const r = await oci.call('GetFunction', () => oci.functionsManagement.getFunction({ functionId }));
  const endpoint = r.function.invokeEndpoint;
  if (!endpoint) {
    throw new InvalidInputError(`GetFunction(${functionId}) answered without an invoke endpoint`, [
      { field: '--invoke-endpoint', problem: 'is required: GetFunction did not name the function\'s invoke endpoint' },
    ]);
  }
  return endpoint;
}

function describeAnswer(answer: Record<string, unknown>): string {
  const error = answer.error as { code?: string; message?: string } | undefined;
  if (answer.ok === false && error) return `${error.code}: ${error.message}`;
  if (answer.status === 'running') return `run ${String(answer.runId)} has not ended: this is where it stands`;
  if (typeof answer.runId === 'string' && answer.complete === false && typeof answer.continuation !== 'string') {
    return `not finished: run ${answer.runId} goes on in the function (oci-reencrypt status ${answer.runId})`;
  }
  if (typeof answer.continuation === 'string') return `not finished: resume with\n  oci-reencrypt invoke --function-id ... --continuation '${answer.continuation}'`;
  return 'some versions failed: see buckets[].failures';
}

async function readAll(value: unknown): Promise<string> {
  if (typeof value === 'string') return value;
  if (value instanceof ReadableStream) return new Response(value).text();
  if (value && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of value as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
  return String(value ?? '');
}
