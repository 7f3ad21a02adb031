import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/**
 * The built UI, `dist/ui`. `../dist/ui` resolves to the same folder from `src/` (tests) and from
 * `dist/` (the built server).
 */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));

/** Serves the built single-page UI; unknown extension-less paths get `index.html`. */
export class StaticFiles {
  readonly #root: string;

  constructor(root: string) {
    this.#root = normalize(root.endsWith(sep) ? root : root + sep);
  }

  /** True when the UI has been built into the folder. */
  get available(): boolean {
    return existsSync(join(this.#root, 'index.html'));
  }

  /** Sends the file for `pathname`; answers 404 for a missing asset, never a file outside the root. */
  serve(pathname: string, res: ServerResponse, headOnly: boolean): void {
    if (!this.available) {
      send(
        res,
        503,
        'text/plain; charset=utf-8',
        'The UI is not built: run `pnpm --filter @obs/admin build`.\n',
      );
      return;
    }
    const file = this.#resolve(pathname);
    if (!file) {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found\n');
      return;
    }
    const isIndex = file.endsWith(`${sep}index.html`);
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': statSync(file).size,
      'Cache-Control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (headOnly) res.end();
    else createReadStream(file).pipe(res);
  }

  #resolve(pathname: string): string | null {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const candidate = normalize(join(this.#root, decoded));
    if (!candidate.startsWith(this.#root)) return null;
    if (isFile(candidate)) return candidate;
    return extname(decoded) === '' ? join(this.#root, 'index.html') : null;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}
