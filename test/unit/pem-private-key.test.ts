import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import sshpkTyped from 'sshpk';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePrivateKey } from '../../src/oci/pem-private-key';

/**
 * The bundle answers `sshpk.parsePrivateKey` with src/oci/pem-private-key.ts (scripts/build.mjs), so
 * resource-principal auth does not load sshpk. What oci-common does with the result (FixedContentKeySupplier:
 * `toPublic().toString('pem')`, `toBuffer('pem', {})`) must be byte-identical to sshpk's, and every other
 * use must behave as sshpk's own key.
 */
/** The sshpk calls used here (the installed @types/sshpk lags sshpk 1.18's formats and methods, as oci-common notes too). */
interface AnyKey {
  type: string;
  size: number;
  toBuffer(format?: string, options?: object): Buffer;
  toString(format?: string, options?: object): string;
  toPublic(): AnyKey;
  fingerprint(algorithm: string): { toString(): string };
}
const sshpk = sshpkTyped as unknown as {
  parsePrivateKey(data: string | Buffer, format?: string, options?: object): AnyKey;
  PrivateKey: abstract new (...args: never[]) => unknown;
};
const parse = (data: string | Buffer, format?: string, options?: object): AnyKey => parsePrivateKey(data, format, options) as unknown as AnyKey;
const pemOf = (key: AnyKey): string => key.toBuffer('pem', {}).toString();
const publicPemOf = (key: AnyKey): string => key.toPublic().toString('pem');

describe('parsePrivateKey as the bundle serves it', () => {
  const rsa: { bits: number; key: KeyObject }[] = [];
  beforeAll(() => {
    for (const bits of [2048, 2048, 3072]) rsa.push({ bits, key: generateKeyPairSync('rsa', { modulusLength: bits }).privateKey });
  });

  const inputs = (key: KeyObject) => {
    const pkcs8 = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pkcs1 = key.export({ type: 'pkcs1', format: 'pem' }).toString();
    return {
      'PKCS#8 PEM': pkcs8,
      'PKCS#1 PEM': pkcs1,
      'PKCS#8 PEM as a Buffer': Buffer.from(pkcs8),
      'PKCS#1 PEM with CRLF and surrounding blank lines': `\r\n${pkcs1.replace(/\n/g, '\r\n')}\n\n`,
    };
  };

  it('writes an RSA key back as PEM exactly as sshpk does (private PKCS#1, public SPKI), from PKCS#1 and PKCS#8, text or Buffer', () => {
    for (const { key } of rsa) {
      for (const [name, data] of Object.entries(inputs(key))) {
        for (const [format, options] of [['auto', {}], ['pem', undefined], [undefined, undefined]] as const) {
          const ours = parse(data, format, options);
          const theirs = sshpk.parsePrivateKey(data, format, options);
          expect(pemOf(ours), name).toBe(theirs.toBuffer('pem', {}).toString());
          expect(ours.toString('pem'), name).toBe(theirs.toString('pem'));
          expect(publicPemOf(ours), name).toBe(theirs.toPublic().toString('pem'));
          expect(ours.toPublic().toBuffer('pem').equals(theirs.toPublic().toBuffer('pem')), name).toBe(true);
        }
      }
    }
  });

  it('answers every other property and format as sshpk\'s own key', () => {
    const data = rsa[0]!.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ours = parse(data, 'auto', {});
    const theirs = sshpk.parsePrivateKey(data, 'auto', {});
    expect(ours.type).toBe('rsa');
    expect(ours.size).toBe(theirs.size);
    expect(ours.fingerprint('sha256').toString()).toBe(theirs.fingerprint('sha256').toString());
    expect(ours.toString('pkcs1')).toBe(theirs.toString('pkcs1'));
    expect(ours.toBuffer('pkcs8').equals(theirs.toBuffer('pkcs8'))).toBe(true);
    expect(ours.toPublic().toString('ssh')).toBe(theirs.toPublic().toString('ssh'));
    expect(ours.toPublic().fingerprint('sha256').toString()).toBe(theirs.toPublic().fingerprint('sha256').toString());
    expect('curve' in ours).toBe('curve' in theirs);
  });

  it('hands other keys to sshpk: EC, encrypted, OpenSSH format', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const passphrase = 'correct horse';
    const cases: [string, string, { passphrase?: string } | undefined][] = [
      ['EC PKCS#8 PEM', ec.export({ type: 'pkcs8', format: 'pem' }).toString(), undefined],
      ['encrypted PKCS#8 PEM', rsa[0]!.key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString(), { passphrase }],
      ['encrypted PKCS#1 PEM', rsa[0]!.key.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString(), { passphrase }],
      ['OpenSSH private key', sshpk.parsePrivateKey(rsa[0]!.key.export({ type: 'pkcs1', format: 'pem' }).toString(), 'pem').toString('ssh-private'), undefined],
    ];
    for (const [name, data, options] of cases) {
      const ours = parse(data, 'auto', options);
      const theirs = sshpk.parsePrivateKey(data, 'auto', options);
      expect(ours, name).toBeInstanceOf(sshpk.PrivateKey);
      expect(pemOf(ours), name).toBe(theirs.toBuffer('pem', {}).toString());
    }
  });

  it('fails as sshpk fails on a damaged key', () => {
    const pem = rsa[0]!.key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const damaged = pem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    let theirs: unknown;
    try { sshpk.parsePrivateKey(damaged, 'auto', {}); } catch (err) { theirs = err; }
    expect(theirs).toBeInstanceOf(Error);
    expect(() => parsePrivateKey(damaged, 'auto', {})).toThrow((theirs as Error).message);
  });
});
