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
}
