/** live-check's stream reader: a GetMessages answer that is no list of messages is hostile input, not a crash. */
import type { StreamClient } from 'oci-streaming';
import { describe, expect, it } from 'vitest';
import { EventTap } from '../../src/cli/live-check-events';
import type { Oci } from '../../src/oci/clients';

function tapAnswering(items: unknown): EventTap {
  const client = {
    createCursor: async () => ({ cursor: { value: 'c' } }),
    getMessages: async () => ({ items, opcNextCursor: 'next' }),
  } as unknown as StreamClient;
  const oci = { call: (_operation: string, fn: () => Promise<unknown>) => fn() } as unknown as Oci;
  return new EventTap(oci, client, 'ocid1.stream.oc1..s');
}

describe('live-check EventTap with a malformed GetMessages answer', () => {
  it.each([['null', null], ['an object', { value: 'x' }], ['a string', 'messages']])('items %s: nothing received, no throw', async (_name, items) => {
    const tap = tapAnswering(items);
    await tap.poll();
    expect(tap.received).toEqual([]);
  });

  it('a message that is null or no object counts as unreadable', async () => {
    const tap = tapAnswering([null, 7, { offset: 1 }]);
    await tap.poll();
    expect(tap.received).toEqual([]);
    expect(tap.unreadable).toBe(3);
  });
});
