import type { requests, responses } from 'oci-objectstorage';
import type { Oci } from '../oci/clients';
import { OciCallError } from '../oci/errors';
import type { LiveCheckOptions, ProbeResult } from './live-check';

/**
 * What every live-check step shares: running a named step (stopped by
 * Ctrl-C, its failure named), recording a probe's verdict, making a call and
 * reading its status. One per live-check run.
 */
export interface ProbeKit {
  readonly oci: Oci;
  readonly o: LiveCheckOptions;
  readonly bucket: string;
  readonly ns: string;
  step<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** A verdict from an observation: `same` when OCI did what the emulator does. */
  probe(assumption: string, behaviour: string, emulator: string, observed: string): void;
  /** A probe not run (`skipped`, by choice) or without an answer (`unsettled`), with a note saying why. */
  notRun(assumption: string, behaviour: string, emulator: string, verdict: 'skipped' | 'unsettled', observed: string, note: string): void;
  /** The status and service code OCI answered a call with ("200" when it succeeded). */
  outcome(fn: () => Promise<unknown>): Promise<string>;
  call<T>(operation: string, fn: () => Promise<T>): Promise<T>;
  reencrypt(objectName: string, versionId?: string): Promise<responses.ReencryptObjectResponse>;
  head(objectName: string): Promise<responses.HeadObjectResponse>;
  put(objectName: string, extra?: Partial<requests.PutObjectRequest>): Promise<responses.PutObjectResponse>;
  /** The end of a bounded wait starting now (--wait). */
  waitUntil(): number;
}

export class StepError extends Error {
  constructor(readonly step: string, message: string) {
    super(message);
  }
}

export function probeKit(oci: Oci, bucket: string, o: LiveCheckOptions, probes: ProbeResult[]): ProbeKit {
  const os = oci.objectStorage;
  const ns = o.namespace;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (o.signal.aborted) throw new StepError(name, 'interrupted');
    o.say(`live-check: ${name}`);
    try {
      return await fn();
    } catch (err) {
      throw new StepError(name, o.signal.aborted ? 'interrupted' : err instanceof Error ? err.message : String(err));
    }
  };
  const probe = (assumption: string, behaviour: string, emulator: string, observed: string) => {
    probes.push({ assumption, behaviour, emulator, oci: observed, verdict: observed === emulator ? 'same' : 'differs' });
  };
  const notRun = (assumption: string, behaviour: string, emulator: string, verdict: 'skipped' | 'unsettled', observed: string, note: string) => {
    probes.push({ assumption, behaviour, emulator, oci: observed, verdict, note });
  };
  const outcome = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
      return '200';
    } catch (err) {
      if (err instanceof OciCallError && err.failure.status !== undefined) return `${err.failure.status} ${err.failure.serviceCode ?? ''}`.trim();
      throw err;
    }
  };
  /** Every probe call; after Ctrl-C none starts (the one in flight finishes), so a step of many calls stops at once. */
  const call = <T>(operation: string, fn: () => Promise<T>) => {
    if (o.signal.aborted) return Promise.reject(new Error('interrupted'));
    return oci.call(operation, fn);
  };
  const reencrypt = (objectName: string, versionId?: string) => call('ReencryptObject', () => os.reencryptObject({
    namespaceName: ns, bucketName: bucket, objectName, reencryptObjectDetails: {}, ...(versionId !== undefined && { versionId }),
  }));
  const head = (objectName: string) => call('HeadObject', () => os.headObject({ namespaceName: ns, bucketName: bucket, objectName }));
  const put = (objectName: string, extra: Partial<requests.PutObjectRequest> = {}) => call('PutObject', () => os.putObject({
    namespaceName: ns, bucketName: bucket, objectName, putObjectBody: 'live-check', contentLength: 10, ...extra,
  }));
  const waitUntil = () => Date.now() + o.waitMs;
  return { oci, o, bucket, ns, step, probe, notRun, outcome, call, reencrypt, head, put, waitUntil };
}
