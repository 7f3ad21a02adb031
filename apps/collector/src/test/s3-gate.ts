import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy on 127.0.0.1 in front of an S3 endpoint that can hold requests: while `hold()` is
 * in force, the requests that reach it wait (unanswered) until `release()`. `held` resolves when the
 * first request is being held, so a test can wait until a backup is observably talking to S3.
 */
export interface S3Gate {
  /** `http://127.0.0.1:port` of the proxy: give it as the S3 endpoint. */
  readonly endpoint: string;
  /** Holds every request from now on until `release()`; resolves `held` on the first one. */
  hold(): void;
  /** Resolves when a request is being held (after `hold()`). */
  readonly held: Promise<void>;
  /** Forwards the held requests and every later one. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a gate in front of `target` (an `http://host:port` S3 endpoint). */
export async function startS3Gate(target: string): Promise<S3Gate> {
  const upstream = new URL(target);
  let holding = false;
  let waiting: (() => void)[] = [];
  let markHeld!: () => void;
  let held = new Promise<void>((resolve) => {
    markHeld = resolve;
  });

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const out = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (!holding) return forward(req, res);
    waiting.push(() => forward(req, res));
    markHeld();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    hold() {
      holding = true;
      held = new Promise<void>((resolve) => {
        markHeld = resolve;
      });
    },
    get held() {
      return held;
    },
    release() {
      holding = false;
      const pending = waiting;
      waiting = [];
      for (const go of pending) go();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
