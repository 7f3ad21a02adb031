import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ObsConfigError, ObsError } from './errors.js';
import { defineEventType } from './event-type.js';
import { createObservabilityFromEnv } from './from-env.js';
import { isNativeLoadError, isPackageNotFound } from './optional-package.js';
import { createMemorySink, type MemorySink } from './testing/memory-sink.js';

/** Node's own error for `import('<specifier>')` of a package that is not installed. */
const notInstalled = (specifier: string) =>
  Object.assign(
    new Error(`Cannot find package '${specifier}' imported from /app/node_modules/@obs/core/dist/x.js`),
    {
      code: 'ERR_MODULE_NOT_FOUND',
    },
  );

/** Stand-ins for the sink packages: each factory records its options and returns a memory sink. */
function fakePackages(installed: string[] = ['@obs/sink-jsonl', '@obs/sink-sqlite', '@obs/sink-stream']) {
  const sinks: Record<string, MemorySink> = {};
  const options: Record<string, unknown> = {};
  const server = { listening: false, closed: false };
  const make = (name: string) => (o: unknown) => {
    options[name] = o;
    sinks[name] = createMemorySink({ name });
    return sinks[name];
  };
  const modules: Record<string, Record<string, unknown>> = {
    '@obs/sink-jsonl': { createJsonlSink: make('jsonl') },
    '@obs/sink-sqlite': { createSqliteSink: make('sqlite') },
    '@obs/sink-console': { createConsoleSink: make('console') },
    '@obs/sink-stream': {
      createStreamSink: () => Object.assign(make('stream')(undefined), { bus: { fake: 'bus' } }),
      createStreamServer: (o: unknown) => {
        options['streamServer'] = o;
        return {
          url: 'ws://127.0.0.1:4601/v1/stream',
          listen: async () => {
            server.listening = true;
          },
          close: async () => {
            server.closed = true;
          },
        };
      },
    },
  };
  const imported: string[] = [];
  const importModule = async (specifier: string) => {
    imported.push(specifier);
    if (!installed.includes(specifier)) throw notInstalled(specifier);
    return modules[specifier];
  };
  return { sinks, options, server, modules, imported, importModule };
}

const base = { exitHooks: false, defaultRunId: 'run-1' } as const;

