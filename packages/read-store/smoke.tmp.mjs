import { createObservability } from '@obs/core';
import { createJsonlSink } from '@obs/sink-jsonl';
const [dir, n] = process.argv.slice(2);
const sink = createJsonlSink({ dir, rotation: { maxBytes: 1 << 20, gzip: true } });
const obs = createObservability({ source: 'smoke', sinks: [{ sink, queue: { overflow: 'block' } }] });
for (let r = 0; r < Number(n) / 100; r++) {
  await obs.withContext({ run_id: `run-${r}`, session_id: `s-${r % 7}` }, async () => {
    obs.emit('run.started', { agent: 'a' });
    for (let i = 0; i < 97; i++) obs.emit('llm.call', { provider: 'openai', model: 'gpt-4o', prompt_tokens: i, completion_tokens: 3, cost_usd: 0.001 });
    obs.emit('tool.call', { tool: 'x', arguments: {} });
    obs.emit('run.finished', { outcome: 'success' });
  });
  if (r % 20 === 0) await obs.flush();
}
await obs.shutdown();
