import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeSinkContract } from '@obs/core/testing';
import { describe, expect, it } from 'vitest';
import { createJsonlSink } from './jsonl-sink.js';
import { JSONL_DURABILITIES } from './options.js';
import { tempDir } from './test/helpers.js';

/** Every line of the trail files in `dir`, as the bytes on disk (a torn last line stays visible). */
function linesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const text = readFileSync(join(dir, entry.name), 'utf8');
      return text === '' ? [] : (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    });
}

for (const durability of JSONL_DURABILITIES) {
  describeSinkContract(
    `jsonl (durability: ${durability})`,
    () => {
      const { dir, cleanup } = tempDir();
      return { sink: createJsonlSink({ dir, durability }), stored: async () => linesIn(dir), cleanup };
    },
    {
      test: { describe, it, expect },
      bytes: true,
      // no event_id index to skip a re-sent event: a write that fails part-way remembers which lines
      // reached a file and the retry (the batch, or a half of it) appends only the rest
      redelivery: {
        resume: () => {
          const { dir, cleanup } = tempDir();
          // one file per type; a directory where log.jsonl goes makes its open fail (EISDIR) after
          // the tool.call lines of the same batch are in their file
          const blocked = join(dir, 'log.jsonl');
          mkdirSync(blocked);
          return {
            sink: createJsonlSink({ dir, durability, routeBy: 'event_type' }),
            stored: async () => linesIn(dir),
            heal: () => rmdirSync(blocked),
            cleanup,
          };
        },
      },
      badOptions: {
        create: (options) => createJsonlSink(options as never),
        options: {
          dir: '',
          durability: 'never',
          fileName: 'a/b',
          rotation: { maxBytes: 10, colour: 1 },
          nope: 1,
        },
        keys: ['dir', 'durability', 'fileName', 'rotation.maxBytes', 'rotation.colour', 'nope'],
      },
      health: true,
      bareProcess: {
        module: fileURLToPath(new URL('../test-fixtures/contract-sink.mjs', import.meta.url)),
        arg: { durability },
      },
    },
  );
}
