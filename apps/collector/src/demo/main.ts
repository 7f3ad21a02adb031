import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createAdminServer } from '@obs/admin';
import { consoleLogger } from '@obs/core';
import { openSqliteReadStore, renderTraceTree } from '@obs/read-store';
import { startCollector } from '../collector.js';
import { loadCollectorConfig } from '../config.js';
import { DEMO_HELP, type DemoOptions, parseDemoOptions } from './options.js';
import { simulateWorkload } from './workload.js';

/** The main job: workload → collector pipeline (SQLite + JSONL + stream) → dashboard. */
async function main(options: DemoOptions): Promise<void> {
  rmSync(options.dataDir, { recursive: true, force: true });
  const config = loadCollectorConfig({
    OBS_SOURCE: 'demo-agents',
    OBS_MODE: 'dual',
    OBS_DATA_DIR: options.dataDir,
    OBS_STREAM: 'true',
    OBS_COLLECTOR_PORT: String(options.collectorPort),
    OBS_TRACE: options.trace ? 'true' : process.env['OBS_TRACE'],
  });
  const collector = await startCollector(config, consoleLogger('demo', 'warn'));
  const runs = Math.max(1, Math.round(options.durationS * options.rate));
  process.stdout.write(`obs demo: ${runs} agent runs over ~${options.durationS}s (seed ${options.seed})\n`);
  process.stdout.write(
    `  collector  ${collector.url}  (POST /v1/events, GET /v1/stats, live stream ${collector.url.replace('http', 'ws')}/v1/stream)\n`,
  );

  const store = openSqliteReadStore(config.sqlitePath);
  const admin = options.exit ? undefined : await createAdminServer({ store, port: options.adminPort });
  if (admin)
    process.stdout.write(`  dashboard  ${admin.url}  (watch the Live page while the workload runs)\n`);

  const runIds = await simulateWorkload(collector.pipeline.obs, {
    seed: options.seed,
    runs,
    rate: options.rate,
    cycles: [2, 5],
    stepDelayMs: 20,
  });
  await collector.pipeline.obs.flush();

  const tree = await store.getTraceTree(runIds[0]!);
  const stats = await store.stats({ groupBy: 'operation' });
  const service = collector.pipeline.obs.stats();
  process.stdout.write(`\nTrace of ${runIds[0]}:\n${renderTraceTree(tree)}\n`);
  process.stdout.write(
    `\n${stats.total} events, ${stats.successes} ok, ${stats.failures} errors, ${stats.tokens.total} tokens, $${stats.cost_usd.toFixed(4)}; ` +
      `dropped ${service.dropped}, failed ${service.failed}\n`,
  );
  process.stdout.write(`Data: SQLite ${config.sqlitePath}\n      JSONL  ${join(config.jsonlDir)}\n`);
  process.stdout.write(
    `Read it back: node packages/read-store/dist/cli.js stats --store ${config.sqlitePath}\n`,
  );

  const stop = async () => {
    await admin?.close();
    await store.close();
    await collector.close();
  };
  if (options.exit) {
    await stop();
    return;
  }
  process.stdout.write(`\nServing the dashboard at ${admin!.url} — Ctrl-C to stop.\n`);
  const onSignal = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

let options: DemoOptions | 'help';
try {
  options = parseDemoOptions(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`obs demo: ${(error as Error).message}\n\n${DEMO_HELP}\n`);
  process.exit(2);
}
if (options === 'help') process.stdout.write(`${DEMO_HELP}\n`);
else await main(options);
