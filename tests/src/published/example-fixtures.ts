import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createObservability } from '@obs/core';
import { openReadStore } from '@obs/read-store';
import { startTestPostgres, type TestPostgres } from '@obs/sink-postgres/testing';
import { createSqliteSink } from '@obs/sink-sqlite';
import S3rver from 's3rver';
import { expect } from 'vitest';
import type { Ran } from './run.js';

/** What an example needs around it that a user would have: data to read, a server to talk to. */
export interface ExampleFixture {
  /** Prepares the project directory before the example runs. */
  setup?(app: string): Promise<Prepared>;
  /** Checks what the example did, beyond exiting 0. */
  verify?(app: string, ran: Ran): Promise<void> | void;
}

/** What `setup` leaves running for the example. */
export interface Prepared {
  env?: NodeJS.ProcessEnv;
  /** Runs alongside the example until it has exited. */
  whileRunning?(exited: Promise<unknown>): Promise<void>;
  dispose?(): Promise<void>;
}

/** Writes a small failed agent run, `run-42`, to an obs SQLite database at `path`. */
async function writeFailedRun(path: string): Promise<void> {
  const obs = createObservability({ source: 'fixture', sinks: [createSqliteSink({ path })] });
  await obs.withContext({ run_id: 'run-42' }, async () => {
    obs.emit('run.started', { agent: 'triage' });
    await obs.span('plan', async () => {
      obs.emit('llm.call', {
        provider: 'openai',
        model: 'gpt-4o',
        prompt_tokens: 812,
        completion_tokens: 96,
      });
      obs.emit('tool.call', { tool: 'search' });
      obs.emit('tool.result', { tool: 'search', success: true });
    });
    await obs
      .span('act', async () => {
        throw new Error('the refund API said no');
      })
      .catch(() => {});
    obs.emit('run.finished', { outcome: 'failure' }, { status: 'error' });
  });
  await obs.shutdown();
}

async function countEvents(path: string): Promise<number> {
  const store = await openReadStore(path);
  try {
    return (await store.listEvents({ limit: 500 })).items.length;
  } finally {
    await store.close();
  }
}

let postgres: TestPostgres | undefined;

/**
 * Examples that cannot run on their own as written, keyed by package: what they get instead of the
 * outside world. A package not listed here runs its example in the empty project as it is.
 */
export const EXAMPLE_FIXTURES: Record<string, ExampleFixture> = {
  '@obs/core': {
    verify(_app, { stdout }) {
      const types = stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { event_type: string }).event_type);
      expect(types).toEqual(['run.started', 'llm.call', 'shop.checkout', 'span', 'run.finished']);
    },
  },
  '@obs/sink-jsonl': {
    verify(_app, { stdout }) {
      expect(stdout).toMatch(/^1 tool\.call$/m);
      expect(stdout).toContain('corrupt: 0');
    },
  },
  '@obs/sink-sqlite': {
    async verify(app) {
      expect(await countEvents(join(app, '.obs/obs.db'))).toBe(3);
    },
  },
  '@obs/sink-stream': {
    verify(_app, { stdout }) {
      expect(stdout).toMatch(/^local span$/m);
    },
  },
  '@obs/read-store': {
    // The example reads ./obs.db and tails the errors other processes write: it gets a failed run,
    // and an error event from this process every few milliseconds until it has exited.
    async setup(app) {
      const path = join(app, 'obs.db');
      await writeFailedRun(path);
      return {
        async whileRunning(exited) {
          let done = false;
          void exited.finally(() => {
            done = true;
          });
          const obs = createObservability({ source: 'live-writer', sinks: [createSqliteSink({ path })] });
          for (let i = 1; !done; i++) {
            obs.emit(
              'error',
              { stage: 'act', message: `live error ${i}`, recoverable: true },
              { run_id: 'run-43' },
            );
            await obs.flush();
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await obs.shutdown();
        },
      };
    },
    verify(_app, { stdout }) {
      expect(stdout).toMatch(/^run-42 /m);
      expect(stdout).toContain('[span] act → error');
      expect(stdout).toMatch(/^live error \d+$/m);
      expect(stdout).toContain('event_id');
      expect(stdout).toMatch(/nope/);
    },
  },
  '@obs/sink-postgres': {
    // The example writes to the server OBS_POSTGRES_URL names: here a throwaway cluster on 127.0.0.1.
    async setup() {
      postgres = await startTestPostgres();
      return { env: { OBS_POSTGRES_URL: postgres.url }, dispose: () => postgres!.stop() };
    },
    async verify(_app, { stdout }) {
      expect(stdout).toMatch(/^postgres:\/\/obs:\*\*\*@127\.0\.0\.1:\d+\/postgres 3$/m);
      const store = await openReadStore(postgres!.url);
      try {
        expect(await store.getRun('run-1')).toMatchObject({ status: 'success', event_count: 3 });
      } finally {
        await store.close();
      }
    },
  },
  '@obs/backup-s3': {
    // The example backs up ./data/events.db to the bucket my-backups through the standard AWS
    // configuration chain: here s3rver on 127.0.0.1, named by AWS_ENDPOINT_URL_S3.
    async setup(app) {
      await writeFailedRun(join(app, 'data/events.db'));
      const directory = join(app, '.s3rver');
      mkdirSync(directory);
      const server = new S3rver({
        address: '127.0.0.1',
        port: 0,
        silent: true,
        directory,
        configureBuckets: [{ name: 'my-backups' }],
      });
      const { port } = await server.run();
      const awsConfig = join(app, '.aws-config');
      writeFileSync(awsConfig, '');
      return {
        env: {
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_REGION: 'us-east-1',
          AWS_CONFIG_FILE: awsConfig,
          AWS_SHARED_CREDENTIALS_FILE: awsConfig,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        async dispose() {
          const closed = new Promise<void>((done) => server.close(() => done()));
          server.httpServer.closeAllConnections();
          await closed;
        },
      };
    },
    async verify(app, { stdout }) {
      expect(stdout).toMatch(/^obs\/prod\/\d{4}\/\d{2}\/\d{2}\/\S+\.tar\.gz \d+ bytes for \d+$/m);
      expect(existsSync(join(app, 'restored/events.db'))).toBe(true);
      expect(await countEvents(join(app, 'restored/events.db'))).toBe(
        await countEvents(join(app, 'data/events.db')),
      );
    },
  },
};
