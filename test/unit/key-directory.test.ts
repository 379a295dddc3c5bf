/**
 * KeyDirectory.prefetch: a manual sweep reads the key's vault (GetVault) while it reads the bucket,
 * so the lookup after it waits for GetKey and GetKeyVersion only. The lookup's answers and its
 * reasons for failing are the same with and without it, and no vault is read twice.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import type { Oci } from '../../src/oci/clients';
import { OciCallError } from '../../src/oci/errors';
import { KeyDirectory } from '../../src/oci/vault';

const KEY = 'ocid1.key.oc1..k';
const CREATED = '2026-06-01T00:00:00.000Z';

/** Vaults by id: an endpoint, or a failure status. Every call is recorded. */
function fakeOci(vaults: Record<string, string | number>) {
  const calls: string[] = [];
  const oci = {
    call: (operation: string, fn: () => Promise<unknown>) => fn().catch((err: unknown) => {
      throw new OciCallError(operation, { status: err as number, serviceCode: 'NotAuthorizedOrNotFound', message: 'no', outOfTime: false });
    }),
    kmsVault: {
      getVault: async ({ vaultId }: { vaultId: string }) => {
        calls.push(`GetVault ${vaultId}`);
        const v = vaults[vaultId];
        if (typeof v !== 'string') throw v ?? 404;
        return { vault: { managementEndpoint: v } };
      },
    },
    kmsManagement: (endpoint: string) => ({
      getKey: async () => {
        calls.push(`GetKey ${endpoint}`);
        if (endpoint !== 'https://mgmt-2') throw 404;
        return { key: { currentKeyVersion: 'kv2' } };
      },
      getKeyVersion: async () => {
        calls.push(`GetKeyVersion ${endpoint}`);
        return { keyVersion: { timeCreated: CREATED } };
      },
    }),
  } as unknown as Oci;
  return { oci, calls };
}

const config = (vaultIds: string[]): Config => ({ vaultIds, endpoints: {} }) as unknown as Config;

describe('KeyDirectory.prefetch', () => {
  it('reads the first vault once, ahead of the lookup, which then uses it; later vaults only as the lookup needs them', async () => {
    const { oci, calls } = fakeOci({ v1: 'https://mgmt-1', v2: 'https://mgmt-2' });
    const keys = new KeyDirectory(oci, config(['v1', 'v2']));
    keys.prefetch();
    expect(calls).toEqual(['GetVault v1']);
    const lookup = await keys.currentVersion(KEY);
    expect(lookup).toEqual({ found: true, version: { keyId: KEY, keyVersionId: 'kv2', timeCreated: new Date(CREATED) } });
    expect(calls).toEqual(['GetVault v1', 'GetKey https://mgmt-1', 'GetVault v2', 'GetKey https://mgmt-2', 'GetKeyVersion https://mgmt-2']);
  });

  it('reads the request\'s vault first when it names one', () => {
    const { oci, calls } = fakeOci({ v1: 'https://mgmt-1', hint: 'https://mgmt-2' });
    new KeyDirectory(oci, config(['v1'])).prefetch('hint');
    expect(calls).toEqual(['GetVault hint']);
  });

  it('reads nothing when the management endpoint is configured', () => {
    const { oci, calls } = fakeOci({ v1: 'https://mgmt-1' });
    new KeyDirectory(oci, { vaultIds: ['v1'], endpoints: { kmsManagement: 'https://mgmt-2' } } as unknown as Config).prefetch();
    expect(calls).toEqual([]);
  });

  it('gives the lookup the same reasons when the prefetched read fails as when the lookup read it itself', async () => {
    const looked = async (prefetch: boolean) => {
      const { oci, calls } = fakeOci({ v1: 404, v2: 'https://mgmt-1' });
      const keys = new KeyDirectory(oci, config(['v1', 'v2']));
      if (prefetch) {
        keys.prefetch();
        await new Promise((r) => setImmediate(r));
      }
      return { lookup: await keys.currentVersion(KEY), calls };
    };
    const [without, withPrefetch] = [await looked(false), await looked(true)];
    expect(without.lookup).toEqual({ found: false, why: 'GetVault at v1: 404 NotAuthorizedOrNotFound; GetKey at https://mgmt-1: 404 NotAuthorizedOrNotFound' });
    expect(withPrefetch).toEqual(without);
  });
});
