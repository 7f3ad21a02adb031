import { encodeEventFrame, encodeEventItem } from './protocol.js';
import type { StreamItem } from './ring-buffer.js';

/**
 * Every client is usually sent the same items in the same frames: the last item text, frame text
 * and frame bytes are kept, so ten clients cost one encoding instead of ten. The memos compare by
 * content (`===` on strings), so a miss is only slower, never wrong.
 */
let lastItem: StreamItem | undefined;
let lastSubs = '';
let lastItemText = '';
let lastItems: readonly string[] = [];
let lastFrame = '';
let lastBytesOf = '';
let lastBytes: Buffer = Buffer.alloc(0);

/** `encodeEventItem` of a stream item for a subscription list, shared by the clients it is offered to. */
export function itemText(item: StreamItem, subsJson: string): string {
  if (item !== lastItem || subsJson !== lastSubs) {
    lastItem = item;
    lastSubs = subsJson;
    lastItemText = encodeEventItem(item.seq, subsJson, item.json);
  }
  return lastItemText;
}

/** `encodeEventFrame(items)`, shared by clients whose queues held the same items. */
export function frameText(items: readonly string[]): string {
  if (!sameItems(items, lastItems)) {
    lastItems = items;
    lastFrame = encodeEventFrame(items);
  }
  return lastFrame;
}

/** The UTF-8 bytes of a frame, shared by the clients it goes to (`ws` sends a buffer without copying it). */
export function frameBytes(text: string): Buffer {
  if (text !== lastBytesOf) {
    lastBytesOf = text;
    lastBytes = Buffer.from(text, 'utf8');
  }
  return lastBytes;
}

function sameItems(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
