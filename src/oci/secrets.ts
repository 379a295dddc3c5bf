import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';
import type { Oci } from './clients';
import { OciCallError } from './errors';
import type { SseCustomerKey } from './object-storage';

/**
 * Reads an SSE-C key from a Vault secret whose content is a base64 AES-256
 * key. The key never leaves memory: not logged, not reported.
 */
export async function readSseCustomerKey(oci: Oci, secretId: string, field: string): Promise<SseCustomerKey> {
  let secretBundle;
  try {
    ({ secretBundle } = await oci.call('GetSecretBundle', () => oci.secrets.getSecretBundle({ secretId })));
  } catch (err) {
    // 404 is OCI's answer both for "no such secret" and "not allowed to read it": the request named it, so say which field.
    if (err instanceof OciCallError && err.failure.status === 404) {
      throw new InvalidInputError(`The secret named by ${field} cannot be read: ${err.failure.serviceCode ?? 'NotFound'}`, [
        { field, problem: 'must name a secret that exists and that the function may read (a policy allowing read secret-bundles)' },
      ]);
    }
    throw err;
  }
  const content = secretBundle.secretBundleContent as { contentType?: string; content?: string } | undefined;
  const key = aesKeyFrom(content?.content ?? '');
  if (!key) {
    throw new InvalidInputError(`The secret named by ${field} does not hold an AES-256 key`, [
      { field, problem: 'must name a secret whose value is a 32-byte AES key (raw, or as base64 text)' },
    ]);
  }
  return { algorithm: 'AES256', key: key.toString('base64'), keySha256: createHash('sha256').update(key).digest('base64') };
}

/**
 * A bundle's content is the secret's value in base64. Accept both ways of
 * storing an SSE-C key: the raw 32 bytes, or the key's base64 text.
 */
function aesKeyFrom(bundleContent: string): Buffer | undefined {
  const value = Buffer.from(bundleContent, 'base64');
  if (value.length === 32) return value;
  const text = value.toString('utf8').trim();
  const key = Buffer.from(text, 'base64');
  return key.length === 32 && key.toString('base64') === text ? key : undefined;
}
