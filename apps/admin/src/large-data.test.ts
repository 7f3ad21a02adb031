/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteReadStore, type Page, type ReadStore, type RunSummary } from '@obs/read-store';
import type { Browser, Page as BrowserPage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminServer } from './admin-server.js';
import type { TraceRows } from './api-types.js';
import { getApi, startAdmin } from './test/admin-fixture.js';
import { launchBrowser, openPage, screenshot } from './test/browser.js';
import { largeRunId, writeLargeStore } from './test/large-store.js';

const RUNS = 100_000;
const BIG_RUN_EVENTS = 50_000;
/** DOM rows the windowed trace may hold at once: the rows in view plus overscan, never the run. */
const MAX_DOM_ROWS = 100;

let dir: string;
let store: ReadStore;
let admin: AdminServer;
let browser: Browser;
let page: BrowserPage;
let problems: string[];
let bigRun: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-admin-large-'));
  const path = join(dir, 'events.db');
  const launched = launchBrowser();
  bigRun = (await writeLargeStore(path, RUNS, BIG_RUN_EVENTS)).bigRun!;
  store = await openSqliteReadStore(path);
  admin = await startAdmin(store);
  browser = await launched;
  ({ page, problems } = await openPage(browser, admin.url.slice(0, -1)));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// What these tests assert is the shape that keeps big data fast (keyset pages, a windowed DOM),
// not wall-clock durations: those depend on the machine and its load, and belong in the bench.

describe(`${RUNS.toLocaleString('en-US')} runs and a ${BIG_RUN_EVENTS.toLocaleString('en-US')}-event run`, () => {
  it('the API pages through every run with the cursor, each id once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: Page<RunSummary> } = await getApi<Page<RunSummary>>(
        admin,
        `/api/runs?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      for (const r of res.body.items) seen.add(r.run_id);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen.size).toBe(RUNS + 6);
    expect(seen.has(largeRunId(0))).toBe(true);
    expect(pages).toBe(Math.ceil((RUNS + 6) / 1000));
  });

  it('the runs list pages back through old runs', async () => {
    await page.goto(`${admin.url}#/runs`);
    const first = page.locator('table.runs-table tbody tr').first();
    await first.waitFor();
    const older = page.getByRole('button', { name: 'Older →' });
    const seenFirst = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const before = await first.locator('a.run-link').textContent();
      seenFirst.add(String(before));
      await older.click();
      await expect.poll(() => first.locator('a.run-link').textContent()).not.toBe(before);
    }
    expect(seenFirst.size).toBe(5);
    expect(await page.locator('.pager-info').textContent()).toContain('Page 6');
    await page.getByRole('button', { name: '← Newer' }).click();
    await expect.poll(() => page.locator('.pager-info').textContent()).toContain('Page 5');
    await page.getByLabel('Run id contains').fill('099999');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('table.runs-table tbody tr').count()).toBe(1);
  });

  it('renders the 50k-event run as a windowed tree and waterfall and scrolls to its last event', async () => {
    const tree = await getApi<TraceRows>(admin, `/api/runs/${bigRun}/tree`);
    expect(tree.body.columns.event_id).toHaveLength(BIG_RUN_EVENTS);
    const lastEvent = tree.body.columns.event_id[BIG_RUN_EVENTS - 1]!;
    const rows = page.locator('.trace-row');
    await page.goto(`${admin.url}#/runs/${encodeURIComponent(bigRun)}`);
    await rows.first().waitFor();
    // windowed: only the rows in view are in the DOM, tree and waterfall alike, not 50 000
    expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS);
    expect(await page.locator('.trace-lane').count()).toBe(await rows.count());
    expect(await page.locator('.trace-counts').textContent()).toContain('50,000 of 50,000 rows');
    await screenshot(page, 'run-view-50k');

    // each scroll step re-renders the window: wait for its first row to change before the next one
    const firstRowId = () => rows.first().getAttribute('data-event-id');
    for (const fraction of [0.25, 0.5, 0.75, 1]) {
      const before = await firstRowId();
      await page.locator('.trace-body').evaluate((el, f) => {
        el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
      }, fraction);
      await expect.poll(firstRowId).not.toBe(before);
      expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS);
    }
    // the bottom of the list is the run's last event, on screen
    await expect.poll(() => rows.last().getAttribute('data-event-id')).toBe(lastEvent);
    const inView = await page.evaluate((id) => {
      const row = document.querySelector(`.trace-row[data-event-id="${id}"]`)!.getBoundingClientRect();
      const body = document.querySelector('.trace-body')!.getBoundingClientRect();
      return row.top >= body.top && row.bottom <= body.bottom + 1;
    }, lastEvent);
    expect(inView).toBe(true);

    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByRole('button', { name: 'Top level' }).click();
    await expect.poll(() => page.locator('.trace-counts').textContent()).toContain('of 50,000 rows');
    await page.getByRole('button', { name: 'Expand all' }).click();
    await expect.poll(() => page.locator('.trace-counts').textContent()).toContain('50,000 of 50,000 rows');
    expect(await rows.count()).toBeLessThan(MAX_DOM_ROWS);
    expect(problems).toEqual([]);
  });
});
