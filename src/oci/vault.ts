import type { Config } from '../config';
import type { Oci } from './clients';
import { OciCallError } from './errors';

export interface KeyVersionFacts {
  readonly keyId: string;
  readonly keyVersionId: string;
  /** When the key's current version was created: the moment it took effect. */
  readonly timeCreated: Date;
}

export type KeyLookup =
  | { readonly found: true; readonly version: KeyVersionFacts }
  | { readonly found: false; readonly why: string };

/**
 * Reads a Vault key's current version. A key OCID does not name its vault,
 * so the management endpoint comes from configuration, or from GetVault on
 * the vault named by the event/request or configured.
 */
export class KeyDirectory {
  private readonly cache = new Map<string, Promise<KeyLookup>>();
  constructor(private readonly oci: Oci, private readonly config: Config) {}

  currentVersion(keyId: string, vaultHint?: string): Promise<KeyLookup> {
    let lookup = this.cache.get(keyId);
    if (!lookup) {
      lookup = this.lookUp(keyId, vaultHint);
      this.cache.set(keyId, lookup);
    }
    return lookup;
  }

  private async lookUp(keyId: string, vaultHint?: string): Promise<KeyLookup> {
    const reasons: string[] = [];
    for await (const endpoint of this.managementEndpoints(vaultHint, reasons)) {
      const client = this.oci.kmsManagement(endpoint);
      try {
        const { key } = await this.oci.call('GetKey', () => client.getKey({ keyId }));
        const keyVersionId = key.currentKeyVersion;
        const { keyVersion } = await this.oci.call('GetKeyVersion', () => client.getKeyVersion({ keyId, keyVersionId }));
        return { found: true, version: { keyId, keyVersionId, timeCreated: new Date(keyVersion.timeCreated) } };
      } catch (err) {
        reasons.push(describe(err, endpoint));
      }
    }
    return { found: false, why: reasons.length ? reasons.join('; ') : 'no vault known for this key (set REENCRYPT_VAULT_IDS or vaultId)' };
  }

  private async *managementEndpoints(vaultHint: string | undefined, reasons: string[]): AsyncGenerator<string> {
    if (this.config.endpoints.kmsManagement) {
      yield this.config.endpoints.kmsManagement;
      return;
    }
    const vaults = [...new Set([vaultHint, ...this.config.vaultIds].filter((v): v is string => Boolean(v)))];
    for (const vaultId of vaults) {
      try {
        const { vault } = await this.oci.call('GetVault', () => this.oci.kmsVault.getVault({ vaultId }));
        yield vault.managementEndpoint;
      } catch (err) {
        reasons.push(describe(err, vaultId));
      }
    }
  }
}

function describe(err: unknown, where: string): string {
  if (err instanceof OciCallError) return `${err.operation} at ${where}: ${err.failure.status ?? 'network'} ${err.failure.serviceCode ?? ''}`.trim();
  return `${where}: ${String(err)}`;
}
