import type { ApiErrorBody, ApiErrorIssue } from '../api-types.js';

/** An API answer other than 2xx, with the server's reasons. */
export class ApiError extends Error {
  readonly status: number;
  /** Where the request was wrong (`path`: a query parameter) and what was expected there. */
  readonly issues: ApiErrorIssue[];

  constructor(status: number, message: string, issues: ApiErrorIssue[] = []) {
    super(message);
    this.status = status;
    this.issues = issues;
  }
}

/** Query values; undefined and empty values are left out. */
export type QueryValues = Record<string, string | number | undefined | null>;

/** `/api/<path>?<query>` with each path segment encoded. */
export function apiUrl(segments: readonly string[], query: QueryValues = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/api/${segments.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
}

/** GETs a JSON API resource; throws `ApiError` with the server's message for a non-2xx answer. */
export async function getJson<T>(
  segments: readonly string[],
  query?: QueryValues,
  signal?: AbortSignal,
): Promise<T> {
  const res = await fetch(apiUrl(segments, query), { signal, headers: { Accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as ApiErrorBody | null;
    throw new ApiError(
      res.status,
      body?.error.message ?? `${res.status} ${res.statusText}`,
      body?.error.issues,
    );
  }
  return (await res.json()) as T;
}
