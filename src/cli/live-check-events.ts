import { isRegionProvider, type Region } from 'oci-common';
import type { EventsClient } from 'oci-events';
import type { StreamAdminClient, StreamClient } from 'oci-streaming';
import type { Config } from '../config';
import { clientConfiguration, ociClients, type Oci } from '../oci/clients';
import { configFileProvider } from '../oci/config-file-auth';
import { WireHttpClient } from '../oci/http-client';

/**
 * live-check's temporary Streaming stream and Events rules, and the reader of
 * the events they deliver. CLI-only: oci-streaming and oci-events are
 * required here, when live-check runs, so they never reach dist/func.js.
 */
export interface EventClients {
  readonly streamAdmin: StreamAdminClient;
  readonly events: EventsClient;
  /** A StreamClient for a stream's `messagesEndpoint` (GetMessages is served there, not on the admin endpoint). */
  messagesAt(endpoint: string): StreamClient;
}

export function eventClients(config: Config, endpoint: string | undefined): EventClients {
  if (config.auth.type !== 'config_file') throw new Error('live-check runs with a config-file profile');
  const streaming = require('oci-streaming') as typeof import('oci-streaming');
  const events = require('oci-events') as typeof import('oci-events');
  const provider = configFileProvider(config.auth);
  const region: Region | undefined = isRegionProvider(provider) ? provider.getRegion() : undefined;
  // Signed and sent like every other call of the CLI (the function's signer and HTTP client, bounded retries).
  const params = { httpClient: new WireHttpClient(ociClients(config).signer) };
  const place = <C extends { endpoint: string; region: Region }>(client: C): C => {
    if (endpoint) client.endpoint = endpoint;
    else if (region) client.region = region;
    return client;
  };
  const streamClients = new Map<string, StreamClient>();
  return {
    streamAdmin: place(new streaming.StreamAdminClient(params, clientConfiguration()) as StreamAdminClient & { region: Region }),
    events: place(new events.EventsClient(params, clientConfiguration()) as EventsClient & { region: Region }),
    messagesAt(messagesEndpoint) {
      let client = streamClients.get(messagesEndpoint);
      if (!client) {
        client = new streaming.StreamClient(params, clientConfiguration());
        client.endpoint = messagesEndpoint;
        streamClients.set(messagesEndpoint, client);
      }
      return client;
    },
  };
}

/** An event as it came off the stream: the parsed JSON of the message's value. */
export interface ReceivedEvent {
  readonly event: Record<string, unknown>;
  readonly eventType: string;
  readonly offset: number;
}

const PAGE = 100;

/**
 * Reads the temporary stream from its start (one partition). Every message is
 * hostile bytes: its value must be base64 of a JSON object with a string
 * `eventType`, else it is counted in `unreadable` and dropped. Events are kept
 * once per eventID (two rules may deliver the same event).
 */
export class EventTap {
  readonly received: ReceivedEvent[] = [];
  unreadable = 0;
  private cursor: string | undefined;
  private readonly ids = new Set<string>();

  constructor(private readonly oci: Oci, private readonly client: StreamClient, private readonly streamId: string) {}

  async poll(): Promise<void> {
    const streamId = this.streamId;
    this.cursor ??= (await this.oci.call('CreateCursor', () => this.client.createCursor({
      streamId, createCursorDetails: { partition: '0', type: (require('oci-streaming') as typeof import('oci-streaming')).models.CreateCursorDetails.Type.TrimHorizon },
    }))).cursor.value;
    for (;;) {
      // A cursor is standard base64 (`+`, `/`, `=`) and the SDK puts query values in as they are.
      const cursor = encodeURIComponent(this.cursor);
      const page = await this.oci.call('GetMessages', () => this.client.getMessages({ streamId, cursor, limit: PAGE }));
      if (page.opcNextCursor) this.cursor = page.opcNextCursor;
      for (const m of page.items) this.accept(m.value, m.offset);
      if (page.items.length < PAGE) return;
    }
  }

  /** Polls until `wanted` holds for the events received, the deadline passes, or the signal stops it. */
  async waitFor(wanted: (events: readonly ReceivedEvent[]) => boolean, until: number, pollMs: number, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      await this.poll();
      if (wanted(this.received)) return true;
      if (Date.now() >= until || signal.aborted) return false;
      await pause(Math.min(pollMs, Math.max(0, until - Date.now())), signal);
    }
  }

  private accept(value: unknown, offset: number): void {
    let event: unknown;
    try {
      event = typeof value === 'string' ? JSON.parse(Buffer.from(value, 'base64').toString('utf8')) : undefined;
    } catch {
      event = undefined;
    }
    if (event === null || typeof event !== 'object' || Array.isArray(event) || typeof (event as { eventType?: unknown }).eventType !== 'string') {
      this.unreadable += 1;
      return;
    }
    const e = event as Record<string, unknown>;
    const id = typeof e['eventID'] === 'string' ? e['eventID'] : `offset-${offset}`;
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.received.push({ event: e, eventType: e['eventType'] as string, offset });
  }
}

/** Waits `ms`, or less when the signal fires. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Polls a lifecycle state until ACTIVE; FAILED (or anything but CREATING) or the deadline is an error. */
export async function untilActive(what: string, read: () => Promise<string>, until: number, pollMs: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const state = await read();
    if (state === 'ACTIVE') return;
    if (state !== 'CREATING') throw new Error(`${what} is ${state}, not ACTIVE`);
    if (signal.aborted) throw new Error('interrupted');
    if (Date.now() >= until) throw new Error(`${what} still CREATING after the wait (--wait)`);
    await pause(pollMs, signal);
  }
}
