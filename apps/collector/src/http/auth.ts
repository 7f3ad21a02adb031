import type { IncomingMessage } from 'node:http';
import { AccessGuard } from '@obs/http-access';
import { HttpError } from './http-error.js';

/**
 * Throws unless the request may use the collector. Without a token it must come over loopback and
 * name a loopback `Host` (403 otherwise: a DNS-rebinding page). A page of another origin is refused
 * with 403 on every route (the collector serves no pages, so this only stops cross-site requests).
 * With a token, every route but `GET /health` needs `Authorization: Bearer <token>` (401).
 */
export function assertAccess(request: IncomingMessage, path: string, token: string | undefined): void {
  const denial = new AccessGuard({ token }).check(request, { origin: true, token: path !== '/health' });
  if (denial === null) return;
  const headers: Record<string, string> =
    denial.status === 401 ? { 'www-authenticate': 'Bearer realm="obs-collector"' } : {};
  throw new HttpError(denial.status, denial.code, denial.message, { headers });
}
