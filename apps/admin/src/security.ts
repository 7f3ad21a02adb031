import type { ServerResponse } from 'node:http';
import { AccessRules } from './access-rules.js';

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

/** The dashboard's access rules for a token (or none) and the host it is bound to. */
export function createAdminGuard(token: string | undefined, host: string): AccessRules {
  return new AccessRules(token, host, TOKEN_COOKIE);
}
