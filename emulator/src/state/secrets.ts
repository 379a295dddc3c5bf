import type { EmulatorState } from '../state';
import { newOcid } from '../util';

export interface SecretRec {
  id: string;
  compartmentId: string;
  name: string;
  versions: { versionNumber: number; content: string; timeCreated: number }[];
}

export function createSecret(state: EmulatorState, input: { compartmentId: string; base64Content: string; name?: string }): SecretRec {
  state.compartment(input.compartmentId);
  const secret: SecretRec = {
    id: newOcid('vaultsecret', state.region),
    compartmentId: input.compartmentId,
    name: input.name ?? `secret-${state.secrets.size + 1}`,
    versions: [{ versionNumber: 1, content: input.base64Content, timeCreated: Date.now() }],
  };
  state.secrets.set(secret.id, secret);
  return secret;
}
