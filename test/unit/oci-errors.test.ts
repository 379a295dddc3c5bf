import { OciError } from 'oci-common';
import { describe, expect, it } from 'vitest';
import { objectSkipReason, OciCallError, toCallFailure, type CallFailure } from '../../src/oci/errors';

function ociError(o: { status?: number; code?: string; message?: string; opcRequestId?: string | null } = {}): OciError {
  return new OciError(
    o.status ?? 500, o.code ?? 'InternalServerError', o.message ?? 'boom', o.opcRequestId === undefined ? 'req-1' : o.opcRequestId,
    'ObjectStorage', 'ReencryptObject', '2026-03-10T12:00:00.000Z', 'http://127.0.0.1:1', '',
  );
}

const failure = (status: number | undefined, serviceCode: string | undefined, message: string): CallFailure => ({
  ...(status !== undefined && { status }), ...(serviceCode !== undefined && { serviceCode }), message, outOfTime: false,
});

describe('toCallFailure', () => {
  it('reads status, service code, message and opc-request-id from an OciError', () => {
    const err = ociError({ status: 429, code: 'TooManyRequests', message: 'slow down', opcRequestId: 'abc/123' });
    expect(toCallFailure(err, false)).toEqual({ status: 429, serviceCode: 'TooManyRequests', message: 'slow down', opcRequestId: 'abc/123', outOfTime: false });
  });

  it('leaves out opcRequestId when the OciError has none', () => {
    expect(toCallFailure(ociError({ opcRequestId: null }), false)).not.toHaveProperty('opcRequestId');
  });

  it.each([true, false])('carries outOfTime=%s through', (outOfTime) => {
    expect(toCallFailure(ociError(), outOfTime).outOfTime).toBe(outOfTime);
    expect(toCallFailure({ code: 'ECONNRESET', message: 'socket hang up' }, outOfTime).outOfTime).toBe(outOfTime);
  });

  it.each<[string, unknown, Omit<CallFailure, 'outOfTime'>]>([
    ['a plain network-error object', { code: 'ECONNRESET', message: 'socket hang up' }, { serviceCode: 'ECONNRESET', message: 'socket hang up' }],
    ['the SDK\'s sanitized non-service error', { code: 'ETIMEDOUT', message: 'no response', requestEndpoint: 'x', troubleshootingPage: 'y' }, { serviceCode: 'ETIMEDOUT', message: 'no response' }],
    ['a plain object with a positive statusCode', { statusCode: 502, message: 'bad gateway' }, { status: 502, message: 'bad gateway' }],
    ['a plain object with statusCode 0', { statusCode: 0, code: 'EAI_AGAIN', message: 'dns' }, { serviceCode: 'EAI_AGAIN', message: 'dns' }],
    ['a plain Error', new Error('kaput'), { message: 'kaput' }],
    ['a string', 'weird', { message: 'weird' }],
    ['undefined', undefined, { message: 'undefined' }],
    ['null', null, { message: 'null' }],
  ])('reads %s', (_name, err, expected) => {
    expect(toCallFailure(err, false)).toEqual({ ...expected, outOfTime: false });
  });

  it('never keeps a non-string code or message as such', () => {
    const f = toCallFailure({ code: 42, message: { nested: true } }, false);
    expect(f).not.toHaveProperty('serviceCode');
    expect(typeof f.message).toBe('string');
  });
});

describe('OciCallError', () => {
  it('names the operation, status and code in its message and keeps the failure', () => {
    const f = toCallFailure(ociError({ status: 404, code: 'ObjectNotFound', message: 'gone' }), false);
    const err = new OciCallError('GetBucket', f);
    expect(err.name).toBe('OciCallError');
    expect(err.message).toBe('GetBucket failed: 404 ObjectNotFound gone');
    expect(err.failure).toBe(f);
  });

  it('says "network" when there is no status', () => {
    expect(new OciCallError('ListObjects', failure(undefined, 'ECONNRESET', 'socket hang up')).message).toBe('ListObjects failed: network ECONNRESET socket hang up');
  });
});

describe('objectSkipReason', () => {
  it.each<[string, CallFailure, ReturnType<typeof objectSkipReason>]>([
    ['404 is not-found', failure(404, 'ObjectNotFound', 'The object does not exist'), 'not-found'],
    ['404 is not-found whatever the code', failure(404, 'BucketNotFound', 'Either the bucket does not exist or you are not authorized'), 'not-found'],
    ['400 about a customer-provided key is sse-c-key-required', failure(400, 'InvalidParameter', 'The object is encrypted with a customer-provided key'), 'sse-c-key-required'],
    ['409 about a customer provided key is sse-c-key-required', failure(409, 'Conflict', 'Object was encrypted with a customer provided key; supply the source key'), 'sse-c-key-required'],
    ['400 naming SSE-C is sse-c-key-required', failure(400, 'SseCustomerKeyRequired', 'missing headers'), 'sse-c-key-required'],
    ['403 about the encryption key is a failure (a missing policy, not an SSE-C object)', failure(403, 'Forbidden', 'The encryption key does not match'), undefined],
    ['409 NotRestored is archived', failure(409, 'NotRestored', 'The object must be restored first'), 'archived'],
    ['409 about an archived object is archived', failure(409, 'Conflict', 'Object is Archived'), 'archived'],
    ['500 is a failure', failure(500, 'InternalServerError', 'Internal error'), undefined],
    ['429 is a failure', failure(429, 'TooManyRequests', 'Too many requests'), undefined],
    ['400 InvalidParameter with unrelated text is a failure', failure(400, 'InvalidParameter', 'The versionId is not valid'), undefined],
    ['409 with unrelated text is a failure', failure(409, 'ConcurrentObjectUpdate', 'Another update is in progress'), undefined],
    ['a network error is a failure', failure(undefined, 'ECONNRESET', 'socket hang up'), undefined],
    ['archived wording on a 400 is a failure', failure(400, 'InvalidParameter', 'not restored'), undefined],
  ])('%s', (_name, f, expected) => {
    expect(objectSkipReason(f)).toBe(expected);
  });

  it('classifies the failure toCallFailure makes from a real OciError', () => {
    expect(objectSkipReason(toCallFailure(ociError({ status: 409, code: 'NotRestored', message: 'restore it' }), false))).toBe('archived');
  });
});

describe('objectSkipReason does not mistake ordinary errors for SSE-C objects', () => {
  it.each([
    [400, 'The value passed for limit must be between 1 and 1000'],
    [400, 'The request could not be processed'],
    [409, 'Invalid storage classes'],
    [403, 'Not authorized to use the customer key'],
  ])('%i "%s" is a failure, not a skip', (status, message) => {
    expect(objectSkipReason({ status, serviceCode: 'InvalidParameter', message, outOfTime: false })).toBeUndefined();
  });
});
