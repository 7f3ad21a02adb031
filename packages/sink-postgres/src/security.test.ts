import { createObservability, type DiagLogger, EventRecord, ObsValidationError } from '@obs/core';
import { makeEnvelope } from '@obs/core/testing';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { built } from './test/built.js';
import { dropSchema, withSchema } from './test/schema-client.js';
import { freshSchema } from './testing/fresh-schema.js';

const { createPostgresSink } = await built<typeof import('./index.js')>('index.js');
const url = inject('pgUrl');
const password = decodeURIComponent(new URL(url).password);
const schemas: string[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await dropSchema(url, s);
});

/** A logger that keeps every line, to search for the password. */
function recordingLogger(): DiagLogger & { text(): string } {
  const lines: string[] = [];
  const keep = (message: string, detail?: Record<string, unknown>) =>
    lines.push(message + JSON.stringify(detail ?? {}));
  return { error: keep, warn: keep, info: keep, debug: keep, text: () => lines.join('\n') };
}

const everything = (error: unknown) =>
  JSON.stringify(error, Object.getOwnPropertyNames(error ?? {})) +
  String(error) +
  String((error as Error)?.stack);

describe('the password of a connection URL never shows', () => {
  it('not in write errors, logs, stats() or health() when the server is unreachable', async () => {
    const dead = new URL(url);
    dead.port = '1'; // nothing listens there
    const logger = recordingLogger();
    const errors: unknown[] = [];
    const sink = createPostgresSink({ url: dead.href, schema: 'nowhere', connectTimeoutMs: 500, logger });
    const obs = createObservability({
      source: 's',
      defaultRunId: 'r',
      logger,
      onError: (e) => errors.push(e),
      sinks: [{ sink, queue: { maxRetries: 1, retryBaseMs: 1 } }],
    });
    obs.emit('log', { level: 'info', message: 'x' });
    await obs.flush();
    const stats = obs.stats();
    await obs.shutdown();
    expect(errors.length).toBeGreaterThan(0);
    expect(stats.sinks[0]!.last_error).toContain('postgres://obs:***@127.0.0.1:1/postgres');
    const seen = [
      logger.text(),
      JSON.stringify(stats),
      JSON.stringify(sink.health?.()),
      sink.url,
      ...errors.map(everything),
    ];
    for (const text of seen) expect(text).not.toContain(password);
    await expect(sink.ready()).rejects.toThrow(/\*\*\*/);
    expect(everything(await sink.ready().catch((e: unknown) => e))).not.toContain(password);
  });

  it('not when the password is wrong (the server says so without it)', async () => {
    const wrong = new URL(url);
    wrong.password = `${password}-but-wrong`;
    const sink = createPostgresSink({ url: wrong.href, schema: 'nowhere' });
    const error = await sink.ready().catch((e: unknown) => e);
    expect(String(error)).toMatch(/password authentication failed/);
    expect(everything(error)).not.toContain(password);
    await sink.close();
  });

  it('not in an options error', () => {
    let error: unknown;
    try {
      createPostgresSink({ url: `mysql://obs:${password}@db/x`, schema: 'x' } as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ObsValidationError);
    expect(everything(error)).not.toContain(password);
  });
});

describe('TLS options reach the driver', () => {
  it('ssl: true asks the server for TLS (the test server has none, and says so)', async () => {
    const sink = createPostgresSink({ url, schema: 'tls', ssl: { rejectUnauthorized: true } });
    await expect(sink.ready()).rejects.toThrow(/does not support SSL/);
    await sink.close();
  });
});

describe('every value reaches SQL as a parameter or as escaped COPY text', () => {
  it('stores hostile run ids, sources and sessions as they are', async () => {
    const schema = freshSchema('hostile');
    schemas.push(schema);
    const hostile = [
      "'; DROP TABLE events; --",
      'tab\there\nnew line\\N back\\slash\r',
      '$1 $$ quoted $$ \\. end',
      '"); SELECT pg_sleep(10); --',
    ];
    const envelopes = hostile.map((h, i) =>
      makeEnvelope(i + 1, {
        run_id: h,
        source: h,
        session_id: h,
        parent_event_id: h,
        payload: { level: 'info', message: h },
      }),
    );
    const sink = createPostgresSink({ url, schema });
    await sink.write(envelopes.map((e) => new EventRecord(e)));
    await sink.close();
    const rows = await withSchema(
      url,
      schema,
      async (c) =>
        (await c.query('SELECT run_id, source, session_id, parent_event_id FROM events ORDER BY id')).rows,
    );
    expect(rows).toEqual(hostile.map((h) => ({ run_id: h, source: h, session_id: h, parent_event_id: h })));
    const runs = await withSchema(
      url,
      schema,
      async (c) => (await c.query('SELECT run_id FROM runs ORDER BY run_id')).rows,
    );
    expect(runs.map((r) => r['run_id'])).toEqual([...hostile].sort());
  });
});
