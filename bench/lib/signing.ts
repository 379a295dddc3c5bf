/** CPU cost of signing one request: the OCI SDK's signer with a resource principal vs a bare RSA-2048 signature. */
import { generateKeyPairSync, sign } from 'node:crypto';
import * as common from 'oci-common';
import type { Emulator } from '../../emulator/src/index';

export interface SigningCost {
  rawRsa2048SignUs: number;
  sdkSignHttpRequestUs: number;
}

export async function signingCost(emu: Emulator, compartmentId: string, iterations: number): Promise<SigningCost> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  for (let i = 0; i < 50; i++) sign('sha256', Buffer.from(`warm ${i}`), privateKey);
  let t = performance.now();
  for (let i = 0; i < iterations; i++) sign('sha256', Buffer.from(`request ${i}`), privateKey);
  const rawRsa2048SignUs = Math.round(((performance.now() - t) * 1000) / iterations);

  const env = emu.issueResourcePrincipal({ compartmentId });
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
  let provider: common.ResourcePrincipalAuthenticationDetailsProvider;
  try {
    provider = common.ResourcePrincipalAuthenticationDetailsProvider.builder();
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
  const signer = new common.DefaultRequestSigner(provider);
  // The shape ReencryptObject sends: POST with a JSON body (so x-content-sha256 and content-length are signed too).
  const request = (i: number): common.HttpRequest => ({
    uri: `${emu.url}/n/ns/b/bucket/actions/reencrypt/o-${i}`, method: 'POST',
    headers: new Headers({ 'content-type': 'application/json' }), body: '{}',
  }) as unknown as common.HttpRequest; // HttpRequest's body type is wider than the SDK's own call sites use
  for (let i = 0; i < 50; i++) await signer.signHttpRequest(request(i));
  t = performance.now();
  for (let i = 0; i < iterations; i++) await signer.signHttpRequest(request(i));
  const sdkSignHttpRequestUs = Math.round(((performance.now() - t) * 1000) / iterations);
  return { rawRsa2048SignUs, sdkSignHttpRequestUs };
}
