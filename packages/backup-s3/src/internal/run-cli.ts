import { parseArgs } from 'node:util';
import { ObsError } from '@obs/core';
import type { S3BackupOptions } from '../options.js';
import { createS3Backup } from '../s3-backup.js';

const USAGE = `usage: obs-backup <command> [options]

commands:
  run       --db <path> [--no-drill]             snapshot, compress, upload, restore drill, then retention
  list      [--json]                             backups under the prefix, newest first
  restore   (--key <key> | --latest) --to <path> [--overwrite]
  prune     [--keep-last N] [--max-age-days D]   delete backups retention no longer keeps

target (flag or environment variable):
  --bucket        OBS_BACKUP_BUCKET     (required)
  --prefix        OBS_BACKUP_PREFIX     (default obs-backups)
  --endpoint      OBS_BACKUP_ENDPOINT   S3-compatible endpoint URL
  --region        OBS_BACKUP_REGION     (else AWS_REGION, else us-east-1)
  --path-style    OBS_BACKUP_PATH_STYLE=1
  --db            OBS_BACKUP_DB
  --keep-last     OBS_BACKUP_KEEP_LAST
  --max-age-days  OBS_BACKUP_MAX_AGE_DAYS
  --level         compression level 0-9 (default 9)
credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …), never from flags.`;

/** Where the CLI writes. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

/** Codes of the `obs-backup` command line's own failures. */
const CLI_ERROR_CODES = { USAGE: 'USAGE' } as const;

/** A bad command, option or argument: exit code 2. */
class UsageError extends ObsError<typeof CLI_ERROR_CODES.USAGE> {
  constructor(message: string) {
    super(CLI_ERROR_CODES.USAGE, message);
    this.name = 'UsageError';
  }
}

/** Runs `obs-backup` with `argv` (without node and script); returns the exit code: 0 ok, 1 failure, 2 usage. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let command: string | undefined;
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        bucket: { type: 'string' },
        prefix: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
        'path-style': { type: 'boolean' },
        db: { type: 'string' },
        'keep-last': { type: 'string' },
        'max-age-days': { type: 'string' },
        level: { type: 'string' },
        'no-drill': { type: 'boolean' },
        key: { type: 'string' },
        latest: { type: 'boolean' },
        to: { type: 'string' },
        overwrite: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    command = parsed.positionals[0];
    if (values['help'] || command === 'help') {
      io.out(USAGE);
      return 0;
    }
    if (!command || !['run', 'list', 'restore', 'prune'].includes(command)) {
      throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
    }
    if (parsed.positionals.length > 1) throw new UsageError(`unexpected argument "${parsed.positionals[1]}"`);
  } catch (error) {
    io.err(`obs-backup: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const env = io.env;
  const str = (flag: string, name: string) => (values[flag] as string | undefined) ?? env[name];
  let backup: ReturnType<typeof createS3Backup> | undefined;
  try {
    const bucket = str('bucket', 'OBS_BACKUP_BUCKET');
    if (!bucket) throw new UsageError('no bucket: pass --bucket or set OBS_BACKUP_BUCKET');
    const keepLast = int(str('keep-last', 'OBS_BACKUP_KEEP_LAST'), '--keep-last');
    const maxAgeDays = num(str('max-age-days', 'OBS_BACKUP_MAX_AGE_DAYS'), '--max-age-days');
    const level = int(values['level'] as string | undefined, '--level');
    const endpoint = str('endpoint', 'OBS_BACKUP_ENDPOINT');
    const region = str('region', 'OBS_BACKUP_REGION');
    const prefix = str('prefix', 'OBS_BACKUP_PREFIX');
    const database = str('db', 'OBS_BACKUP_DB');
    const pathStyle =
      values['path-style'] === true || /^(1|true|yes)$/i.test(env['OBS_BACKUP_PATH_STYLE'] ?? '');
    const options: S3BackupOptions = {
      s3: {
        bucket,
        ...(prefix !== undefined ? { prefix } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(region ? { region } : {}),
        ...(pathStyle ? { forcePathStyle: true } : {}),
      },
      ...(database ? { database } : {}),
      ...(level !== undefined ? { compressionLevel: level } : {}),
      ...(values['no-drill'] === true ? { restoreDrill: false } : {}),
      ...(keepLast !== undefined || maxAgeDays !== undefined
        ? {
            retention: {
              ...(keepLast !== undefined ? { keepLast } : {}),
              ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
            },
          }
        : {}),
    };
    if (command === 'run' && !database)
      throw new UsageError('run needs the database: pass --db or set OBS_BACKUP_DB');
    if (command === 'restore') {
      if (!values['to']) throw new UsageError('restore needs --to <path>');
      if (Boolean(values['key']) === Boolean(values['latest']))
        throw new UsageError('restore needs exactly one of --key <key> and --latest');
    }
    backup = createS3Backup(options);
    switch (command) {
      case 'run': {
        const r = await backup.run();
        if (values['json']) io.out(JSON.stringify({ ...r, pruneError: r.pruneError?.message }));
        else {
          io.out(
            `backed up ${r.eventCount} events (${mb(r.databaseBytes)} → ${mb(r.bytes)}, ${pct(r.bytes, r.databaseBytes)}) to ${r.key} in ${r.durationMs} ms; ${r.verified ? `restore drill passed in ${r.drillMs} ms` : 'not verified (--no-drill)'}`,
          );
          for (const k of r.pruned) io.out(`pruned ${k}`);
          if (r.pruneError) io.err(`obs-backup: warning: ${r.pruneError.message}`);
        }
        return 0;
      }
      case 'list': {
        const list = await backup.listBackups();
        if (values['json']) io.out(JSON.stringify(list));
        else if (list.length === 0) io.out(`no backups under s3://${bucket}/${backup.prefix}`);
        else
          for (const b of list)
            io.out(`${b.createdAt.toISOString()}  ${mb(b.bytes).padStart(10)}  ${b.host}  ${b.key}`);
        return 0;
      }
      case 'restore': {
        const r = await backup.restore({
          ...(values['latest'] ? { latest: true } : { key: values['key'] as string }),
          to: values['to'] as string,
          overwrite: values['overwrite'] === true,
        });
        io.out(`restored ${r.key} to ${r.path} (${r.manifest.event_count} events, sha256 verified)`);
        return 0;
      }
      default: {
        if (keepLast === undefined && maxAgeDays === undefined)
          throw new UsageError('prune needs --keep-last and/or --max-age-days');
        const deleted = await backup.prune();
        io.out(deleted.length === 0 ? 'nothing to prune' : deleted.map((k) => `pruned ${k}`).join('\n'));
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`obs-backup: ${error.message} (see obs-backup --help)`);
      return 2;
    }
    const code = error instanceof ObsError ? ` [${error.code}]` : '';
    io.err(`obs-backup: ${(error as Error).message}${code}`);
    return 1;
  } finally {
    backup?.close();
  }
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} expects a positive number, got "${value}"`);
  return n;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(2)} MB`;
const pct = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a');
