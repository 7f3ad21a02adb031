import { fileURLToPath } from 'node:url';
import { describeSinkContract } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { createOtlpSink } from './otlp-sink.js';
import { startOtlpReceiver } from './test/otlp-receiver.js';

describeSinkContract(
  'otlp',
  async () => {
    const receiver = await startOtlpReceiver();
    return {
      sink: createOtlpSink({ url: receiver.url }),
      stored: async () => receiver.lines(),
      cleanup: receiver.close,
    };
  },
  {
    test: { describe, it, expect },
    bytes: {
      unsupported:
        'exports OTLP spans and log records; each is rebuilt from its obs.* attributes and compared',
    },
    order: 'any',
    redelivery: {
      unsupported:
        'a forwarding sink: a batch sent again is sent again; an obs collector behind it stores it once by event_id',
    },
    badOptions: {
      create: (options) => createOtlpSink(options as never),
      options: { url: 'ftp://x', protocol: 'grpc', compression: 'br', timeoutMs: -1, colour: true },
      keys: ['url', 'protocol', 'compression', 'timeoutMs', 'colour'],
    },
    health: true,
    bareProcess: { module: fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url)) },
  },
);
