/**
 * `sshpk.parsePrivateKey` as the bundle serves it (scripts/build.mjs). Resource-principal auth
 * (oci-common's FixedContentKeySupplier) parses the session key with it on the first call only to
 * write it back as PEM, which loaded sshpk with asn1, jsbn, tweetnacl and ecc-jsbn into every
 * container: heap that stays, and CPU on the first call. An unencrypted RSA key in PEM is answered
 * here by node:crypto, in PEM byte-identical to sshpk's (test/unit/pem-private-key.test.ts);
 * any other key, and any other use of a parsed key, goes to sshpk itself, loaded then.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** sshpk's key objects, as far as this module needs to know them. */
type SshpkKey = { toBuffer(format?: unknown, options?: unknown): Buffer; toPublic(): SshpkKey } & Record<PropertyKey, unknown>;
type Sshpk = { parsePrivateKey(data: string | Buffer, format?: string, options?: unknown): SshpkKey };

// By its file, not as 'sshpk': the bundle answers that name with a proxy that would send this call back here.
const sshpk = (): Sshpk => require('sshpk/lib/index.js') as Sshpk;

/** One unencrypted PKCS#1 or PKCS#8 PEM block and nothing else (an encrypted PKCS#1 key has Proc-Type headers). */
const PLAIN_PEM = /^\s*-----BEGIN (RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (RSA )?PRIVATE KEY-----\s*$/;

const noOptions = (options: unknown): boolean =>
  options === undefined || (typeof options === 'object' && options !== null && Object.keys(options).length === 0);

/**
 * A key object whose `toBuffer('pem')` and `toString('pem')` (no options) come from `pem`, and whose
 * every other property is sshpk's own key's (`real`), parsed on first use.
 */
function keyObject(pem: () => string, real: () => SshpkKey, own: Record<string, unknown> = {}): SshpkKey {
  const answers: Record<string, unknown> = {
    ...own,
    toBuffer: (format?: unknown, options?: unknown) => (format === 'pem' && noOptions(options) ? Buffer.from(pem()) : real().toBuffer(format, options)),
    toString: (format?: unknown, options?: unknown) => (format === 'pem' && noOptions(options) ? pem() : real().toBuffer(format, options).toString()),
  };
  return new Proxy(answers, {
    get(target, key) {
      if (Object.hasOwn(target, key)) return target[key as string];
      const object = real();
      const value = object[key];
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
    has: (target, key) => Object.hasOwn(target, key) || key in real(),
  }) as unknown as SshpkKey;
}

function rsaKey(key: KeyObject, parseWithSshpk: () => SshpkKey): SshpkKey {
  let parsed: SshpkKey | undefined;
  const real = () => (parsed ??= parseWithSshpk());
  // sshpk writes an RSA private key as PKCS#1 and a public key as SubjectPublicKeyInfo.
  const publicKey = keyObject(() => createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(), () => real().toPublic());
  return keyObject(() => key.export({ type: 'pkcs1', format: 'pem' }).toString(), real, { toPublic: () => publicKey });
}

export function parsePrivateKey(data: string | Buffer, format?: string, options?: unknown): SshpkKey {
  const parseWithSshpk = () => sshpk().parsePrivateKey(data, format, options);
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('latin1') : undefined;
  const plain = noOptions(options) || (typeof options === 'object' && options !== null && Object.keys(options).every((k) => k === 'passphrase')
    && (options as { passphrase?: unknown }).passphrase === undefined);
  if (text === undefined || !(format === undefined || format === 'auto' || format === 'pem') || !plain || !PLAIN_PEM.test(text)) return parseWithSshpk();
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    return parseWithSshpk(); // sshpk says what is wrong with it
  }
  return key.asymmetricKeyType === 'rsa' ? rsaKey(key, parseWithSshpk) : parseWithSshpk();
}
