import type { ServerResponse } from 'node:http';
import { AccessGuard } from '@obs/read-store';

/** The cookie the browser keeps the token in after opening `/?token=…`. */
export const TOKEN_COOKIE = 'obs_admin_token';

/** Headers sent with every response: no inline script, no framing, no sniffing, no CORS. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Sets {@link SECURITY_HEADERS} on a response. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/**
 * The dashboard's access rules (the shared `AccessGuard` of `@obs/core`): with a token, the
 * `Authorization: Bearer` header or the login cookie; without one, loopback host names and `host`.
 */
export function createAdminGuard(token: string | undefined, host: string): AccessGuard {
  return new AccessGuard({ token, hosts: [host], cookie: TOKEN_COOKIE });
}
