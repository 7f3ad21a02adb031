import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OBS_ERROR_CODES, ObsError, ObsValidationError } from './errors.js';
import type { EventRecord } from './event-record.js';
import type { Sink, SinkHealth } from './sink.js';
import { createMemorySink } from './testing/memory-sink.js';
import { describeSinkContract } from './testing/sink-contract.js';
import type {
  FaultySinkUnderTest,
  MakeSink,
  SinkCapabilities,
  SinkContractTestApi,
  SinkUnderTest,
} from './testing/sink-contract-types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../test-fixtures/${name}`, import.meta.url));

const memory = (): SinkUnderTest => {
  const sink = createMemorySink();
  return { sink, stored: async () => [...sink.lines] };
};

const memoryCapabilities: SinkCapabilities = {
  bytes: true,
  redelivery: { unsupported: 'keeps every batch it is given, retries included' },
  badOptions: { unsupported: 'its options are a test double’s knobs, not validated' },
  health: { unsupported: 'no health(): nothing to probe' },
  bareProcess: { module: fixture('contract-memory-sink.mjs') },
};

describeSinkContract('memory sink', memory, { test: { describe, it, expect }, ...memoryCapabilities });

/** Registers the suite with a recording test API and returns a runner of one test, found by part of its name. */
function contractOf(make: MakeSink, capabilities: Partial<SinkCapabilities>) {
  const tests = new Map<string, () => Promise<void>>();
  const skipped: string[] = [];
  const api: SinkContractTestApi = {
    describe: (_name, body) => body(),
    it: Object.assign((name: string, body: () => Promise<void>) => void tests.set(name, body), {
      skip: (name: string) => void skipped.push(name),
    }),
    expect,
  };
  describeSinkContract('broken', make, { ...memoryCapabilities, ...capabilities, test: api });
  return {
    names: [...tests.keys()],
    skipped,
    run(fragment: string): Promise<void> {
      const found = [...tests].filter(([name]) => name.includes(fragment));
      if (found.length !== 1) throw new Error(`${found.length} tests match "${fragment}"`);
      return found[0]![1]();
    },
  };
}

/** A memory-backed sink with some of its methods replaced. */
function broken(overrides: (store: string[]) => Partial<Sink>): MakeSink {
  return () => {
    const store: string[] = [];
    let closed = false;
    const sink: Sink = {
      name: 'broken',
      write(batch) {
        if (closed) throw new ObsError(OBS_ERROR_CODES.CLOSED, 'closed');
        for (const record of batch) store.push(record.json);
      },
      flush() {},
      close() {
        closed = true;
      },
      health: (): SinkHealth => ({ ok: !closed }),
      ...overrides(store),
    };
    return { sink, stored: async () => [...store] };
  };
}

