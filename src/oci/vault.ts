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
  /** GetVault's answer (the management endpoint) per vault, read once per invocation. */
  private readonly endpoints = new Map<string, Promise<string>>();
  constructor(private readonly oci: Oci, private readonly config: Config) {}

  /**
   * Starts reading the vault a key lookup reads first (GetVault), before the key is known: a manual
   * sweep calls this while it reads the bucket (GetNamespace, GetBucket), so the lookup that follows
   * waits for GetKey and GetKeyVersion only. Further vaults are read only if the key is not in the
   * first, as before; a failed read is reported by the lookup, as before.
   */
  prefetch(vaultHint?: string): void {
    if (this.config.endpoints.kmsManagement) return;
    const first = this.vaultIds(vaultHint)[0];
    if (first !== undefined) this.endpointOf(first).catch(() => undefined);
  }

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
    for (const vaultId of this.vaultIds(vaultHint)) {
      let endpoint: string;
      try {
        endpoint = await this.endpointOf(vaultId);
      } catch (err) {
        reasons.push(describe(err, vaultId));
        continue;
      }
      yield endpoint;
    }
  }

  private vaultIds(vaultHint: string | undefined): string[] {
    return [...new Set([vaultHint, ...this.config.vaultIds].filter((v): v is string => Boolean(v)))];
  }

  private endpointOf(vaultId: string): Promise<string> {
    let endpoint = this.endpoints.get(vaultId);
    if (!endpoint) {
      endpoint = this.oci.call('GetVault', () => this.oci.kmsVault.getVault({ vaultId })).then((r) => r.vault.managementEndpoint);
      this.endpoints.set(vaultId, endpoint);
    }
    return endpoint;
  }
}

function describe(err: unknown, where: string): string {
  if (err instanceof OciCallError) return `${err.operation} at ${where}: ${err.failure.status ?? 'network'} ${err.failure.serviceCode ?? ''}`.trim();
  return `${where}: ${String(err)}`;
}
