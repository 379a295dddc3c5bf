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

  it('leaves runs off without a state bucket, and reads REENCRYPT_STATE_BUCKET and the run limits', () => {
    expect(loadConfig({}).stateBucket).toBeUndefined();
    const config = loadConfig({ REENCRYPT_STATE_BUCKET: 'reencrypt-state', REENCRYPT_CHECKPOINT_SECONDS: '3', REENCRYPT_NO_PROGRESS_LIMIT: '2', REENCRYPT_MAX_INVOCATIONS: '9' });
    expect(config).toMatchObject({ stateBucket: 'reencrypt-state', checkpointMs: 3000, noProgressLimit: 2, maxInvocations: 9 });
    expect(() => loadConfig({ REENCRYPT_STATE_BUCKET: 'no/slashes' })).toThrow(/REENCRYPT_STATE_BUCKET/);
    expect(() => loadConfig({ REENCRYPT_CHECKPOINT_SECONDS: '0' })).toThrow(/REENCRYPT_CHECKPOINT_SECONDS/);
  });

  it('documents every key', () => {
    for (const key of CONFIG_KEYS) expect(CONFIG_SCHEMA.properties[key].description.length).toBeGreaterThan(10);
  });
});