describe('the sink contract catches', () => {
  it('registers every test, and skips what a sink does not support, naming why', () => {
    const contract = contractOf(memory, {});
    expect(contract.names).toHaveLength(6);
    expect(contract.skipped).toEqual([
      'a batch retried after a failure is not stored twice (unsupported: keeps every batch it is given, retries included)',
      'refuses bad options, naming each offending key (unsupported: its options are a test double’s knobs, not validated)',
      'reports health() (unsupported: no health(): nothing to probe)',
    ]);
  });

  it('a sink that stores re-serialized JSON instead of the canonical text', async () => {
    const contract = contractOf(
      broken((store) => ({
        write: (batch: readonly EventRecord[]) =>
          void store.push(...batch.map((r) => JSON.stringify(r.envelope))),
      })),
      {},
    );
    await expect(contract.run('byte for byte')).rejects.toThrow();
  });

  it('a sink that still takes writes after close, or throws a plain Error', async () => {
    const accepting = contractOf(
      broken(() => ({ close() {} })),
      {},
    );
    await expect(accepting.run('OBS_CLOSED')).rejects.toThrow(/write after close must throw/);
    let closed = false;
    const plain = contractOf(
      broken(() => ({
        write() {
          if (closed) throw new Error('closed');
        },
        close() {
          closed = true;
        },
      })),
      {},
    );
    await expect(plain.run('OBS_CLOSED')).rejects.toThrow();
  });

  it('a close() that never settles in a bare process (waiting on something unref’d)', async () => {
    const contract = contractOf(memory, { bareProcess: { module: fixture('contract-hanging-close.mjs') } });
    await expect(contract.run('bare node process')).rejects.toThrow(/close\(\) settled/);
  }, 30_000);

  it('a sink that claims event_id deduplication but stores a re-sent batch again', async () => {
    const contract = contractOf(memory, { redelivery: 'event_id' });
    await expect(contract.run('deduplicated by event_id')).rejects.toThrow();
    await expect(contract.run('not acknowledged')).rejects.toThrow();
  });

  it('a sink that claims to resume a partial write but writes the whole batch again', async () => {
    const faulty = (): FaultySinkUnderTest => {
      const store: string[] = [];
      let broke = true;
      const sink: Sink = {
        name: 'restarts',
        write(batch) {
          for (const [i, record] of batch.entries()) {
            if (broke && i === 1) throw new Error('disk full');
            store.push(record.json);
          }
        },
        flush() {},
        close() {},
      };
      const heal = () => {
        broke = false;
      };
      return { sink, stored: async () => [...store], heal };
    };
    const contract = contractOf(memory, { redelivery: { resume: faulty } });
    await expect(contract.run('stores only the rest')).rejects.toThrow();
    await expect(contract.run('is retried and each')).rejects.toThrow();
    await expect(contract.run('split in halves')).rejects.toThrow();
  });

  it('a flush() that resolves before the buffered writes are stored', async () => {
    const contract = contractOf(
      broken((store) => {
        const pending: string[] = [];
        return {
          write: (batch: readonly EventRecord[]) => void pending.push(...batch.map((r) => r.json)),
          close: () => void store.push(...pending.splice(0)),
        };
      }),
      {},
    );
    await expect(contract.run('flush resolves only after')).rejects.toThrow();
  });

  it('an options error that does not name every bad key, or is not an ObsError', async () => {
    const vague = contractOf(memory, {
      badOptions: {
        create: () => {
          throw new ObsValidationError('options', [{ path: 'dir', message: 'expected a directory' }]);
        },
        options: { dir: '', colour: 'red' },
        keys: ['dir', 'colour'],
      },
    });
    await expect(vague.run('bad options')).rejects.toThrow(/keys not named/);
    const plain = contractOf(memory, {
      badOptions: {
        create: () => {
          throw new Error('bad');
        },
        options: {},
        keys: [],
      },
    });
    await expect(plain.run('bad options')).rejects.toThrow(/ObsError/);
    const unknownKey = contractOf(memory, {
      badOptions: {
        create: () => {
          throw new ObsValidationError('options', [
            { path: 'rotation', message: 'Unrecognized key: "colour"' },
            { path: 'dir', message: 'expected a directory' },
          ]);
        },
        options: {},
        keys: ['dir', 'rotation.colour'],
      },
    });
    await expect(unknownKey.run('bad options')).resolves.toBeUndefined();
  });

  it('a health() with another shape, or still ok once closed', async () => {
    const shape = contractOf(
      broken(() => ({ health: () => ({ ok: true, status: 'fine' }) as SinkHealth })),
      {
        health: true,
      },
    );
    await expect(shape.run('health()')).rejects.toThrow(/only ok and detail/);
    const stale = contractOf(
      broken(() => ({ health: () => ({ ok: true }) })),
      { health: true },
    );
    await expect(stale.run('health()')).rejects.toThrow(/not ok once closed/);
    const good = contractOf(
      broken(() => ({})),
      { health: true },
    );
    await expect(good.run('health()')).resolves.toBeUndefined();
  });
});