describe('createObservabilityFromEnv', () => {
  it('OBS_MODE=file_only composes the JSONL sink only, under OBS_DATA_DIR, and never imports SQLite', async () => {
    const fake = fakePackages(['@obs/sink-jsonl']);
    const obs = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'file_only', OBS_DATA_DIR: '/data', OBS_SOURCE: 'shop' },
      importModule: fake.importModule,
    });
    expect(fake.imported).toEqual(['@obs/sink-jsonl']);
    expect(fake.options['jsonl']).toEqual({ dir: '/data/jsonl' });
    expect(obs.config).toMatchObject({
      mode: 'file_only',
      source: 'shop',
      stores: { sqlite: false, jsonl: true },
    });
    expect(obs.streamUrl).toBeUndefined();
    obs.emit('log', { level: 'info', message: 'hi' });
    await obs.shutdown();
    expect(fake.sinks['jsonl']!.events.map((e) => [e.event_type, e.source])).toEqual([['log', 'shop']]);
    expect(fake.sinks['jsonl']!.closed).toBe(true);
  });

  it('OBS_MODE=dual composes SQLite and JSONL; OBS_STREAM=1 adds the stream and its server, closed on shutdown', async () => {
    const fake = fakePackages();
    const obs = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'dual', OBS_DATA_DIR: '/d', OBS_STREAM: '1', OBS_STREAM_PORT: '0' },
      importModule: fake.importModule,
    });
    expect(fake.imported.sort()).toEqual(['@obs/sink-jsonl', '@obs/sink-sqlite', '@obs/sink-stream']);
    expect(fake.options['sqlite']).toEqual({ path: '/d/events.db' });
    expect(fake.options['streamServer']).toEqual({ bus: { fake: 'bus' }, port: 0 });
    expect(fake.server.listening).toBe(true);
    expect(obs.streamUrl).toBe('ws://127.0.0.1:4601/v1/stream');
    expect(obs.stats().sinks.map((s) => s.name)).toEqual(['sqlite', 'jsonl', 'stream']);
    obs.emit('tool.call', { tool: 'search' });
    await obs.shutdown();
    for (const name of ['sqlite', 'jsonl', 'stream']) expect(fake.sinks[name]!.events).toHaveLength(1);
    expect(fake.server.closed).toBe(true);
  });

  it('OBS_TRACE=1 adds the console trace, and says which package to install when it is missing', async () => {
    const fake = fakePackages(['@obs/sink-jsonl', '@obs/sink-console']);
    const env = { OBS_MODE: 'file_only', OBS_TRACE: '1' };
    const obs = await createObservabilityFromEnv({ ...base, env, importModule: fake.importModule });
    expect(fake.imported).toEqual(['@obs/sink-jsonl', '@obs/sink-console']);
    obs.emit('log', { level: 'info', message: 'traced' });
    await obs.shutdown();
    expect(fake.sinks['console']!.events.map((e) => e.event_type)).toEqual(['log']);
    const missing = fakePackages(['@obs/sink-jsonl']);
    await expect(
      createObservabilityFromEnv({ ...base, env, importModule: missing.importModule }),
    ).rejects.toThrow('OBS_TRACE=1 needs @obs/sink-console: npm i @obs/sink-console');
  });

  it('OBS_MODE=dual without @obs/sink-sqlite says which package to install, and makes no sink', async () => {
    const fake = fakePackages(['@obs/sink-jsonl']);
    const error = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'dual' },
      importModule: fake.importModule,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObsConfigError);
    expect((error as ObsConfigError).code).toBe('OBS_CONFIG');
    expect((error as Error).message).toBe('OBS_MODE=dual needs @obs/sink-sqlite: npm i @obs/sink-sqlite');
    expect((error as ObsConfigError).issues).toEqual([
      { path: 'OBS_MODE', message: 'dual needs @obs/sink-sqlite, which is not installed' },
    ]);
    expect(fake.sinks['jsonl']).toBeUndefined();
  });

  it('lists every missing package in one message, and says when OBS_MODE was left to its default', async () => {
    const fake = fakePackages([]);
    const error = (await createObservabilityFromEnv({
      ...base,
      env: { OBS_STREAM: 'true' },
      importModule: fake.importModule,
    }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      'OBS_MODE=dual needs @obs/sink-sqlite and @obs/sink-jsonl; OBS_STREAM=true needs @obs/sink-stream: ' +
        'npm i @obs/sink-sqlite @obs/sink-jsonl @obs/sink-stream ' +
        '(OBS_MODE is unset and defaults to dual; OBS_MODE=file_only needs only @obs/sink-jsonl)',
    );
  });

  it('tells a package that is installed but fails to load (its own dependency missing) from a missing one', async () => {
    const fake = fakePackages();
    const inner = notInstalled('better-sqlite3');
    const error = (await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'db_only' },
      importModule: async (specifier) => {
        if (specifier === '@obs/sink-sqlite') throw inner;
        return fake.importModule(specifier);
      },
    }).catch((e: unknown) => e)) as ObsConfigError;
    expect(error).toBeInstanceOf(ObsConfigError);
    expect(error.message).toMatch(
      /^OBS_MODE=db_only needs @obs\/sink-sqlite, which is installed but failed to load: Cannot find package 'better-sqlite3'/,
    );
    expect(error.cause).toBe(inner);
  });

  it('a native binding that fails when the sink opens is reported as a load failure, with the cause and a fix', async () => {
    const fake = fakePackages();
    const binding = new Error(
      'Could not locate the bindings file. Tried:\n → /app/build/better_sqlite3.node',
    );
    fake.modules['@obs/sink-sqlite']!['createSqliteSink'] = () => {
      throw new ObsError('OBS_SINK', `cannot open SQLite database "x": ${binding.message}`, {
        cause: binding,
      });
    };
    const error = (await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'dual' },
      importModule: fake.importModule,
    }).catch((e: unknown) => e)) as ObsConfigError;
    expect(error).toBeInstanceOf(ObsConfigError);
    expect(error.message).toContain(
      'OBS_MODE=dual needs @obs/sink-sqlite, which is installed but failed to load:',
    );
    expect(error.message).toContain('Could not locate the bindings file');
    expect(error.message).toContain('npm rebuild better-sqlite3');
    expect((error.cause as Error).cause).toBe(binding);
  });

  it('a sink that fails to start closes the ones made before it and throws its own error', async () => {
    const fake = fakePackages();
    const refused = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:4601'), {
      code: 'EADDRINUSE',
    });
    const stream = fake.modules['@obs/sink-stream']!;
    const makeServer = stream['createStreamServer'] as (o: unknown) => object;
    stream['createStreamServer'] = (o: unknown) => ({
      ...makeServer(o),
      listen: async () => Promise.reject(refused),
    });
    const error = await createObservabilityFromEnv({
      ...base,
      env: { OBS_STREAM: '1' },
      importModule: fake.importModule,
    }).catch((e: unknown) => e);
    expect(error).toBe(refused);
    for (const name of ['sqlite', 'jsonl', 'stream']) expect(fake.sinks[name]!.closed).toBe(true);
  });

  it('an installed package without the factory names what is missing', async () => {
    const fake = fakePackages();
    fake.modules['@obs/sink-jsonl'] = {};
    const error = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'file_only' },
      importModule: fake.importModule,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObsConfigError);
    expect((error as Error).message).toBe(
      '@obs/sink-jsonl does not export createJsonlSink(); install a version that does: npm i @obs/sink-jsonl@latest',
    );
  });

  it('stores are lossless (block) by default and follow OBS_OVERFLOW when it is set', async () => {
    const dropped = async (env: Record<string, string>) => {
      const fake = fakePackages();
      const obs = await createObservabilityFromEnv({
        ...base,
        env: { OBS_MODE: 'file_only', ...env },
        config: { queue: { capacity: 2 } },
        importModule: fake.importModule,
      });
      for (let i = 0; i < 3; i++) obs.emit('log', { level: 'info', message: `m${i}` }); // before any linger ends
      const stats = obs.stats().sinks[0]!;
      await obs.shutdown();
      return stats.dropped;
    };
    expect(await dropped({})).toBe(0);
    expect(await dropped({ OBS_OVERFLOW: 'drop-newest' })).toBe(1);
  });

  it('code overrides win over the environment; dataDir moves the derived paths', async () => {
    const fake = fakePackages();
    const obs = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'db_only', OBS_DATA_DIR: '/env', OBS_SOURCE: 'env-name' },
      config: { mode: 'dual', dataDir: '/code', source: 'code-name' },
      importModule: fake.importModule,
    });
    expect(obs.config).toMatchObject({
      mode: 'dual',
      source: 'code-name',
      sqlitePath: '/code/events.db',
      jsonlDir: '/code/jsonl',
    });
    expect(fake.options['jsonl']).toEqual({ dir: '/code/jsonl' });
    await obs.shutdown();
  });

  it('a bad override or variable is an ObsConfigError naming it', async () => {
    const fake = fakePackages();
    await expect(
      createObservabilityFromEnv({
        ...base,
        config: { mode: 'both' as 'dual' },
        importModule: fake.importModule,
      }),
    ).rejects.toThrow(/config\.mode: expected one of db_only, file_only, dual/);
    await expect(
      createObservabilityFromEnv({ ...base, env: { OBS_MODE: 'both' }, importModule: fake.importModule }),
    ).rejects.toThrow(/OBS_MODE: "both"/);
    expect(fake.imported).toEqual([]);
  });

  it('adds application event types and extra sinks, and merges redaction keys with OBS_REDACT_KEYS', async () => {
    const fake = fakePackages();
    const extra = createMemorySink({ name: 'extra' });
    const Checkout = defineEventType(
      'shop.checkout',
      z.strictObject({ cart_id: z.string(), secret_note: z.string() }),
    );
    const obs = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'file_only', OBS_REDACT_KEYS: 'cart_id' },
      eventTypes: [Checkout],
      sinks: [extra],
      redaction: { redactKeys: ['secret_note'] },
      importModule: fake.importModule,
    });
    obs.emit('shop.checkout', { cart_id: 'c-1', secret_note: 'x' });
    await obs.shutdown();
    expect(extra.events[0]!.payload).toEqual({ cart_id: '[REDACTED]', secret_note: '[REDACTED]' });
    expect(fake.sinks['jsonl']!.lines).toEqual(extra.lines);
  });

  it('installs exit hooks by default and removes them on shutdown; exitHooks: false installs none', async () => {
    const fake = fakePackages();
    const before = process.listenerCount('SIGTERM');
    const obs = await createObservabilityFromEnv({
      env: { OBS_MODE: 'file_only' },
      importModule: fake.importModule,
    });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await obs.shutdown();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    const quiet = await createObservabilityFromEnv({
      ...base,
      env: { OBS_MODE: 'file_only' },
      importModule: fake.importModule,
    });
    expect(process.listenerCount('SIGTERM')).toBe(before);
    await quiet.shutdown();
  });
});

