import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { BACKUP_ERROR_CODES, ObsBackupError } from '../errors.js';
import { MANIFEST_ENTRY, type Manifest, ManifestSchema } from '../manifest.js';

const MAX_MANIFEST_BYTES = 1 << 20;

/**
 * Streams a backup archive: reads the manifest (first entry), writes the database entry to `target` (created
 * exclusively; fsynced unless `durable` is false, as for a drill's throwaway copy) while hashing it, and
 * checks size and sha256 against the manifest.
 */
export async function extractArchive(
  body: Readable,
  target: string,
  describe: string,
  durable = true,
): Promise<Manifest> {
  const tar = extract();
  const feeding = pipeline(body, createGunzip(), tar);
  feeding.catch(() => {});
  let manifest: Manifest | undefined;
  let written: { bytes: number; sha256: string } | undefined;
  try {
    for await (const entry of tar) {
      const name = entry.header.name;
      if (manifest === undefined) {
        if (name !== MANIFEST_ENTRY)
          throw invalid(`${describe} does not start with ${MANIFEST_ENTRY} (found "${name}")`);
        manifest = parseManifest(await readSmall(entry), describe);
      } else if (name === manifest.database.entry && written === undefined) {
        written = await writeHashed(entry, target, durable);
      } else {
        entry.resume();
      }
    }
    await feeding;
  } catch (error) {
    body.destroy();
    if (error instanceof ObsBackupError) throw error;
    throw invalid(`${describe} is not a readable tar.gz archive: ${(error as Error).message}`, error);
  }
  if (manifest === undefined) throw invalid(`${describe} is empty: no ${MANIFEST_ENTRY}`);
  if (written === undefined) throw invalid(`${describe} has no "${manifest.database.entry}" entry`);
  if (written.bytes !== manifest.database.bytes || written.sha256 !== manifest.database.sha256) {
    throw new ObsBackupError(
      BACKUP_ERROR_CODES.CHECKSUM_MISMATCH,
      `${describe}: the database does not match its manifest (sha256 ${written.sha256}, ${written.bytes} bytes; ` +
        `expected sha256 ${manifest.database.sha256}, ${manifest.database.bytes} bytes); the archive is corrupt`,
    );
  }
  return manifest;
}

async function readSmall(entry: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += (chunk as Buffer).length;
    if (size > MAX_MANIFEST_BYTES)
      throw invalid(`${MANIFEST_ENTRY} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseManifest(text: string, describe: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalid(`${describe}: ${MANIFEST_ENTRY} is not JSON`, error);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw invalid(
      `${describe}: ${MANIFEST_ENTRY} is not an obs backup manifest this version can read (${issues})`,
    );
  }
  return parsed.data;
}

async function writeHashed(
  entry: AsyncIterable<unknown>,
  target: string,
  durable: boolean,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(entry, tap, createWriteStream(target, { flags: 'wx' }));
  if (!durable) return { bytes, sha256: hash.digest('hex') };
  const file = await open(target, 'r+');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}

function invalid(message: string, cause?: unknown): ObsBackupError {
  return new ObsBackupError(
    BACKUP_ERROR_CODES.ARCHIVE_INVALID,
    message,
    cause === undefined ? {} : { cause },
  );
}
