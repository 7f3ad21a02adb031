import { hostname } from 'node:os';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DiagLogger } from '@obs/core';
import { z } from 'zod';

const secret = z.string().min(1);

/** Where backups live: bucket, prefix and how to reach an S3-compatible endpoint. */
export const S3TargetSchema = z.strictObject({
  bucket: z.string().min(1).max(255),
  prefix: z.string().max(512).default('obs-backups'),
  region: z.string().min(1).optional(),
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  forcePathStyle: z.boolean().optional(),
  credentials: z
    .strictObject({ accessKeyId: secret, secretAccessKey: secret, sessionToken: secret.optional() })
    .optional(),
  maxAttempts: z.number().int().min(1).max(10).optional(),
  client: z
    .custom<S3Client>(
      (v) => typeof v === 'object' && v !== null && typeof (v as S3Client).send === 'function',
    )
    .optional(),
});

/** Which backups to keep; a backup is kept when any rule keeps it. */
export const RetentionSchema = z.strictObject({
  keepLast: z.number().int().min(1).optional(),
  maxAgeDays: z.number().positive().optional(),
});

/** Options of {@link createS3Backup}, validated as one object. */
export const S3BackupOptionsSchema = z.strictObject({
  database: z.string().min(1).optional(),
  s3: S3TargetSchema,
  retention: RetentionSchema.optional(),
  compressionLevel: z.number().int().min(0).max(9).default(9),
  host: z
    .string()
    .min(1)
    .max(253)
    .default(() => hostname()),
  tmpDir: z.string().min(1).optional(),
  partSizeBytes: z
    .number()
    .int()
    .min(5 * 1024 * 1024)
    .default(8 * 1024 * 1024),
  queueSize: z.number().int().min(1).max(16).default(2),
  busyTimeoutMs: z.number().int().nonnegative().default(5000),
  verifyIntegrity: z.boolean().default(true),
  restoreDrill: z.boolean().default(true),
  logger: z
    .custom<DiagLogger>(
      (v) => typeof v === 'object' && v !== null && typeof (v as DiagLogger).warn === 'function',
    )
    .optional(),
  clock: z.custom<() => number>((v) => typeof v === 'function').optional(),
});

/** Options of {@link createS3Backup}. */
export type S3BackupOptions = z.input<typeof S3BackupOptionsSchema>;
/** Where backups live. */
export type S3Target = z.input<typeof S3TargetSchema>;
/** Which backups to keep. */
export type Retention = z.infer<typeof RetentionSchema>;
/** Options after defaults. */
export type ResolvedS3BackupOptions = z.infer<typeof S3BackupOptionsSchema>;
