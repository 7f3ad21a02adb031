import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import { type Collector, startCollector } from '../collector.js';
import { loadCollectorConfig } from '../config.js';

/** A collector on a random loopback port writing into a fresh temp directory. */
export async function startTestCollector(
  env: Record<string, string> = {},
): Promise<{ collector: Collector; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'obs-collector-'));
  const config = loadCollectorConfig({
    OBS_DATA_DIR: dir,
    OBS_COLLECTOR_PORT: '0',
    OBS_SOURCE: 'collector-test',
    ...env,
  });
  const collector = await startCollector(config);
  return {
    collector,
    dir,
    cleanup: async () => {
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Event ids stored in the SQLite database of a collector's data directory. */
export function storedEventIds(dir: string): string[] {
  const db = new Database(join(dir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT event_id FROM events ORDER BY id').all() as { event_id: string }[]).map(
      (r) => r.event_id,
    );
  } finally {
    db.close();
  }
}

/** A valid event as another process would send it. */
export function sampleEvent(i: number, run = 'run-http'): Record<string, unknown> {
  return {
    event_type: 'tool.call',
    run_id: run,
    source: 'http-client',
    status: 'ok',
    payload: { tool: 'search', call_id: `c${i}` },
  };
}

/** POSTs JSON (or raw text) to the collector. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/**
 * Child processes a test file starts: after each test, one still running (a failed step) is
 * SIGKILLed, so no test leaves a collector or demo behind.
 */
export function killedAfterEach(): Set<ChildProcess> {
  const children = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    children.clear();
  });
  return children;
}
