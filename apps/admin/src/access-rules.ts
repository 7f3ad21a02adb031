import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** Why the dashboard refused a request: 403 for where it comes from, 401 for the token. */
export interface AccessRefusal {
  status: 401 | 403;
  code: 'FORBIDDEN_ADDRESS' | 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN' | 'UNAUTHORIZED';
  message: string;
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for `localhost`, 127.0.0.0/8, `::1` (bracketed or not) and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  const family = isIP(h);
  return h === 'localhost' || (family !== 0 && loopback.check(h, family === 6 ? 'ipv6' : 'ipv4'));
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Who may read the dashboard: with a token, whoever presents it (Bearer header or the login
 * cookie); without one, connections on a loopback address naming a loopback host or the bound
 * host (a `Host` naming anything else is a DNS-rebinding page). WebSocket pages of another origin
 * are refused.
 */
export class AccessRules {
  readonly #token: Buffer | null;
  readonly #host: string;
  readonly #cookie: string;

  constructor(token: string | undefined, host: string, cookie: string) {
    this.#token = token === undefined ? null : digest(token);
    this.#host = host.replace(/^\[|\]$/g, '').toLowerCase();
    this.#cookie = cookie;
  }

  get requiresToken(): boolean {
    return this.#token !== null;
  }

  /** Constant-time comparison with the token; false without one. */
  matches(candidate: string | undefined): boolean {
    return this.#token !== null && candidate !== undefined && timingSafeEqual(digest(candidate), this.#token);
  }

  /** The request presents the token (always true without one). */
  authorized(req: IncomingMessage): boolean {
    if (this.#token === null) return true;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === this.#cookie)?.[1];
    return this.matches(bearer) || this.matches(cookie);
  }

  /** The first rule the request breaks (address, Host, then Origin and token when asked), or null. */
  refusal(req: IncomingMessage, check: { origin: boolean; token: boolean }): AccessRefusal | null {
    const host = req.headers.host ?? '';
    if (this.#token === null) {
      if (!isLoopbackHost(req.socket.localAddress ?? '')) {
        return refuse(
          403,
          'FORBIDDEN_ADDRESS',
          'without a token this server only answers on a loopback address',
        );
      }
      const name = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(:\d{1,5})?$/.exec(host)?.[1]?.replace(/^\[|\]$/g, '');
      if (name === undefined || !(isLoopbackHost(name) || name.toLowerCase() === this.#host)) {
        return refuse(
          403,
          'FORBIDDEN_HOST',
          'without a token this server only answers to a loopback host name (Host header)',
        );
      }
    }
    if (check.origin && !sameOrigin(req.headers.origin, host)) {
      return refuse(
        403,
        'FORBIDDEN_ORIGIN',
        'requests from a page of another origin are refused (Origin header)',
      );
    }
    if (check.token && !this.authorized(req)) {
      return refuse(401, 'UNAUTHORIZED', 'a valid token is required: send "Authorization: Bearer <token>"');
    }
    return null;
  }
}

const refuse = (status: 401 | 403, code: AccessRefusal['code'], message: string): AccessRefusal => ({
  status,
  code,
  message,
});

function sameOrigin(origin: string | undefined, host: string): boolean {
  if (origin === undefined) return true;
  try {
    const page = new URL(origin);
    return (
      (page.protocol === 'http:' || page.protocol === 'https:') &&
      page.host === new URL(`${page.protocol}//${host}`).host
    );
  } catch {
    return false;
  }
}
