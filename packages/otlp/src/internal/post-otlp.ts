import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** An HTTP answer: status, headers that matter here, and the body. */
export interface PostResult {
  status: number;
  retryAfter: string | undefined;
  contentType: string;
  body: Buffer;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

/** POSTs with keep-alive agents that `close()` destroys, so a closed sink leaves no socket behind. */
export class OtlpPoster {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  readonly #https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });

  post(url: URL, headers: Record<string, string>, body: Uint8Array, timeoutMs: number): Promise<PostResult> {
    const secure = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        agent: secure ? this.#https : this.#http,
        headers: { ...headers, 'content-length': body.byteLength },
        timeout: timeoutMs,
      });
      req.once('timeout', () =>
        req.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs} ms`)),
      );
      req.once('error', reject);
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        res.once('error', reject);
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter:
              typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.end(body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), bounded by `max`. */
export function retryAfterMs(header: string | undefined, max: number, now = Date.now()): number {
  if (header === undefined) return 0;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) ? Math.max(0, Math.min(max, ms)) : 0;
}
