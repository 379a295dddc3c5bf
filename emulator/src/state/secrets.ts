import type { EmulatorState } from '../state';
import { newOcid } from '../util';

export interface SecretVersionRec {
  versionNumber: number;
  content: string;
  timeCreated: number;
  /** Only when the version was given a name (OCI leaves it null otherwise). */
  versionName?: string;
}

export interface SecretRec {
  id: string;
  compartmentId: string;
  name: string;
  versions: SecretVersionRec[];
}

export interface CreateSecretInput {
  compartmentId: string;
  base64Content: string;
  name?: string;
  /** A name for the first version; none by default, as when a secret is created without one. */
  versionName?: string;
}

export function createSecret(state: EmulatorState, input: CreateSecretInput): SecretRec {
  state.compartment(input.compartmentId);
  const secret: SecretRec = {
    id: newOcid('vaultsecret', state.region),
    compartmentId: input.compartmentId,
    name: input.name ?? `secret-${state.secrets.size + 1}`,
    versions: [{ versionNumber: 1, content: input.base64Content, timeCreated: Date.now(), ...(input.versionName !== undefined && { versionName: input.versionName }) }],
  };
  state.secrets.set(secret.id, secret);
  return secret;
}
