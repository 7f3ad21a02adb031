import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The host name of a `Host` header (`[::1]:4600` → `::1`), or null when it is malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(:\d{1,5})?$/.exec(header);
  return m ? m[1]!.replace(/^\[|\]$/g, '').toLowerCase() : null;
}

/** Decides who may read: the token (when one is set) and, without one, only loopback host names. */
export class AccessGuard {
  readonly #token: Buffer | null;
  readonly #boundHost: string;

  constructor(token: string | undefined, boundHost: string) {
    this.#token = token === undefined ? null : Buffer.from(token);
    this.#boundHost = boundHost.replace(/^\[|\]$/g, '').toLowerCase();
  }

  get requiresToken(): boolean {
    return this.#token !== null;
  }

  /**
   * Without a token the server is loopback-only, so a `Host` naming anything else is a
   * DNS-rebinding page talking to us: refused.
   */
  hostAllowed(req: IncomingMessage): boolean {
    if (this.#token) return true;
    const name = hostNameOf(req.headers.host);
    return name !== null && (isLoopbackHost(name) || name === this.#boundHost);
  }

  /** A browser's WebSocket must come from a page of this server (no cross-site socket hijacking). */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  /** The token from `Authorization: Bearer …` or the cookie matches (always true without a token). */
  authorized(req: IncomingMessage): boolean {
    if (!this.#token) return true;
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    return this.matches(bearer) || this.matches(cookieValue(req.headers.cookie, TOKEN_COOKIE));
  }

  /** Constant-time comparison with the configured token. */
  matches(candidate: string | undefined): boolean {
    if (!this.#token || candidate === undefined) return false;
    const given = Buffer.from(candidate);
    return given.length === this.#token.length && timingSafeEqual(given, this.#token);
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
