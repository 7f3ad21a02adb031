import { fileURLToPath } from 'node:url';
import { type EventRecord, serializeEnvelope } from '@obs/core';
import { describeSinkContract } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { createConsoleSink } from './console-sink.js';
import { TestStream } from './test/test-stream.js';

describeSinkContract(
  'console',
  () => {
    const stream = new TestStream();
    const sink = createConsoleSink({ stream, env: {} });
    const received: EventRecord[] = [];
    const write = sink.write.bind(sink);
    sink.write = (batch) => {
      received.push(...batch);
      return write(batch);
    };
    // A printed line cannot be parsed back into its envelope. Each event is one line, so the events
    // stored are the first received, as many as there are lines: a lost line or a line printed
    // twice changes the count.
    return {
      sink,
      stored: async () => received.slice(0, stream.lines.length).map((r) => serializeEnvelope(r.envelope)),
    };
  },
  {
    test: { describe, it, expect },
    bytes: { unsupported: 'prints a summary line per event for people, not the envelope' },
    order: 'any',
    redelivery: { unsupported: 'a live view: a failing stream stops the trace, no batch is re-sent' },
    badOptions: {
      create: (options) => createConsoleSink(options as never),
      options: { name: '', width: 5, holdMs: -1, colour: true },
      keys: ['name', 'width', 'holdMs', 'colour'],
    },
    health: true,
    bareProcess: { module: fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url)) },
  },
);
