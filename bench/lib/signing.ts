/**
 * CPU cost of signing one request, side by side: the OCI SDK's signer and
 * ours (src/oci/signer.ts) with the same resource principal, and a bare
 * RSA-2048 signature.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import * as common from 'oci-common';
import type { Emulator } from '../../emulator/src/index';
import { CachedKeyRequestSigner } from '../../src/oci/signer';

export interface SigningCost {
  rawRsa2048SignUs: number;
  sdkSignHttpRequestUs: number;
  cachedKeySignUs: number;
  sdkOverCachedX: number;
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
  const cached = new CachedKeyRequestSigner(provider);
  // The shape ReencryptObject sends: POST with a JSON body (so x-content-sha256 and content-length are signed too).
  const request = (i: number): common.HttpRequest => ({
    uri: `${emu.url}/n/ns/b/bucket/actions/reencrypt/o-${i}`, method: 'POST',
    headers: new Headers({ 'content-type': 'application/json' }), body: '{}',
  }) as unknown as common.HttpRequest; // HttpRequest's body type is wider than the SDK's own call sites use
  const timeUs = async (s: common.RequestSigner): Promise<number> => {
    for (let i = 0; i < 50; i++) await s.signHttpRequest(request(i));
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await s.signHttpRequest(request(i));
    return Math.round(((performance.now() - t0) * 1000) / iterations);
  };
  // Interleaved halves, so a change of machine load touches both alike.
  const sdk1 = await timeUs(signer);
  const ours1 = await timeUs(cached);
  const sdk2 = await timeUs(signer);
  const ours2 = await timeUs(cached);
  const sdkSignHttpRequestUs = Math.round((sdk1 + sdk2) / 2);
  const cachedKeySignUs = Math.round((ours1 + ours2) / 2);
  return { rawRsa2048SignUs, sdkSignHttpRequestUs, cachedKeySignUs, sdkOverCachedX: Math.round((sdkSignHttpRequestUs / cachedKeySignUs) * 10) / 10 };
}
