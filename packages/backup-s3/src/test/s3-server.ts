import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** Credentials s3rver accepts. */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

/** A real S3-compatible server (s3rver) on 127.0.0.1, with bucket `backups`. */
export interface TestS3 {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Starts again on the same port and directory. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts s3rver on a random loopback port with its files in a temp directory. */
export async function startTestS3(): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'obs-s3rver-'));
  let port = 0;
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      configureBuckets: [{ name: 'backups' }],
    });
    port = (await server.run()).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((done) => s.close(() => done()));
    s.httpServer.closeAllConnections();
    await closed;
  };
  await start();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
