import type { CliArgs } from './args.js';
import type { Output } from './commands.js';
import { importCommand } from './import-command.js';
import { pruneCommand } from './prune-command.js';
import { verifyCommand } from './verify-command.js';

/** Commands that check or change a store instead of reading it; each returns its exit code. */
export const MAINTENANCE_COMMANDS: Record<string, (args: CliArgs, out: Output) => Promise<number>> = {
  verify: verifyCommand,
  import: importCommand,
  prune: pruneCommand,
};
