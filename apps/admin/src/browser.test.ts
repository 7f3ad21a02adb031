/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser, hence the DOM types.
import type { Stats } from '@obs/read-store';
import type { Browser, Page, Request } from 'playwright-core';
import type uPlot from 'uplot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminServer } from './admin-server.js';
import { getApi, startAdmin } from './test/admin-fixture.js';
import { launchBrowser, openPage, screenshot } from './test/browser.js';
import { probeStackedBars } from './test/chart-probe.js';
import { writeFromChild } from './test/child-writer.js';
import { XSS_PAYLOAD } from './test/demo-events.js';
import { createStoreFixture, type StoreFixture } from './test/store-fixture.js';

let fx: StoreFixture;
let browser: Browser;
beforeAll(async () => {
  [fx, browser] = await Promise.all([createStoreFixture(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await fx?.cleanup();
});

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

/**
 * Opens the live view, writes `marker` from a child process and waits for its row. Resolves with
 * whether the page was the same document throughout: a reload would have dropped the flag set
 * before the write.
 */
async function showsLiveWithoutReload(
  page: Page,
  kind: 'sqlite' | 'jsonl',
  target: string,
  marker: string,
): Promise<boolean> {
  await page.goto('#/live'.replace(/^/, page.url().split('#')[0]!));
  await page.getByTestId('live-state').getByText('connected').waitFor();
  await page.evaluate(() => {
    (window as unknown as { __sameDocument?: boolean }).__sameDocument = true;
  });
  await writeFromChild(kind, target, `live-${kind}`, marker);
  await page.locator('.live-table', { hasText: marker }).waitFor();
  return page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}

describe('dashboard in Chromium over a SQLite store', () => {
  let admin: AdminServer;
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    admin = await startAdmin(fx.sqlite);
    ({ page, problems } = await openPage(browser, admin.url.slice(0, -1)));
  });
  afterAll(async () => {
    await page?.context().close();
    await admin?.close();
  });

  it('lists runs with status, counts and cost, and filters them', async () => {
    await page.goto(`${admin.url}#/runs`);
    const rows = page.locator('table.runs-table tbody tr');
    await expect.poll(() => rows.count()).toBe(5);
    await expect.poll(() => rows.first().textContent()).toContain(fx.ids.xssRun);
    const failed = rows.filter({ hasText: fx.ids.failedRun });
    expect(await failed.locator('.badge').textContent()).toBe('failure');
    expect(await failed.textContent()).toContain('$0.00021');
    await screenshot(page, 'runs-list');
    await page.getByLabel('Status').selectOption('failure');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Status').selectOption('');
    await expect.poll(() => rows.count()).toBe(5);
  });

  it('opens a run and expands and collapses its trace tree', async () => {
    await page.locator('a.run-link', { hasText: 'run-turn-1' }).click();
    await page.locator('.trace-row').first().waitFor();
    expect(page.url()).toContain('#/runs/run-turn-1');
    const rows = page.locator('.trace-row');
    await expect.poll(() => rows.count()).toBe(6);
    await page.getByRole('button', { name: 'Collapse all' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('button', { name: 'Expand agent.step' }).click();
    await expect.poll(() => rows.count()).toBe(6);
    const llm = rows.filter({ hasText: 'llm.call' });
    expect(await llm.getAttribute('aria-level')).toBe('2');
    expect(await llm.textContent()).toContain('gpt-4o-mini');
    expect(await page.locator('.trace-row .bar').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'run-view');
  });

  it('opens an event: pretty JSON, copy button, links to its parent and children', async () => {
    await page.locator('.trace-row', { hasText: 'llm.call' }).locator('a.trace-link').click();
    await page.locator('pre.json').first().waitFor();
    expect(await page.locator('pre.json').first().textContent()).toContain('"model": "gpt-4o-mini"');
    await page.getByTestId('copy-json').click();
    await expect.poll(() => page.getByTestId('copy-json').textContent()).toBe('Copied ✓');
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as {
      event_type: string;
    };
    expect(copied.event_type).toBe('llm.call');
    await screenshot(page, 'event-detail');
    await page.getByTestId('parent-link').click();
    await expect.poll(() => page.url()).toContain(`#/events/${fx.ids.spanEventId}`);
    await expect.poll(() => page.locator('.child-list li').count()).toBe(3);
  });

  it('shows a <script> payload as text and never runs it', async () => {
    await page.goto(`${admin.url}#/events/${fx.ids.xssEventId}`);
    await page.locator('pre.json').first().waitFor();
    expect(await page.locator('pre.json').first().textContent()).toContain(
      JSON.stringify(XSS_PAYLOAD).slice(1, -1),
    );
    await page.goto(`${admin.url}#/runs/${encodeURIComponent(fx.ids.xssRun)}`);
    await page.locator('.trace-row').first().waitFor();
    expect(await page.locator('h1').textContent()).toContain('run-xss-<b>bold</b>');
    expect(await page.locator('.trace-row', { hasText: 'tool.call' }).textContent()).toContain(
      '<img src=x onerror=',
    );
    await page.goto(`${admin.url}#/runs`);
    await page.locator('table.runs-table').waitFor();
    expect(await page.locator('h1 b, td b, img[src="x"], .trace script, pre script').count()).toBe(0);
    expect(await pwned(page)).toBeUndefined();
  });

  it('lists sessions and shows one session’s turns in order', async () => {
    await page.goto(`${admin.url}#/sessions`);
    await page.locator('a', { hasText: fx.ids.sessionId }).click();
    await page.locator('.turn').first().waitFor();
    const turns = await page.locator('.turn header strong').allTextContents();
    expect(turns).toEqual(['Turn 1', 'Turn 2', 'Turn 3']);
    const runs = await page.locator('table.runs-table tbody tr a.run-link').allTextContents();
    expect(runs).toEqual(fx.ids.sessionRuns);
    await screenshot(page, 'session-view');
    await page.goto(`${admin.url}#/sessions`);
    await page.locator('table tbody tr').first().waitFor();
    await screenshot(page, 'sessions-list');
  });

  it('draws the stats charts from /api/stats alone, stacked as the data says', async () => {
    const apiCalls: string[] = [];
    const onRequest = (req: Request) => {
      const url = new URL(req.url());
      // the lost-events banner above every page reads obs.dropped events, not the stats
      if (url.searchParams.get('type') === 'obs.dropped') return;
      if (url.pathname.startsWith('/api/')) apiCalls.push(url.pathname);
    };
    page.on('request', onRequest);
    await page.goto(`${admin.url}#/stats`);
    const chart = '[data-chart="events over time"]';
    await page.locator(`${chart} canvas`).waitFor();
    await page.locator('[data-chart="error rate over time"] canvas').waitFor();
    page.off('request', onRequest);
    // the page's numbers come from the store's stats(), never from reading events
    expect(apiCalls).toContain('/api/stats');
    expect(apiCalls.filter((path) => path !== '/api/stats' && path !== '/api/info')).toEqual([]);

    const { body: stats } = await getApi<Stats>(admin, '/api/stats?group_by=source&slowest=10');
    const probes = await page.evaluate(probeStackedBars, {
      selector: chart,
      okVar: '--bar-ok',
      errorVar: '--error',
    });
    expect(probes.map((p) => [p.ok, p.top])).toEqual(
      stats.timeline.map((b) => [b.total - b.errors, b.total]),
    );
    for (const p of probes) {
      // valToPos: the baseline is the same for every column, each part's height follows its count
      expect(p.baseY).toBe(probes[0]!.baseY);
      if (p.top > 0) expect(p.topY).toBeLessThan(p.baseY);
      for (const edge of [p.okBottom, p.okTop]) if (edge !== null) expect(edge).toBe('ok');
      for (const edge of [p.errorBottom, p.errorTop]) if (edge !== null) expect(edge).toBe('error');
      expect(p.above).toBe('other');
    }
    // the case the hand-drawn chart got wrong: a column with both parts, ok drawn from the baseline
    const mixed = probes.filter((p) => p.okBottom === 'ok' && p.errorTop === 'error');
    expect(mixed.length).toBeGreaterThan(0);

    const rates = await page.evaluate((selector) => {
      const u = (document.querySelector(selector) as HTMLElement & { uplot?: uPlot }).uplot!;
      return { data: u.data[1], min: u.scales['y']!.min, max: u.scales['y']!.max };
    }, '[data-chart="error rate over time"]');
    expect(rates.data).toEqual(stats.timeline.map((b) => (b.total === 0 ? null : b.errors / b.total)));
    expect(rates.min).toBe(0);
    expect(rates.max).toBeGreaterThanOrEqual(
      Math.max(...stats.timeline.map((b) => b.errors / (b.total || 1))),
    );

    expect(await page.locator('.latency .hbar-row').count()).toBeGreaterThan(2);
    expect(await page.locator('.panel', { hasText: 'Events by source' }).textContent()).toContain(
      'support-agent',
    );
    await page.getByLabel('Group by').selectOption('model');
    await expect
      .poll(() => page.locator('.panel', { hasText: 'By model' }).textContent())
      .toContain('gpt-4o-mini');
    await screenshot(page, 'stats');
  });

  it('shows an event written by another process live, without reload', async () => {
    expect(await showsLiveWithoutReload(page, 'sqlite', fx.dbPath, 'live-from-child-sqlite')).toBe(true);
    expect(await page.locator('.live-row').count()).toBe(1);
    await screenshot(page, 'live-tail');
  });

  it('ran no injected script and hit no CSP violation or error on any page', async () => {
    expect(await pwned(page)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});

describe('dashboard in Chromium over a JSONL directory', () => {
  let admin: AdminServer;
  let page: Page;
  let problems: string[];
  beforeAll(async () => {
    admin = await startAdmin(fx.jsonl);
    ({ page, problems } = await openPage(browser, admin.url.slice(0, -1)));
  });
  afterAll(async () => {
    await page?.context().close();
    await admin?.close();
  });

  it('lists runs, opens a run and an event, and tails live', async () => {
    await page.goto(`${admin.url}#/runs`);
    await expect.poll(() => page.locator('table.runs-table tbody tr').count()).toBe(5);
    expect(await page.locator('.store-kind').textContent()).toContain('jsonl');
    await screenshot(page, 'runs-list-jsonl');
    await page.locator('a.run-link', { hasText: fx.ids.failedRun }).click();
    await page.locator('.trace-row.is-error').first().waitFor();
    await page.locator('.trace-row', { hasText: 'tool.result' }).locator('a.trace-link').click();
    await expect
      .poll(async () => page.locator('pre.json').first().textContent())
      .toContain('upstream timeout');
    expect(await showsLiveWithoutReload(page, 'jsonl', fx.jsonlDir, 'live-from-child-jsonl')).toBe(true);
    expect(await pwned(page)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});
