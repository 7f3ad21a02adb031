import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { built } from './test/built.js';
import { liveEventDb, tempDir } from './test/fixtures.js';
import { startTestS3, type TestS3 } from './test/s3-server.js';

// the CLI's backups snapshot in a worker thread: see test/built.ts
const { runCli } = await built<typeof import('./internal/run-cli.js')>('internal/run-cli.js');

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await s3.dispose();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    OBS_BACKUP_BUCKET: 'backups',
    OBS_BACKUP_PREFIX: 'cli',
    OBS_BACKUP_ENDPOINT: s3.endpoint,
    OBS_BACKUP_PATH_STYLE: '1',
  };
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('obs-backup CLI', () => {
  it('runs, lists, restores and prunes', async () => {
    const dir = tempDir();
    const dbPath = join(dir.path, 'events.db');
    const live = await liveEventDb(dbPath, 200);
    try {
      const run = await cli('run', '--db', dbPath);
      expect(run).toMatchObject({ code: 0, err: '' });
      expect(run.out).toMatch(/backed up 200 events .* to cli\/\d{4}\/.*; restore drill passed in \d+ ms/);
      expect((await cli('run', '--db', dbPath, '--no-drill')).out).toMatch(/not verified \(--no-drill\)/);
      const list = await cli('list', '--json');
      expect(JSON.parse(list.out)).toHaveLength(2);
      const to = join(dir.path, 'restored.db');
      expect((await cli('restore', '--latest', '--to', to)).out).toMatch(/200 events, sha256 verified/);
      const again = await cli('restore', '--latest', '--to', to);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/already exists; pass overwrite.*\[DESTINATION_EXISTS\]/);
      expect((await cli('restore', '--latest', '--to', to, '--overwrite')).code).toBe(0);
      expect((await cli('prune', '--keep-last', '1')).out).toMatch(/^pruned cli\//);
      expect(JSON.parse((await cli('list', '--json')).out)).toHaveLength(1);
    } finally {
      await live.close();
      dir.cleanup();
    }
  });

  it('explains usage mistakes with exit code 2 and failures with exit code 1', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('explode')).err).toMatch(/unknown command "explode"/);
    expect((await cli('run')).err).toMatch(/pass --db or set OBS_BACKUP_DB/);
    expect((await cli('restore', '--to', 'x.db')).err).toMatch(/exactly one of --key <key> and --latest/);
    expect((await cli('prune', '--keep-last', 'two')).err).toMatch(
      /--keep-last expects a whole number, got "two"/,
    );
    const dir = tempDir();
    writeFileSync(join(dir.path, 'x.db'), 'not sqlite at all, just some text to fill a header '.repeat(20));
    const bad = await cli('run', '--db', join(dir.path, 'x.db'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/SQLITE_NOTADB.*\[DATABASE\]/);
    const noBucket = await cli('list', '--bucket', 'missing-bucket');
    expect(noBucket.err).toMatch(/NoSuchBucket.*\[BUCKET_MISSING\]/);
    dir.cleanup();
  });
});
