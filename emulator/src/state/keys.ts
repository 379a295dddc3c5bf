import { ApiError, EmulatorUsageError } from '../errors';
import type { EmulatorState } from '../state';
import { newOcid, newUuid } from '../util';

export interface VaultRec {
  id: string;
  compartmentId: string;
  displayName: string;
  timeCreated: number;
  wrappingkeyId: string;
}

export interface KeyVersionRec {
  id: string;
  keyId: string;
  vaultId: string;
  compartmentId: string;
  timeCreated: number;
  isAutoRotated: boolean;
}

export interface KeyRec {
  id: string;
  compartmentId: string;
  vaultId: string;
  displayName: string;
  timeCreated: number;
  lifecycleState: 'ENABLED' | 'DISABLED';
  /** Oldest first; the last one is the current version. */
  versions: KeyVersionRec[];
  etag: string;
}

export function createVault(state: EmulatorState, input: { compartmentId: string; displayName?: string }): VaultRec {
  state.compartment(input.compartmentId);
  const vault: VaultRec = {
    id: newOcid('vault', state.region),
    compartmentId: input.compartmentId,
    displayName: input.displayName ?? `vault-${state.vaults.size + 1}`,
    timeCreated: Date.now(),
    wrappingkeyId: newOcid('key', state.region),
  };
  state.vaults.set(vault.id, vault);
  return vault;
}

export function createKey(state: EmulatorState, input: { vaultId: string; compartmentId?: string; displayName?: string }): KeyRec {
  const vault = state.vaults.get(input.vaultId);
  if (!vault) throw new EmulatorUsageError(`no vault ${input.vaultId}`);
  const compartmentId = input.compartmentId ?? vault.compartmentId;
  state.compartment(compartmentId);
  const key: KeyRec = {
    id: newOcid('key', state.region),
    compartmentId,
    vaultId: vault.id,
    displayName: input.displayName ?? `key-${state.keys.size + 1}`,
    timeCreated: Date.now(),
    lifecycleState: 'ENABLED',
    versions: [],
    etag: newUuid(),
  };
  state.keys.set(key.id, key);
  addKeyVersion(state, key);
  return key;
}

function addKeyVersion(state: EmulatorState, key: KeyRec, isAutoRotated = false): KeyVersionRec {
  const version: KeyVersionRec = {
    isAutoRotated,
    id: newOcid('keyversion', state.region),
    keyId: key.id,
    vaultId: key.vaultId,
    compartmentId: key.compartmentId,
    timeCreated: Date.now(),
  };
  key.versions.push(version);
  key.etag = newUuid();
  state.keyVersions.set(version.id, version);
  return version;
}

/**
 * CreateKeyVersion (a manual rotation), or with `automatic` an automatic
 * rotation. Emits createkeyversion.begin/.end or autokeyrotate.begin/.end.
 */
export function rotateKey(state: EmulatorState, keyId: string, automatic = false): KeyVersionRec {
  const key = state.keys.get(keyId);
  if (!key) throw new ApiError(404, 'NotAuthorizedOrNotFound', `Key ${keyId} not found`);
  if (key.lifecycleState !== 'ENABLED') throw new ApiError(409, 'IncorrectState', `Key ${keyId} is ${key.lifecycleState}`);
  const version = addKeyVersion(state, key, automatic);
  state.events?.keyVersionCreated(key, version, automatic);
  return version;
}
