import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { ObsConfigError } from '@obs/core';

/** The parts of a `node:http` `IncomingMessage` the guard reads; an `IncomingMessage` fits. */
export interface AccessRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly url?: string | undefined;
  readonly socket?: { readonly localAddress?: string | undefined } | undefined;
}

/** Options of {@link AccessGuard}. */
export interface AccessGuardOptions {
  /** Shared secret. When set, requests must present it; without it the server is loopback-only. */
  token?: string | undefined;
  /** Host names accepted in `Host` besides the loopback ones when no token is set (e.g. the bound host). */
  hosts?: readonly string[] | undefined;
  /** Also accept the token as `?token=` (for WebSocket clients that cannot set headers). Default false. */
  queryToken?: boolean | undefined;
  /** Also accept the token from this cookie (a browser login). */
  cookie?: string | undefined;
}

/** Stable codes of an {@link AccessDenial}. */
export const ACCESS_DENIAL_CODES = {
  ADDRESS: 'FORBIDDEN_ADDRESS',
  HOST: 'FORBIDDEN_HOST',
  ORIGIN: 'FORBIDDEN_ORIGIN',
  TOKEN: 'UNAUTHORIZED',
} as const;

/** One of the values of {@link ACCESS_DENIAL_CODES}. */
export type AccessDenialCode = (typeof ACCESS_DENIAL_CODES)[keyof typeof ACCESS_DENIAL_CODES];

/** Why a request was refused: 403 for where it comes from (address, Host, Origin), 401 for the token. */
export interface AccessDenial {
  readonly status: 401 | 403;
  readonly code: AccessDenialCode;
  readonly message: string;
}

/** What {@link AccessGuard.check} verifies besides the address and `Host`. */
export interface AccessCheckOptions {
  /** Refuse an `Origin` of another site. Default: only on WebSocket upgrades. */
  origin?: boolean;
  /** Require the token (when one is set). Default true; false for e.g. a health check. */
  token?: boolean;
}

let loopbackList: BlockList | undefined;

/**
 * Verdicts of {@link isLoopbackHost} by the name as given: a server sees a handful of names (two per
 * request: its local address and `Host`), and `BlockList.check` makes a `SocketAddress` each time
 * (~3 µs of the guard's ~5 µs per request). Cleared when full, since `Host` is the client's to choose.
 */
const loopbackVerdicts = new Map<string, boolean>();
const MAX_LOOPBACK_VERDICTS = 256;

/** True for names only this machine can reach: 127.0.0.0/8, `::1`, `[::1]`, `localhost`, `::ffff:127.x.x.x`. */
export function isLoopbackHost(host: string): boolean {
  const known = loopbackVerdicts.get(host);
  if (known !== undefined) return known;
  const verdict = loopbackVerdict(host);
  if (loopbackVerdicts.size >= MAX_LOOPBACK_VERDICTS) loopbackVerdicts.clear();
  loopbackVerdicts.set(host, verdict);
  return verdict;
}

function loopbackVerdict(host: string): boolean {
  const h = unbracket(host);
  if (h === 'localhost') return true;
  const family = isIP(h);
  if (family === 0) return false;
  if (loopbackList === undefined) {
    loopbackList = new BlockList();
    loopbackList.addSubnet('127.0.0.0', 8, 'ipv4');
    loopbackList.addAddress('::1', 'ipv6');
  }
  return loopbackList.check(h, family === 6 ? 'ipv6' : 'ipv4');
}

/** The lower-cased host name of a `Host` header (`[::1]:4600` → `::1`), or null when it is malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@]+)(:\d{1,5})?$/.exec(header);
  return m?.[1] ? unbracket(m[1]) : null;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

/** Compares two secrets in constant time; hashing first hides the expected length as well. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(sha256(presented), sha256(expected));
}

/**
 * Decides who may use a local server: with a token, whoever presents it; without one, only
 * connections to a loopback address that name a loopback host (a `Host` naming anything else is
 * a DNS-rebinding page). Browser pages of another origin are refused on WebSocket upgrades.
 */
