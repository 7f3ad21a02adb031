import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Throws a 401 unless the request carries `Authorization: Bearer <token>` (compared in constant time). */
export function assertAuthorized(request: IncomingMessage, token: string | undefined): void {
  if (token === undefined) return;
  const header = request.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (given === '' || !timingSafeEqual(digest(given), digest(token))) {
    throw new HttpError(401, 'UNAUTHORIZED', 'a valid "Authorization: Bearer <token>" header is required', {
      headers: { 'www-authenticate': 'Bearer realm="obs-collector"' },
    });
  }
}
