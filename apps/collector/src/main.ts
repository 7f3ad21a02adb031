#!/usr/bin/env node
import { consoleLogger, ObsConfigError } from '@obs/core';
import { startCollector } from './collector.js';
import { loadCollectorConfig } from './config.js';

/** The collector service: configured by `OBS_*` variables, stops gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadCollectorConfig>;
  try {
    config = loadCollectorConfig();
  } catch (error) {
    if (error instanceof ObsConfigError) {
      process.stderr.write(`obs-collector: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const collector = await startCollector(config, consoleLogger('collector', 'warn'));
  const local = config.stores.sqlite || config.stores.jsonl;
  const mode = config.postgres ? (local ? `${config.mode} + postgres` : 'postgres') : config.mode;
  process.stdout.write(`obs-collector listening on ${collector.url} (mode ${mode})\n`);
  const stop = (signal: NodeJS.Signals) => {
    process.stdout.write(`obs-collector: ${signal}, draining\n`);
    void collector.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`obs-collector: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
