import type { IncomingMessage } from 'node:http';
import { AccessGuard } from '@obs/http-access';
import { HttpError } from './http-error.js';

/** Checks one request's access to `path`; throws the 401/403 of a refused one. */
export type AccessCheck = (request: IncomingMessage, path: string) => void;

/**
 * The collector's access check (one guard for every request). Without a token a request must come
 * over loopback and name a loopback `Host` (403 otherwise: a DNS-rebinding page). A page of another
 * origin is refused with 403 on every route (the collector serves no pages, so this only stops
 * cross-site requests). With a token, every route but `GET /health` needs
 * `Authorization: Bearer <token>` (401).
 */
export function createAccessCheck(token: string | undefined): AccessCheck {
  const guard = new AccessGuard({ token });
  return (request, path) => {
    const denial = guard.check(request, { origin: true, token: path !== '/health' });
    if (denial === null) return;
    const headers: Record<string, string> =
      denial.status === 401 ? { 'www-authenticate': 'Bearer realm="obs-collector"' } : {};
    throw new HttpError(denial.status, denial.code, denial.message, { headers });
  };
}
