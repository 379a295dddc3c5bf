import { describe, expect, it } from 'vitest';
import { judgeTargets, type RequestedTargets, type TargetAllowlists } from '../../src/engine/target-policy';

const BUCKET_KEY = 'ocid1.key.oc1.phx.vault1.aaaabucketkey';
const LISTED_KEY = 'ocid1.key.oc1.phx.vault1.aaaalistedkey';
const FOREIGN_KEY = 'ocid1.key.oc1.phx.vault9.aaaaforeignkey';
const LISTED_SECRET = 'ocid1.vaultsecret.oc1.phx.vault1.aaaalistedsecret';
const OTHER_SECRET = 'ocid1.vaultsecret.oc1.phx.vault9.aaaaothersecret';

const NONE: TargetAllowlists = { kmsKeyIds: [], sseCustomerKeySecretIds: [] };
const LISTS: TargetAllowlists = { kmsKeyIds: [LISTED_KEY], sseCustomerKeySecretIds: [LISTED_SECRET] };

describe('judgeTargets', () => {
  describe.each<[string, RequestedTargets, string | undefined, TargetAllowlists, boolean, Record<string, string>, string[]]>([
    // name, requested, bucket key, lists, allowed, basis, refused fields
    ['no explicit target', {}, BUCKET_KEY, NONE, true, {}, []],
    ['an empty kmsKeyId (the CLI skeleton: use the bucket key)', { kmsKeyId: '' }, BUCKET_KEY, NONE, true, {}, []],
    ['the bucket\'s own key, no list', { kmsKeyId: BUCKET_KEY }, BUCKET_KEY, NONE, true, { kmsKeyId: 'bucket-key' }, []],
    ['a foreign key, no list', { kmsKeyId: FOREIGN_KEY }, BUCKET_KEY, NONE, false, { kmsKeyId: 'refused' }, ['kmsKeyId']],
    ['a foreign key, not on the list', { kmsKeyId: FOREIGN_KEY }, BUCKET_KEY, LISTS, false, { kmsKeyId: 'refused' }, ['kmsKeyId']],
    ['an allowlisted key', { kmsKeyId: LISTED_KEY }, BUCKET_KEY, LISTS, true, { kmsKeyId: 'allowlisted' }, []],
    ['a key for a bucket with an Oracle-managed key', { kmsKeyId: BUCKET_KEY }, undefined, NONE, false, { kmsKeyId: 'refused' }, ['kmsKeyId']],
    ['an allowlisted key for a bucket with an Oracle-managed key', { kmsKeyId: LISTED_KEY }, undefined, LISTS, true, { kmsKeyId: 'allowlisted' }, []],
    ['a key that differs from the bucket key only in case', { kmsKeyId: BUCKET_KEY.toUpperCase() }, BUCKET_KEY, NONE, false, { kmsKeyId: 'refused' }, ['kmsKeyId']],
    ['a target secret, no list', { sseCustomerKeySecretId: LISTED_SECRET }, BUCKET_KEY, NONE, false, { sseCustomerKeySecretId: 'refused' }, ['sseCustomerKeySecretId']],
    ['a source secret, no list', { sourceSseCustomerKeySecretId: LISTED_SECRET }, BUCKET_KEY, NONE, false, { sourceSseCustomerKeySecretId: 'refused' }, ['sourceSseCustomerKeySecretId']],
    ['an allowlisted target secret', { sseCustomerKeySecretId: LISTED_SECRET }, BUCKET_KEY, LISTS, true, { sseCustomerKeySecretId: 'allowlisted' }, []],
    ['an allowlisted source and an unlisted target secret',
      { sourceSseCustomerKeySecretId: LISTED_SECRET, sseCustomerKeySecretId: OTHER_SECRET }, BUCKET_KEY, LISTS, false,
      { sourceSseCustomerKeySecretId: 'allowlisted', sseCustomerKeySecretId: 'refused' }, ['sseCustomerKeySecretId']],
    ['a secret listed as a key does not count', { sseCustomerKeySecretId: LISTED_SECRET }, BUCKET_KEY, { kmsKeyIds: [LISTED_SECRET], sseCustomerKeySecretIds: [] }, false,
      { sseCustomerKeySecretId: 'refused' }, ['sseCustomerKeySecretId']],
    ['a key listed as a secret does not count', { kmsKeyId: LISTED_KEY }, BUCKET_KEY, { kmsKeyIds: [], sseCustomerKeySecretIds: [LISTED_KEY] }, false,
      { kmsKeyId: 'refused' }, ['kmsKeyId']],
    ['a foreign key and an unlisted source secret: both named', { kmsKeyId: FOREIGN_KEY, sourceSseCustomerKeySecretId: OTHER_SECRET }, BUCKET_KEY, LISTS, false,
      { kmsKeyId: 'refused', sourceSseCustomerKeySecretId: 'refused' }, ['kmsKeyId', 'sourceSseCustomerKeySecretId']],
  ])('%s', (_name, requested, bucketKey, lists, allowed, basis, refusedFields) => {
    const verdict = judgeTargets(requested, bucketKey, lists);

    it(allowed ? 'is allowed' : 'is refused', () => {
      expect(verdict.allowed).toBe(allowed);
    });

    it('says why for each named target', () => {
      expect(verdict.basis).toEqual(basis);
    });

    it('names every refused field and which list it is missing from', () => {
      expect(verdict.refusals.map((r) => r.field)).toEqual(refusedFields);
      for (const r of verdict.refusals) {
        expect(r.problem).toContain(r.field === 'kmsKeyId' ? 'REENCRYPT_ALLOWED_KMS_KEY_IDS' : 'REENCRYPT_ALLOWED_SSE_C_SECRET_IDS');
      }
    });
  });

  it('names the bucket key a refused kmsKeyId was compared with', () => {
    const [refusal] = judgeTargets({ kmsKeyId: FOREIGN_KEY }, BUCKET_KEY, NONE).refusals;
    expect(refusal?.problem).toContain(BUCKET_KEY);
  });
});
