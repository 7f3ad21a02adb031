// An agent in a process of its own, posting its events to a collector as an app on another host
// would: batches of 25 with ids and timestamps of its own, so a batch re-sent after a lost reply is
// the same events. Every 7th batch is sent twice. Prints each accepted event id on a line.
// Usage: node agent.mjs <collector URL> <agent name> <runs> <events per run>
import { writeSync } from 'node:fs';
import { uuidv7 } from '@obs/core';

const [url, name, runs, perRun] = process.argv.slice(2);
const events = [];
for (let r = 0; r < Number(runs); r++) {
  const run_id = `${name}-run-${r}`;
  for (let i = 0; i < Number(perRun); i++) {
    const type = i === 0 ? 'run.started' : i === Number(perRun) - 1 ? 'run.finished' : 'tool.call';
    const payload =
      type === 'run.started'
        ? { agent: name }
        : type === 'run.finished'
          ? { outcome: 'success' }
          : { tool: 't', arguments: { n: i } };
    events.push({
      event_id: uuidv7(),
      timestamp: new Date().toISOString(),
      event_type: type,
      run_id,
      source: name,
      session_id: `${name}-session`,
      status: 'ok',
      payload,
    });
  }
}
async function post(batch) {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      if (response.status === 200) return (await response.json()).event_ids;
      if (response.status < 500 && response.status !== 429)
        throw new Error(`refused: ${response.status} ${await response.text()}`);
    } catch (error) {
      if (attempt >= 20 || String(error).includes('refused:')) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
}
for (let b = 0, n = 0; b < events.length; b += 25, n++) {
  const batch = events.slice(b, b + 25);
  const ids = await post(batch);
  if (n % 7 === 0) await post(batch);
  writeSync(1, `${ids.join('\n')}\n`);
}
writeSync(1, 'done\n');
