import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteReadStore } from '@obs/read-store';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from './config.js';
import { post, sampleEvent, startTestCollector } from './test/harness.js';
import { startS3Gate } from './test/s3-gate.js';

let s3: S3rver;
let s3Dir: string;
let endpoint: string;
const saved = { id: process.env['AWS_ACCESS_KEY_ID'], secret: process.env['AWS_SECRET_ACCESS_KEY'] };

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'obs-collector-s3-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3Dir,
    configureBuckets: [{ name: 'backups' }],
  });
  endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
  process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
});

afterAll(async () => {
  await new Promise<void>((done) => s3.close(() => done()));
  rmSync(s3Dir, { recursive: true, force: true });
  for (const [name, value] of [
    ['AWS_ACCESS_KEY_ID', saved.id],
    ['AWS_SECRET_ACCESS_KEY', saved.secret],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('POST /v1/backups', () => {
  it('backs up the live database to S3, answers 409 while a backup runs, and records backup.completed', async () => {
    // the collector talks to S3 through a gate that can hold its requests: the first backup is
    // observably in progress (its upload waits at the gate) when the second POST arrives
    const gate = await startS3Gate(endpoint);
    const ctx = await startTestCollector({
      OBS_BACKUP_BUCKET: 'backups',
      OBS_BACKUP_ENDPOINT: gate.endpoint,
      OBS_BACKUP_PREFIX: 'collector-test',
    });
    try {
      const url = ctx.collector.url;
      await post(
        `${url}/v1/events`,
        Array.from({ length: 50 }, (_, i) => sampleEvent(i)),
      );
      gate.hold();
      const first = fetch(`${url}/v1/backups`, { method: 'POST' });
      await gate.held;
      const second = await fetch(`${url}/v1/backups`, { method: 'POST' });
      expect(second.status).toBe(409);
      gate.release();
      const response = await first;
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        backup: { key: string; event_count: number; verified: boolean; drill_ms: number };
      };
      expect(body.backup.key).toMatch(/^collector-test\/\d{4}\/\d{2}\/\d{2}\/.+\.tar\.gz$/);
      expect(body.backup.event_count).toBe(50);
      // the restore drill is on by default: the archive was downloaded back and checked
      expect(body.backup.verified).toBe(true);
      expect(body.backup.drill_ms).toEqual(expect.any(Number));
      await ctx.collector.pipeline.obs.flush();
      const stats = (await (await fetch(`${url}/v1/stats`)).json()) as { by_type: Record<string, number> };
      expect(stats.by_type['backup.completed']).toBe(1);
      const store = openSqliteReadStore(join(ctx.dir, 'events.db'));
      const [completed] = (await store.listEvents({ types: ['backup.completed'] })).items;
      await store.close();
      expect(completed!.envelope.payload).toMatchObject({ key: body.backup.key, verified: true });
    } finally {
      gate.release();
      await ctx.cleanup();
      await gate.close();
    }
  });

  it('turns the restore drill off with OBS_BACKUP_DRILL=false, and names a bad value', () => {
    const env = { OBS_DATA_DIR: s3Dir, OBS_BACKUP_BUCKET: 'backups' };
    expect(loadCollectorConfig(env).backup?.drill).toBe(true);
    expect(loadCollectorConfig({ ...env, OBS_BACKUP_DRILL: 'false' }).backup?.drill).toBe(false);
    expect(() => loadCollectorConfig({ ...env, OBS_BACKUP_DRILL: 'sometimes' })).toThrow(/OBS_BACKUP_DRILL/);
  });

  it('answers 502 with a reason when the bucket does not exist', async () => {
    const ctx = await startTestCollector({
      OBS_BACKUP_BUCKET: 'no-such-bucket',
      OBS_BACKUP_ENDPOINT: endpoint,
    });
    try {
      const response = await fetch(`${ctx.collector.url}/v1/backups`, { method: 'POST' });
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BACKUP_FAILED');
      await ctx.collector.pipeline.obs.flush();
      const stats = (await (await fetch(`${ctx.collector.url}/v1/stats`)).json()) as {
        by_type: Record<string, number>;
      };
      expect(stats.by_type['backup.failed']).toBe(2);
    } finally {
      await ctx.cleanup();
    }
  });
});
