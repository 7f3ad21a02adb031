import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { decodeTraceRequest, encodeOtlpRequest, mapTraceRequest } from '@obs/otlp';
import { runLoad } from './load-loop.js';

/**
 * A bounded OTLP load generator, run as its own process:
 * `node otlp-load-client.js <url> <otlp|native> <requests> <concurrency> <spans-per-request>`.
 * Every request carries distinct GenAI chat spans (one `llm.call` each). `otlp` POSTs them as
 * protobuf to `/v1/traces`; `native` POSTs the very events they map to as JSON to `/v1/events`.
 * Bodies are built before the clock starts. Prints one JSON line with the result.
 */
const [url, mode, requestsText, concurrencyText, batchText] = process.argv.slice(2);
const total = Number(requestsText);
const concurrency = Number(concurrencyText);
const batchSize = Number(batchText);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const native = mode === 'native';
const target = new URL(`${url}${native ? '/v1/events' : '/v1/traces'}`);
const startNs = BigInt(Date.now()) * 1_000_000n;

const kv = (key: string, value: string | number) => ({
  key,
  value: typeof value === 'string' ? { stringValue: value } : { intValue: String(value) },
});

function otlpRequest(n: number): object {
  const traceId = randomBytes(16).toString('hex');
  const spans = Array.from({ length: batchSize }, (_, i) => {
    const start = startNs + BigInt(n * batchSize + i) * 1000n;
    return {
      traceId,
      spanId: randomBytes(8).toString('hex'),
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + 420_000_000n).toString(),
      attributes: [
        kv('gen_ai.operation.name', 'chat'),
        kv('gen_ai.provider.name', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o'),
        kv('gen_ai.usage.input_tokens', 812),
        kv('gen_ai.usage.output_tokens', 96),
        kv('gen_ai.response.finish_reasons', 'stop'),
      ],
      status: { code: 1 },
    };
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'otlp-load')] },
        scopeSpans: [{ scope: { name: 'bench' }, spans }],
      },
    ],
  };
}

const bodies = Array.from({ length: total }, (_, n) => {
  const proto = encodeOtlpRequest('traces', otlpRequest(n), 'protobuf');
  if (!native) return Buffer.from(proto);
  return Buffer.from(JSON.stringify(mapTraceRequest(decodeTraceRequest(proto, 'protobuf')).inputs));
});
const contentType = native ? 'application/json' : 'application/x-protobuf';

function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const run = await runLoad(total, concurrency, async (n) =>
  (await post(bodies[n]!)) === 200 ? batchSize : undefined,
);
agent.destroy();
const bytes = bodies.reduce((n, b) => n + b.length, 0);
process.stdout.write(`${JSON.stringify({ ...run, bytes })}\n`);
