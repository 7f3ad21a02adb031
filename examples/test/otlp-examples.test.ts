import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Collector, loadCollectorConfig, startCollector } from '@obs/collector';
import { openReadStore, renderTraceTree } from '@obs/read-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const EXAMPLES = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let collector: Collector;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-otlp-examples-'));
  collector = await startCollector(
    loadCollectorConfig({ OBS_DATA_DIR: dir, OBS_COLLECTOR_PORT: '0', OBS_SOURCE: 'collector' }),
  );
});
afterEach(async () => {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

const run = async (args: string[], env: Record<string, string> = {}) => {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OBS_') && !k.startsWith('OTEL_')),
  );
  const { stdout } = await promisify(execFile)('node', args, {
    cwd: EXAMPLES,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return stdout.trimEnd().split('\n');
};

const tree = async (runId: string) => {
  const store = await openReadStore(join(dir, 'events.db'));
  try {
    return {
      run: await store.getRun(runId),
      text: renderTraceTree(await store.getTraceTree(runId))
        .replace(/ \([\d.]+m?s\)/g, '')
        .replace(/ · [\d.]+m?s$/m, ''),
    };
  } finally {
    await store.close();
  }
};

describe('OpenTelemetry examples', () => {
  it('otel-app.mjs: the AI SDK under telemetry, exported by OTEL_EXPORTER_OTLP_* to the collector, is a run in obs', async () => {
    const lines = await run(['otel-app.mjs'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'trip-app',
    });
    expect(lines[1]).toBe('Sunny in Lisbon.');
    const runId = /^run ([0-9a-f]{32})$/.exec(lines[0]!)?.[1];
    expect(runId).toBeDefined();
    const { run: summary, text } = await tree(runId!);
    expect(summary).toMatchObject({
      source: 'trip-app',
      llm_call_count: 2,
      prompt_tokens: 280,
      completion_tokens: 32,
    });
    expect(text).toMatch(/plan trip/);
    expect(text).toMatch(/weather/);
  });

  it('obs-to-otlp.mjs: createOtlpSink sends a run to an OTLP endpoint (here an obs collector, which keeps it whole)', async () => {
    const lines = await run(['obs-to-otlp.mjs', collector.url]);
    expect(lines).toEqual([`sent 5 events to ${collector.url}, 0 failed`]);
    const { run: summary } = await tree('ticket-8812');
    expect(summary).toMatchObject({
      source: 'support-agent',
      session_id: 'customer-42',
      event_count: 5,
      prompt_tokens: 1200,
      completion_tokens: 180,
    });
  });
});
