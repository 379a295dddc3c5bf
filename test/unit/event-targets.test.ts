import { describe, expect, it } from 'vitest';
import { classify } from '../../src/input/classify';
import { asCloudEvents10, objectEvent } from '../support/events';

const FOREIGN_KEY = 'ocid1.key.oc1.phx.vault9.aaaaforeignkey';
const SECRET = 'ocid1.vaultsecret.oc1.phx.vault9.aaaasecret';

/** An upload event with a key and secrets planted wherever a sender could put them. */
function eventNamingTargets(): Record<string, unknown> {
  const event = objectEvent({ versionId: 'v-1' });
  const data = event['data'] as Record<string, unknown>;
  Object.assign(data, { kmsKeyId: FOREIGN_KEY, sseCustomerKeySecretId: SECRET });
  Object.assign(data['additionalDetails'] as object, { kmsKeyId: FOREIGN_KEY, sseCustomerKeySecretId: SECRET, sourceSseCustomerKeySecretId: SECRET });
  return { ...event, kmsKeyId: FOREIGN_KEY };
}

describe('object events choose no target key (the compliance hook always uses the bucket key)', () => {
  it.each([
    ['CloudEvents 0.1', eventNamingTargets()],
    ['CloudEvents 1.0', asCloudEvents10(eventNamingTargets())],
  ])('%s: keys and secrets in the event do not reach the request', (_name, event) => {
    const request = classify(event);
    expect(request.kind).toBe('object-event');
    expect(JSON.stringify(request)).not.toContain(FOREIGN_KEY);
    expect(JSON.stringify(request)).not.toContain(SECRET);
  });
});
