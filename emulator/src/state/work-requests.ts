import type { Encryption, VersionRecord } from '../types';

export interface WorkRequestRec {
  id: string;
  compartmentId: string;
  bucketName: string;
  namespace: string;
  status: 'ACCEPTED' | 'IN_PROGRESS' | 'FAILED' | 'COMPLETED' | 'CANCELING' | 'CANCELED';
  timeAccepted: number;
  timeStarted: number | undefined;
  timeFinished: number | undefined;
  /** Versions to rewrap, captured when the request was accepted. */
  pending: VersionRecord[];
  done: number;
  target: Encryption | undefined;
  /** ListWorkRequestErrors' items: why it FAILED. */
  errors: WorkRequestErrorRec[];
}

export interface WorkRequestErrorRec {
  code: string;
  message: string;
  timestamp: number;
}

/** An injected failure: the next ReencryptBucket work request on `bucketName` fails once this fraction is done. */
export interface WorkRequestFailure {
  bucketName: string;
  /** 0..1 of the versions rewrapped before it fails (0: before any). */
  atFraction: number;
  code: string;
  message: string;
}
