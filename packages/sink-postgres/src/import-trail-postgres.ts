import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OBS_ERROR_CODES, ObsError } from '@obs/core';
import {
  importTrailInThread,
  type JsonlCursor,
  postgresPasswordRedactor,
  readTrailImportPosition,
  safePostgresUrl,
  type TrailImportProgress,
  type TrailImportResult,
  writeTrailImportPosition,
} from '@obs/store-format';
import { ImportWriter } from './internal/import-writer.js';
import { parsePostgresSinkOptions } from './options.js';

/** Options of {@link importTrailPostgres}. */
export interface ImportTrailPostgresOptions {
  /** The PostgreSQL store to fill: `postgres://…` (the schema is created or migrated when missing). */
  into: string;
  /** Schema obs writes into (default `obs`). */
  schema?: string;
  /** TLS settings as the sink takes them. */
  ssl?: boolean | Record<string, unknown>;
  /** Events per transaction (default 5000). */
  batchSize?: number;
  /** Batches written at once, each on its own connection (default 3). */
  connections?: number;
  /** Continue after the last saved position of an earlier, interrupted import of this trail into this store (default true). */
  resume?: boolean;
  /** Where the position is kept; default {@link importPositionPath}. */
  positionFile?: string;
  /** Called after each committed batch. */
  onProgress?: (progress: ImportPostgresProgress) => void;
}

/** Where an import stands (the shared trail-import loop's progress). */
export type ImportPostgresProgress = TrailImportProgress;

/** What an import did. */
export type ImportPostgresResult = TrailImportResult;

interface SavedPosition {
  trail: string;
  store: string;
  cursor: JsonlCursor;
}

/**
 * The default position file of an import of `trail` into `url`/`schema`: in the OS temp directory,
 * named by a hash of the trail's absolute path, the password-free URL and the schema.
 */
export function importPositionPath(trail: string, url: string, schema = 'obs'): string {
  const hash = createHash('sha256')
    .update(`${resolve(trail)}\n${safePostgresUrl(url)}\n${schema}`)
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), `obs-pg-import-${hash}.json`);
}

/**
 * Rebuilds (or tops up) a PostgreSQL store from a JSONL trail through the sink's own batch writer
 * (the same `COPY`, summary and rollup SQL), so run and session summaries and stats rollups come out
 * as if the events had been written live. A second thread reads and checks the lines; up to
 * `connections` batches are written at once, each canonical line stored as read.
 * Idempotent by `event_id` (a rerun inserts nothing); after a kill, running it again continues from
 * the last saved position, and whatever was committed after it is skipped as a duplicate.
 * Throws `ObsValidationError` for bad options; write errors name the server by its password-free URL.
 */
export async function importTrailPostgres(
  trail: string,
  options: ImportTrailPostgresOptions,
): Promise<ImportPostgresResult> {
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `batchSize must be a whole number from 1 to 100000, got ${batchSize}`,
    );
  }
  const connections = options.connections ?? 3;
  if (!Number.isInteger(connections) || connections < 1 || connections > 32) {
    throw new ObsError(
      OBS_ERROR_CODES.VALIDATION,
      `connections must be a whole number from 1 to 32, got ${connections}`,
    );
  }
  const settings = parsePostgresSinkOptions({
    url: options.into,
    name: 'import',
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  const started = performance.now();
  const store = `${safePostgresUrl(settings.url)}#${settings.schema}`;
  const positionPath = options.positionFile ?? importPositionPath(trail, settings.url, settings.schema);
  const saved =
    options.resume === false
      ? undefined
      : readTrailImportPosition<SavedPosition>(
          positionPath,
          (p) => p.trail === resolve(trail) && p.store === store,
        );
  const writer = new ImportWriter(
    {
      url: settings.url,
      schema: settings.schema,
      ssl: settings.ssl,
      connectTimeoutMs: settings.connectTimeoutMs,
      applicationName: settings.applicationName,
    },
    {
      connections,
      partitionsAhead: settings.partitionsAhead,
      redact: postgresPasswordRedactor(settings.url),
    },
  );
  let progress: ImportPostgresProgress;
  try {
    await writer.open();
    progress = await importTrailInThread(
      { trail, batchSize, concurrency: connections, ...(saved ? { from: saved } : {}) },
      (events) => writer.write(events),
      (p, cursor) => {
        writeTrailImportPosition(positionPath, {
          trail: resolve(trail),
          store,
          cursor,
        } satisfies SavedPosition);
        options.onProgress?.(p);
      },
    );
  } finally {
    await writer.close();
  }
  rmSync(positionPath, { force: true });
  return { ...progress, seconds: (performance.now() - started) / 1000, resumed: saved !== undefined };
}
