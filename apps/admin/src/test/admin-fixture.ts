import type { ReadStore } from '@obs/read-store';
import { type AdminServer, createAdminServer } from '../admin-server.js';

/** Starts the dashboard over `store` on a free loopback port. */
export function startAdmin(
  store: ReadStore,
  extra: { token?: string; host?: string } = {},
): Promise<AdminServer> {
  return createAdminServer({ store, port: 0, ...extra });
}

/** GETs a JSON API path and returns status and parsed body. */
export async function getApi<T = unknown>(
  admin: AdminServer,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(new URL(path, admin.url), { headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}
