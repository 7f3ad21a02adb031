import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { BackupEntry } from '../backup-entry.js';
import { parseBackupKey } from './backup-key.js';

/** Every backup key under `prefix` (only keys this package writes), newest first. */
export async function listBackupEntries(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<BackupEntry[]> {
  const entries: BackupEntry[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix ? `${prefix}/` : undefined,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      const parsed = object.Key === undefined ? undefined : parseBackupKey(prefix, object.Key);
      if (!parsed) continue;
      entries.push({
        key: object.Key!,
        bytes: object.Size ?? 0,
        createdAt: parsed.createdAt,
        host: parsed.host,
        lastModified: object.LastModified,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return entries.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.key < b.key ? 1 : -1));
}

/** Deletes keys in batches of 1000; throws when S3 reports any key it could not delete. */
export async function deleteKeys(client: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const out = await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      throw Object.assign(
        new Error(
          `${failed.length} of ${chunk.length} deletes failed, first ${first.Key}: ${first.Code} ${first.Message}`,
        ),
        {
          name: first.Code ?? 'DeleteFailed',
        },
      );
    }
  }
}
