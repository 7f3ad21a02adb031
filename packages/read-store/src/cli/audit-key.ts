import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';

/** The audit key of `--key-file <path>` (its contents, trimmed), else `$OBS_AUDIT_KEY`, else none. */
export function auditKey(keyFile: string | undefined): string | undefined {
  if (keyFile === undefined) return process.env['OBS_AUDIT_KEY'] || undefined;
  try {
    return readFileSync(keyFile, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`--key-file: cannot read "${keyFile}": ${(error as Error).message}`);
  }
}
