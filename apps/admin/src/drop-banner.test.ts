/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { createMemorySink } from '@obs/core/testing';
import { openSqliteReadStore, type ReadStore } from '@obs/read-store';
import { createSqliteSink } from '@obs/sink-sqlite';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminServer } from './admin-server.js';
import { startAdmin } from './test/admin-fixture.js';
import { launchBrowser, openPage, screenshot } from './test/browser.js';

/** A SQLite store written by a real service; with `failing`, a second sink whose writes all throw. */
async function storeWith(dir: string, name: string, failing: boolean): Promise<ReadStore> {
  const path = join(dir, name);
  const broken = createMemorySink({ name: 'archive', failWrites: Number.POSITIVE_INFINITY });
  const obs = createObservability({
    source: 'banner-test',
    defaultRunId: 'run-1',
    exitHooks: false,
    sinks: [createSqliteSink({ path }), ...(failing ? [{ sink: broken, queue: { maxRetries: 0 } }] : [])],
  });
  for (let i = 0; i < 12; i++) obs.emit('log', { level: 'info', message: `m${i}` });
  await obs.shutdown();
  return openSqliteReadStore(path);
}

let dir: string;
let browser: Browser;
let lossy: ReadStore;
let clean: ReadStore;
const admins: AdminServer[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'obs-admin-drops-'));
  [lossy, clean, browser] = await Promise.all([
    storeWith(dir, 'lossy.db', true),
    storeWith(dir, 'clean.db', false),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  for (const admin of admins) await admin.close();
  await lossy?.close();
  await clean?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lost-events banner', () => {
  it('shows what each sink lost, from the obs.dropped events in the store, and can be dismissed', async () => {
    const admin = await startAdmin(lossy);
    admins.push(admin);
    const { page, problems, context } = await openPage(browser, admin.url.slice(0, -1));
    await page.goto(`${admin.url}#/runs`);
    const banner = page.getByTestId('drop-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(
      /Sink archive lost 12 \(write failed 12\), last (just now|\d+ s ago)/,
    );
    expect(await banner.getByRole('link', { name: 'Reports' }).getAttribute('href')).toBe('#/runs/obs.drops');
    await screenshot(page, 'drop-banner');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => banner.count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is absent over a store where nothing was lost', async () => {
    const admin = await startAdmin(clean);
    admins.push(admin);
    const { page, problems, context } = await openPage(browser, admin.url.slice(0, -1));
    const answered = page.waitForResponse((res) => res.url().includes('type=obs.dropped'));
    await page.goto(`${admin.url}#/runs`);
    const response = await answered;
    expect(((await response.json()) as { items: unknown[] }).items).toEqual([]);
    await page.locator('table.runs-table tbody tr').first().waitFor();
    expect(await page.getByTestId('drop-banner').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
