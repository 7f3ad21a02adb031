import { connectStream } from '@obs/sink-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, sampleEvent, startTestCollector } from './test/harness.js';

let ctx: Awaited<ReturnType<typeof startTestCollector>>;
beforeAll(async () => {
  ctx = await startTestCollector({ OBS_STREAM: 'true' });
});
afterAll(() => ctx.cleanup());

describe('live stream mounted on the collector', () => {
  it('delivers events posted over HTTP to a WebSocket subscriber', async () => {
    const received: string[] = [];
    let gotTwo!: () => void;
    const two = new Promise<void>((resolve) => {
      gotTwo = resolve;
    });
    const client = connectStream({
      url: `${ctx.collector.url.replace('http', 'ws')}/v1/stream`,
      filter: { run_ids: ['run-live'] },
      onEvent: (event) => {
        received.push(event.event_id);
        if (received.length === 2) gotTwo();
      },
    });
    try {
      await client.ready;
      const { json } = await post(`${ctx.collector.url}/v1/events`, [
        sampleEvent(1, 'run-live'),
        sampleEvent(2, 'other-run'),
        sampleEvent(3, 'run-live'),
      ]);
      const ids = json['event_ids'] as string[];
      // events arrive in publish order: once the second run-live event is here, other-run would have been too
      await two;
      expect(received).toEqual([ids[0], ids[2]]);
    } finally {
      await client.close();
    }
  });
});
