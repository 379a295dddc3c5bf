import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_SCHEMA, loadConfig } from '../../src/config';
import { InvalidConfigurationError } from '../../src/errors';

describe('loadConfig', () => {
  it('applies every documented default to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      compartmentIds: [], vaultIds: [], concurrency: 16, safetyMarginMs: 20_000, clockSkewMs: 120_000, maxAttempts: 4,
      handleUpdateObject: false, selfInvoke: true, checkpointMs: 10_000, noProgressLimit: 5, maxInvocations: 1000, logLevel: 'info', auth: { type: 'resource_principal' }, endpoints: {},
    });
  });

  it('coerces strings from the environment into numbers, booleans and lists', () => {
    const config = loadConfig({
      REENCRYPT_CONCURRENCY: '4', REENCRYPT_HANDLE_UPDATE_OBJECT: 'true',
      REENCRYPT_COMPARTMENT_IDS: 'ocid1.compartment.oc1..aaaa, ocid1.compartment.oc1..bbbb',
      REENCRYPT_OBJECTSTORAGE_ENDPOINT: 'http://127.0.0.1:9999',
    });
    expect(config.concurrency).toBe(4);
    expect(config.handleUpdateObject).toBe(true);
    expect(config.compartmentIds).toEqual(['ocid1.compartment.oc1..aaaa', 'ocid1.compartment.oc1..bbbb']);
    expect(config.endpoints.objectStorage).toBe('http://127.0.0.1:9999');
  });

  it.each([
    ['REENCRYPT_CONCURRENCY', 'lots'],
    ['REENCRYPT_CONCURRENCY', '0'],
    ['REENCRYPT_LOG_LEVEL', 'verbose'],
    ['REENCRYPT_COMPARTMENT_IDS', 'not-an-ocid'],
    ['REENCRYPT_OBJECTSTORAGE_ENDPOINT', 'ftp//x'],
    ['REENCRYPT_HANDLE_UPDATE_OBJECT', 'maybe'],
    ['REENCRYPT_ALLOWED_KMS_KEY_IDS', 'ocid1.vaultsecret.oc1.phx.v.aaaa'],
    ['REENCRYPT_ALLOWED_KMS_KEY_IDS', 'ocid1.key.oc1.phx.v.aaaa,'],
    ['REENCRYPT_ALLOWED_KMS_KEY_IDS', '*'],
    ['REENCRYPT_ALLOWED_SSE_C_SECRET_IDS', 'ocid1.key.oc1.phx.v.aaaa'],
    ['REENCRYPT_ALLOWED_SSE_C_SECRET_IDS', 'ocid1.vaultsecret.oc1.phx.v.aaaa ocid1.vaultsecret.oc1.phx.v.bbbb'],
  ])('rejects %s=%s and names the key', (key, value) => {
    try {
      loadConfig({ [key]: value });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidConfigurationError);
      expect((err as InvalidConfigurationError).details.map((d) => d.field)).toContain(key);
      expect((err as Error).message).toContain(key);
    }
  });

  it('allows no explicit target key or SSE-C secret by default, and splits the allowlists', () => {
    expect(loadConfig({})).toMatchObject({ allowedKmsKeyIds: [], allowedSseCustomerKeySecretIds: [] });
    const config = loadConfig({
      REENCRYPT_ALLOWED_KMS_KEY_IDS: 'ocid1.key.oc1.phx.v.aaaa , ocid1.key.oc1.phx.v.bbbb',
      REENCRYPT_ALLOWED_SSE_C_SECRET_IDS: 'ocid1.vaultsecret.oc1.phx.v.cccc',
    });
    expect(config.allowedKmsKeyIds).toEqual(['ocid1.key.oc1.phx.v.aaaa', 'ocid1.key.oc1.phx.v.bbbb']);
    expect(config.allowedSseCustomerKeySecretIds).toEqual(['ocid1.vaultsecret.oc1.phx.v.cccc']);
  });

  it('leaves runs off without a state bucket, and reads REENCRYPT_STATE_BUCKET and the run limits', () => {
    expect(loadConfig({}).stateBucket).toBeUndefined();
    const config = loadConfig({ REENCRYPT_STATE_BUCKET: 'reencrypt-state', REENCRYPT_CHECKPOINT_SECONDS: '3', REENCRYPT_NO_PROGRESS_LIMIT: '2', REENCRYPT_MAX_INVOCATIONS: '9' });
    expect(config).toMatchObject({ stateBucket: 'reencrypt-state', checkpointMs: 3000, noProgressLimit: 2, maxInvocations: 9 });
    expect(() => loadConfig({ REENCRYPT_STATE_BUCKET: 'no/slashes' })).toThrow(/REENCRYPT_STATE_BUCKET/);
    expect(() => loadConfig({ REENCRYPT_CHECKPOINT_SECONDS: '0' })).toThrow(/REENCRYPT_CHECKPOINT_SECONDS/);
  });

  it('bounds REENCRYPT_MAX_WORKERS to 1..64, default 8', () => {
    expect(loadConfig({}).maxWorkers).toBe(8);
    expect(loadConfig({ REENCRYPT_MAX_WORKERS: '3' }).maxWorkers).toBe(3);
    for (const bad of ['0', '65', '2.5', 'many']) expect(() => loadConfig({ REENCRYPT_MAX_WORKERS: bad })).toThrow(/REENCRYPT_MAX_WORKERS/);
  });

  it('bounds REENCRYPT_RANGE_SIZE to 1..100,000,000 whole versions, default 50,000', () => {
    expect(loadConfig({}).rangeSize).toBe(50_000);
    expect(loadConfig({ REENCRYPT_RANGE_SIZE: '25' }).rangeSize).toBe(25);
    for (const bad of ['0', '-5', '100000001', '1.5', '1e3x', 'lots']) expect(() => loadConfig({ REENCRYPT_RANGE_SIZE: bad })).toThrow(/REENCRYPT_RANGE_SIZE/);
  });

  it('documents every key', () => {
    for (const key of CONFIG_KEYS) expect(CONFIG_SCHEMA.properties[key].description.length).toBeGreaterThan(10);
  });
});
