#!/usr/bin/env node
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { ObsError } from '@obs/core';
import { parseCliArgs, UsageError } from './cli/args.js';
import { COMMANDS, runCommand } from './cli/commands.js';
import { skippedLinesText } from './cli/format.js';
import { HELP } from './cli/help.js';
import { MAINTENANCE_COMMANDS } from './cli/maintenance.js';
import { openReadStore } from './open-read-store.js';
import { ReadStoreError } from './read-store-error.js';

/** Writes to stdout, waiting when the pipe is full; a closed pipe (`obs … | head`) ends quietly. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

function defaultStore(): string {
  const fromEnv = process.env['OBS_STORE'];
  if (fromEnv) return fromEnv;
  const dbs = readdirSync('.').filter((name) => name.endsWith('.db'));
  if (dbs.length === 1) return dbs[0]!;
  throw new UsageError(
    dbs.length === 0
      ? 'no store given: pass --store <file.db | trail dir | postgres://…> or set OBS_STORE'
      : `several .db files here (${dbs.join(', ')}): pass --store <path>`,
  );
}

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.values.help || args.command === undefined || args.command === 'help') {
    await write(HELP);
    return args.command === undefined && !args.values.help ? 2 : 0;
  }
  const maintenance = MAINTENANCE_COMMANDS[args.command];
  if (maintenance !== undefined) return maintenance(args, { write });
  if (!COMMANDS.includes(args.command)) throw new UsageError(`unknown command "${args.command}"`);
  const schema = process.env['OBS_POSTGRES_SCHEMA'];
  const store = await openReadStore(
    args.values.store ?? defaultStore(),
    schema ? { postgres: { schema } } : {},
  );
  try {
    await runCommand(store, args, { write });
    const skipped = store.skippedLines?.();
    if (skipped === undefined || skipped.count === 0) return 0;
    process.stderr.write(`obs: ${skippedLinesText(skipped)}\n`);
    return args.values.strict ? 3 : 0;
  } finally {
    await store.close();
  }
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`obs: ${error.message}\nRun "obs --help" for usage.\n`);
      process.exitCode = 2;
    } else if (error instanceof ReadStoreError) {
      process.stderr.write(`obs: ${error.message}\n`);
      process.exitCode = error.code === 'NOT_FOUND' ? 1 : 2;
    } else if (error instanceof ObsError) {
      process.stderr.write(`obs: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`obs: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
