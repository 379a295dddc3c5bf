import { createHash } from 'node:crypto';
import type { StorageTier } from '../types';

/** How the object a multipart upload makes will be encrypted, chosen at CreateMultipartUpload. */
export type UploadEncryption =
  | { readonly kind: 'sse-c'; readonly keySha256: string }
  | { readonly kind: 'kms'; readonly keyId: string }
  /** The bucket's key (or Oracle's), as it is when the upload is committed. */
  | { readonly kind: 'bucket' };

export interface UploadPartRec {
  readonly etag: string;
  /** Base64 MD5 of the part's bytes. */
  readonly md5: string;
  readonly size: number;
  /** The bytes, kept while the upload could still make an object small enough to keep (A20). */
  readonly body?: Buffer;
}

/** One multipart upload in progress (CreateMultipartUpload .. Commit/Abort). */
export interface UploadRec {
  readonly uploadId: string;
  readonly bucketName: string;
  readonly object: string;
  readonly timeCreated: number;
  readonly storageTier: StorageTier;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  readonly encryption: UploadEncryption;
  readonly parts: Map<number, UploadPartRec>;
}

/** UploadPart numbers, as the API reference bounds them. */
export const MIN_PART_NUM = 1;
export const MAX_PART_NUM = 10_000;

/**
 * `opc-multipart-md5` of a committed upload: the base64 MD5 of the parts'
 * binary MD5s in part order, a hyphen and the number of parts.
 */
export function multipartMd5(parts: readonly UploadPartRec[]): string {
  const hash = createHash('md5');
  for (const p of parts) hash.update(Buffer.from(p.md5, 'base64'));
  return `${hash.digest('base64')}-${parts.length}`;
}