describe('telling a missing package from a broken one', () => {
  it("matches Node's real error for a package that is not installed, and only for that specifier", () => {
    // plain Node (not vitest's module runner), so the error is exactly what users get
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "await import('@obs/not-installed-anywhere').catch((e) => console.log(JSON.stringify({ code: e.code, message: e.message })))",
      ],
      { encoding: 'utf8' },
    );
    const { code, message } = JSON.parse(out) as { code: string; message: string };
    const error = Object.assign(new Error(message), { code });
    expect(code).toBe('ERR_MODULE_NOT_FOUND');
    expect(isPackageNotFound(error, '@obs/not-installed-anywhere')).toBe(true);
    expect(isPackageNotFound(error, '@obs/not-installed')).toBe(false);
    expect(isPackageNotFound(new Error("Cannot find package '@obs/not-installed-anywhere'"), '@obs/x')).toBe(
      false,
    );
  });

  it('recognises a native addon failure anywhere in the cause chain', () => {
    const dlopen = Object.assign(new Error('libstdc++.so.6: cannot open shared object file'), {
      code: 'ERR_DLOPEN_FAILED',
    });
    expect(isNativeLoadError(new Error('wrapped', { cause: dlopen }))).toBe(true);
    expect(
      isNativeLoadError(
        new Error(
          'The module was compiled against a different Node.js version using NODE_MODULE_VERSION 115',
        ),
      ),
    ).toBe(true);
    expect(isNativeLoadError(new Error('EACCES: permission denied'))).toBe(false);
  });
});
