import { z } from 'zod';

/** Version of the archive layout and manifest; restore refuses versions it does not know. */
export const MANIFEST_FORMAT_VERSION = 1;

/** Name of the manifest entry, always the first entry of the archive. */
export const MANIFEST_ENTRY = 'manifest.json';

/** Name of the database entry. */
export const DATABASE_ENTRY = 'events.db';

/** Schema of `manifest.json`. */
export const ManifestSchema = z.object({
  format: z.literal('obs-backup'),
  format_version: z.literal(MANIFEST_FORMAT_VERSION),
  created_at: z.string(),
  host: z.string(),
  database: z.object({
    entry: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    page_size: z.number().int().positive(),
    sqlite_version: z.string(),
  }),
  schema_version: z.number().int(),
  event_count: z.number().int().nonnegative(),
  first_timestamp: z.string().nullable(),
  last_timestamp: z.string().nullable(),
  compression: z.object({ format: z.literal('tar+gzip'), level: z.number().int().min(0).max(9) }),
});

/** The contents of `manifest.json` in every backup archive. */
export type Manifest = z.infer<typeof ManifestSchema>;
