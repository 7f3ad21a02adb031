import { Agent, request } from 'node:http';
import { runLoad } from './load-loop.js';

/**
 * A bounded HTTP load generator, run as its own process so it does not share the server's event loop:
 * `node load-client.js <url> <requests> <concurrency> <batch>`. Bodies are encoded before the clock
 * starts and an answer is checked by its status and `accepted` count only, so the client's own CPU
 * (it shares the cores with the server) stays small and the same against every server. Prints one
 * JSON line with the result.
 */
const [url, requestsText, concurrencyText, batchText] = process.argv.slice(2);
const total = Number(requestsText);
const concurrency = Number(concurrencyText);
const batchSize = Number(batchText);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const target = new URL(`${url}/v1/events`);

const body = (n: number) =>
  Buffer.from(
    JSON.stringify(
      Array.from({ length: batchSize }, (_, i) => ({
        event_type: 'tool.call',
        run_id: `load-run-${n % 50}`,
        source: 'load-client',
        status: 'ok',
        payload: {
          tool: 'search',
          call_id: `c-${n}-${i}`,
          arguments: { query: 'how do I reset my password', page: i },
        },
      })),
    ),
  );
const bodies = Array.from({ length: total }, (_, n) => body(n));
/** An answer starts `{"accepted":N`: the collector's and the bare peer's alike. */
const ACCEPTED = /^\{"accepted":(\d+)/;

function post(n: number): Promise<{ status: number; accepted: number }> {
  const text = bodies[n]!;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': text.length },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            accepted: res.statusCode === 200 ? Number(ACCEPTED.exec(data)?.[1] ?? 0) : 0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const run = await runLoad(total, concurrency, async (n) => {
  const result = await post(n);
  return result.status === 200 ? result.accepted : undefined;
});
agent.destroy();
process.stdout.write(`${JSON.stringify(run)}\n`);