export class AccessGuard {
  readonly #digest: Buffer | null;
  readonly #hosts: ReadonlySet<string>;
  readonly #queryToken: boolean;
  readonly #cookie: string | undefined;

  constructor(options: AccessGuardOptions = {}) {
    if (options.token !== undefined && options.token.length === 0) {
      throw new ObsConfigError([{ path: 'token', message: 'expected a non-empty token or none' }]);
    }
    this.#digest = options.token === undefined ? null : sha256(options.token);
    this.#hosts = new Set((options.hosts ?? []).map(unbracket));
    this.#queryToken = options.queryToken ?? false;
    this.#cookie = options.cookie;
  }

  /** True when a token is configured. */
  get requiresToken(): boolean {
    return this.#digest !== null;
  }

  /** Without a token, the connection must have arrived on a loopback address. */
  addressAllowed(req: AccessRequest): boolean {
    return this.#digest !== null || isLoopbackHost(req.socket?.localAddress ?? '');
  }

  /** Without a token, `Host` must name a loopback host or one of `hosts` (defeats DNS rebinding). */
  hostAllowed(req: AccessRequest): boolean {
    if (this.#digest !== null) return true;
    const name = hostNameOf(single(req.headers['host']));
    return name !== null && (isLoopbackHost(name) || this.#hosts.has(name));
  }

  /** No `Origin` (a non-browser client) or one naming this very server (same scheme-less host and port). */
  originAllowed(req: AccessRequest): boolean {
    const origin = req.headers['origin'];
    if (origin === undefined) return true;
    const host = single(req.headers['host']);
    if (typeof origin !== 'string' || host === undefined) return false;
    try {
      const page = new URL(origin);
      if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
      return page.host === new URL(`${page.protocol}//${host}`).host;
    } catch {
      return false;
    }
  }

  /** The request presents the token (always true without one). */
  authorized(req: AccessRequest): boolean {
    if (this.#digest === null) return true;
    let ok = this.matches(bearerToken(single(req.headers['authorization'])));
    if (this.#cookie !== undefined) ok = this.matches(cookieValue(req, this.#cookie)) || ok;
    if (this.#queryToken) ok = this.matches(queryValue(req.url, 'token')) || ok;
    return ok;
  }

  /** Constant-time comparison with the configured token; false without one. */
  matches(candidate: string | undefined): boolean {
    if (this.#digest === null || candidate === undefined) return false;
    return timingSafeEqual(sha256(candidate), this.#digest);
  }

  /** Runs every check in order (address, Host, Origin, token) and returns the first refusal, or null. */
  check(req: AccessRequest, options: AccessCheckOptions = {}): AccessDenial | null {
    if (!this.addressAllowed(req)) {
      return deny(403, 'ADDRESS', 'without a token this server only answers on a loopback address');
    }
    if (!this.hostAllowed(req)) {
      return deny(
        403,
        'HOST',
        'without a token this server only answers to a loopback host name (Host header)',
      );
    }
    const origin = options.origin ?? req.headers['upgrade'] !== undefined;
    if (origin && !this.originAllowed(req)) {
      return deny(403, 'ORIGIN', 'requests from a page of another origin are refused (Origin header)');
    }
    if ((options.token ?? true) && !this.authorized(req)) {
      const ways = ['"Authorization: Bearer <token>"'];
      if (this.#queryToken) ways.push('"?token=<token>"');
      return deny(401, 'TOKEN', `a valid token is required: send ${ways.join(' or ')}`);
    }
    return null;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

const unbracket = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase();

const single = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);

const deny = (status: 401 | 403, code: keyof typeof ACCESS_DENIAL_CODES, message: string): AccessDenial => ({
  status,
  code: ACCESS_DENIAL_CODES[code],
  message,
});

function cookieValue(req: AccessRequest, name: string): string | undefined {
  const header = single(req.headers['cookie']);
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function queryValue(url: string | undefined, name: string): string | undefined {
  const q = url?.indexOf('?') ?? -1;
  if (url === undefined || q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get(name) ?? undefined;
}
