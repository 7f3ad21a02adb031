import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdminServer } from '@obs/admin';
import { createObservability, uuidv7 } from '@obs/core';
import { openSqliteReadStore } from '@obs/read-store';
import { createSqliteSink } from '@obs/sink-sqlite';
import { chromium } from 'playwright-core';
import { type BenchRow, type BenchSuite, median } from '../harness.js';

const RUN = 'run-big';
const CHILDREN = 99;

/** Writes one run of `total` events through the real SQLite sink: spans of 99 children each. */
export async function writeBigRun(path: string, total: number): Promise<void> {
  const obs = createObservability({
    source: 'bench',
    sinks: [createSqliteSink({ path })],
    queue: { batchSize: 2000 },
  });
  const runStart = Date.now() - 3_600_000;
  let t = runStart;
  const root = obs.emit('run.started', { agent: 'bench' }, { run_id: RUN, timestamp: t });
  let written = 1;
  while (written < total - 1) {
    const spanStart = ++t;
    const spanId = uuidv7(spanStart);
    const children = Math.min(CHILDREN, total - written - 2);
    for (let i = 0; i < children; i++) {
      t += 2;
      if (i % 3 === 0)
        obs.emit(
          'llm.call',
          {
            provider: 'openai',
            model: 'gpt-4o-mini',
            prompt_tokens: 100,
            completion_tokens: 20,
            total_tokens: 120,
          },
          { run_id: RUN, parent_event_id: spanId, timestamp: t, duration_ms: 2, status: 'ok' },
        );
      else
        obs.emit(
          'log',
          { level: 'info', message: `item ${i}` },
          { run_id: RUN, parent_event_id: spanId, timestamp: t },
        );
    }
    obs.emit(
      'span',
      { operation: `step-${written}`, layer: 'agent' },
      {
        run_id: RUN,
        event_id: spanId,
        parent_event_id: root.event_id,
        timestamp: spanStart,
        duration_ms: t - spanStart,
        status: 'ok',
      },
    );
    written += children + 1;
    if (written % 10_000 < CHILDREN + 1) await obs.flush();
  }
  obs.emit(
    'run.finished',
    { outcome: 'success' },
    { run_id: RUN, timestamp: ++t, duration_ms: t - runStart },
  );
  await obs.shutdown();
}

/**
 * The dashboard on a big run: `GET /api/runs/:id/tree` and opening the run in Chromium (navigation
 * from a new page to the first trace rows on screen), over a SQLite store written through the sink.
 */
export const adminSuite: BenchSuite = {
  name: 'admin',
  async run({ quick }) {
    const total = 50_000;
    const reps = quick ? 3 : 5;
    const dir = mkdtempSync(join(tmpdir(), 'obs-bench-admin-'));
    const rows: BenchRow[] = [];
    const path = join(dir, 'obs.db');
    await writeBigRun(path, total);
    const store = openSqliteReadStore(path);
    const admin = await createAdminServer({ store, port: 0 });
    const browser = await chromium.launch({
      executablePath: process.env['OBS_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    });
    try {
      const api: number[] = [];
      for (let i = 0; i <= reps; i++) {
        const t = performance.now();
        const res = await fetch(new URL(`/api/runs/${RUN}/tree`, admin.url), {
          headers: { 'accept-encoding': 'gzip' },
        });
        const rowsSent = ((await res.json()) as { columns: { event_id: unknown[] } }).columns.event_id.length;
        if (i > 0) api.push(performance.now() - t);
        if (rowsSent !== total) throw new Error(`tree has ${rowsSent} rows`);
      }
      const open: number[] = [];
      const serverCpu: number[] = [];
      const browserBusy: number[] = [];
      let domRows = 0;
      for (let i = 0; i <= reps; i++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send('Performance.enable');
        const cpu = process.cpuUsage();
        const t = performance.now();
        await page.goto(`${admin.url}#/runs/${RUN}`);
        await page.locator('.trace-row').first().waitFor({ timeout: 30_000 });
        const wall = performance.now() - t;
        const used = process.cpuUsage(cpu);
        const { metrics } = await cdp.send('Performance.getMetrics');
        if (i > 0) {
          open.push(wall);
          // the server runs in this process: its CPU time is what the open costs it, load aside
          serverCpu.push((used.user + used.system) / 1000);
          browserBusy.push((metrics.find((m) => m.name === 'TaskDuration')?.value ?? Number.NaN) * 1000);
        }
        domRows = await page.locator('.trace-row').count();
        await context.close();
      }
      const n = `${total.toLocaleString('en-US')}-event run`;
      const range = (xs: number[]) => `min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}`;
      rows.push(
        {
          suite: 'admin',
          case: `${n}: GET /api/runs/:id/tree (gzip) and parse`,
          value: median(api),
          unit: 'ms',
        },
        {
          suite: 'admin',
          case: `${n}: open in Chromium, to the first trace rows`,
          value: median(open),
          unit: 'ms',
          target: '< 1000 ms',
          note: `${domRows} rows in the DOM; ${range(open)}`,
        },
        {
          suite: 'admin',
          case: `${n}: open, CPU time of the server (this process)`,
          value: median(serverCpu),
          unit: 'ms',
          note: range(serverCpu),
        },
        {
          suite: 'admin',
          case: `${n}: open, busy time of the page's main thread`,
          value: median(browserBusy),
          unit: 'ms',
          note: `Chromium TaskDuration; ${range(browserBusy)}`,
        },
      );
    } finally {
      await browser.close();
      await admin.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
