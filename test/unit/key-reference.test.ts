import { describe, expect, it } from 'vitest';
import { findKeyReference, type KeyReference } from '../../src/input/key-reference';

const KEY = 'ocid1.key.oc1.phx.exampleaaacu2.aaaaaaaaexamplekey';
const OTHER_KEY = 'ocid1.key.oc1.phx.exampleaaacu2.aaaaaaaaotherkey';
const VERSION = 'ocid1.keyversion.oc1.phx.exampleaaacu2.aaaaaaaaversion';
const VAULT = 'ocid1.vault.oc1.phx.exampleaaacu2.aaaaaaaaexamplevault';
const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaaexample';

describe('findKeyReference', () => {
  it.each<[string, Record<string, unknown>, KeyReference]>([
    ['the key in resourceId', { resourceId: KEY, compartmentId: COMPARTMENT }, { keyId: KEY }],
    ['the key in resourceId, the vault in additionalDetails', { resourceId: KEY, additionalDetails: { vaultId: VAULT } }, { keyId: KEY, vaultId: VAULT }],
    ['a key version in resourceId, the key in additionalDetails.keyId', { resourceId: VERSION, additionalDetails: { keyId: KEY, vaultId: VAULT } }, { keyId: KEY, keyVersionId: VERSION, vaultId: VAULT }],
    ['the key in additionalDetails.keyOcid', { resourceId: 'something-else', additionalDetails: { keyOcid: KEY } }, { keyId: KEY }],
    ['the key in additionalDetails.resourceId', { additionalDetails: { resourceId: KEY } }, { keyId: KEY }],
    ['the version in additionalDetails.keyVersionId', { resourceId: KEY, additionalDetails: { keyVersionId: VERSION } }, { keyId: KEY, keyVersionId: VERSION }],
    ['the key nested deep in data', { resourceName: 'k', extra: { a: [{ b: { key: KEY } }] } }, { keyId: KEY }],
    ['the vault nested in an array', { resourceId: KEY, additionalDetails: { vaults: [{ id: VAULT }] } }, { keyId: KEY, vaultId: VAULT }],
    ['no OCIDs at all', { resourceName: 'k', additionalDetails: { note: 'nothing here' } }, {}],
    ['only a compartment OCID', { compartmentId: COMPARTMENT }, {}],
    ['an empty data object', {}, {}],
    ['additionalDetails that is not an object', { additionalDetails: 'ocid1.key.oc1..x', resourceId: KEY }, { keyId: KEY }],
  ])('finds the reference with %s', (_name, data, expected) => {
    expect(findKeyReference(data)).toEqual(expected);
  });

  it('prefers additionalDetails.keyId over a key found elsewhere', () => {
    expect(findKeyReference({ resourceId: OTHER_KEY, additionalDetails: { keyId: KEY } }).keyId).toBe(KEY);
  });

  it('prefers resourceId over a key nested somewhere else', () => {
    expect(findKeyReference({ resourceId: KEY, additionalDetails: { previous: { id: OTHER_KEY } } }).keyId).toBe(KEY);
  });

  it('does not mistake a key version for a key', () => {
    expect(findKeyReference({ resourceId: VERSION })).toEqual({ keyVersionId: VERSION });
  });

  it('stops looking past a depth of 8', () => {
    let deep: Record<string, unknown> = { id: KEY };
    for (let i = 0; i < 12; i += 1) deep = { next: deep };
    expect(findKeyReference(deep)).toEqual({});
  });
});
