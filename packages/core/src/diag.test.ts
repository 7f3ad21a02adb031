import { describe, expect, it } from 'vitest';
import { type DiagLogger, diag } from './diag.js';

type Line = [level: string, message: string, detail?: Record<string, unknown>];

function recorder(
  levels: readonly ('error' | 'warn' | 'info' | 'debug')[] = ['error', 'warn', 'info', 'debug'],
) {
  const lines: Line[] = [];
  const logger: DiagLogger = { error() {}, warn() {} };
  for (const level of levels) logger[level] = (message, detail) => void lines.push([level, message, detail]);
  return { logger, lines };
}

describe('diag', () => {
  it('prefixes the component and passes the detail through', () => {
    const { logger, lines } = recorder();
    const log = diag(logger, 'sink-sqlite');
    log.warn('the checkpoint thread stopped', { code: 'SQLITE_IOERR' });
    log.error('gave up');
    expect(log.component).toBe('sink-sqlite');
    expect(lines).toEqual([
      ['warn', '[sink-sqlite] the checkpoint thread stopped', { code: 'SQLITE_IOERR' }],
      ['error', '[sink-sqlite] gave up', undefined],
    ]);
  });

  it('is silent without a logger', () => {
    const log = diag(undefined, 'core');
    expect(() => {
      log.error('e');
      log.warn('w');
      log.info('i');
      log.debug('d');
    }).not.toThrow();
  });

  it('swallows a throwing logger, and a rejecting async one', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const log = diag(
        {
          error() {
            throw new Error('broken logger');
          },
          warn: (() => Promise.reject(new Error('async broken logger'))) as DiagLogger['warn'],
          info() {
            throw 'not even an Error';
          },
        },
        'backup-s3',
      );
      expect(() => log.error('x')).not.toThrow();
      expect(() => log.warn('x')).not.toThrow();
      expect(() => log.info('x')).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('drops levels below options.level', () => {
    const { logger, lines } = recorder();
    const log = diag(logger, 'core', { level: 'warn' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map(([level]) => level)).toEqual(['warn', 'error']);
  });

  it('passes every level by default and drops info/debug the logger does not implement', () => {
    const full = recorder();
    const all = diag(full.logger, 'core');
    for (const level of ['error', 'warn', 'info', 'debug'] as const) all[level](level);
    expect(full.lines.map(([level]) => level)).toEqual(['error', 'warn', 'info', 'debug']);

    const partial = recorder(['error', 'warn']);
    const some = diag(partial.logger, 'core');
    some.info('i');
    some.debug('d');
    some.warn('w');
    expect(partial.lines).toEqual([['warn', '[core] w', undefined]]);
  });

  it('calls the logger as a method, keeping `this`', () => {
    const seen: string[] = [];
    class Logger implements DiagLogger {
      readonly prefix = 'host';
      error(message: string) {
        seen.push(`${this.prefix} ${message}`);
      }
      warn(message: string) {
        seen.push(`${this.prefix} ${message}`);
      }
    }
    diag(new Logger(), 'sink-stream').warn('slow client');
    expect(seen).toEqual(['host [sink-stream] slow client']);
  });
});
