import type { ClientConnection } from './client-connection.js';
import { STREAM_ERROR_CODES } from './errors.js';
import { compileFilter } from './filter.js';
import { isFault, type MessageFault } from './message-parser.js';
import { type ClientMessage, encodeControl, type SubscribeMessage } from './protocol.js';
import type { RingBuffer } from './ring-buffer.js';

/** What a message handler needs to know about the server. */
export interface ServerView {
  epoch: string;
  /** Last assigned sequence. */
  head: number;
  ring: RingBuffer;
  maxSubscriptions: number;
}

/** Applies one parsed client message (or answers its fault) by queueing replies on the connection. */
export function handleClientMessage(
  client: ClientConnection,
  message: ClientMessage | MessageFault,
  server: ServerView,
): void {
  if (isFault(message)) {
    client.enqueueControl(encodeControl({ type: 'error', ...message }));
  } else if (message.type === 'subscribe') {
    subscribe(client, message, server);
  } else if (message.type === 'unsubscribe') {
    if (client.subs.delete(message.id))
      client.enqueueControl(encodeControl({ type: 'unsubscribed', id: message.id }));
    else client.enqueueControl(error('UNKNOWN_SUBSCRIPTION', `no subscription "${message.id}"`, message.id));
  } else {
    client.enqueueControl(
      encodeControl({ type: 'heartbeat', seq: server.head, time: new Date().toISOString() }),
    );
  }
}

/**
 * Queues, in order: a gap if `since` is no longer (or never was) in the buffer, the buffered events
 * after `since` that match, then `subscribed` with the head sequence; live events follow.
 */
function subscribe(client: ClientConnection, message: SubscribeMessage, server: ServerView): void {
  const { id } = message;
  if (client.subs.has(id)) {
    client.enqueueControl(error('DUPLICATE_SUBSCRIPTION', `subscription "${id}" already exists`, id));
    return;
  }
  if (client.subs.size >= server.maxSubscriptions) {
    const text = `at most ${server.maxSubscriptions} subscriptions per connection`;
    client.enqueueControl(error('TOO_MANY_SUBSCRIPTIONS', text, id));
    return;
  }
  const sub = { id, idJson: JSON.stringify(id), matches: compileFilter(message.filter) };
  const { head, ring, epoch } = server;
  if (message.since !== undefined) {
    const reset = (message.epoch !== undefined && message.epoch !== epoch) || message.since > head;
    const since = reset ? 0 : message.since;
    const oldest = ring.oldestSeq ?? head + 1;
    if (reset) {
      client.enqueueControl(
        encodeControl({ type: 'gap', subs: [id], from: 1, to: oldest - 1, reason: 'reset' }),
      );
    } else if (since + 1 < oldest) {
      client.enqueueControl(
        encodeControl({ type: 'gap', subs: [id], from: since + 1, to: oldest - 1, reason: 'evicted' }),
      );
    }
    const subsJson = `[${sub.idJson}]`;
    for (const item of ring.after(since)) if (sub.matches(item.fields)) client.enqueueEvent(item, subsJson);
  }
  client.subs.set(id, sub);
  client.enqueueControl(encodeControl({ type: 'subscribed', id, seq: head, epoch }));
}

function error(code: keyof typeof STREAM_ERROR_CODES, message: string, id: string): string {
  return encodeControl({ type: 'error', code: STREAM_ERROR_CODES[code], message, id });
}
