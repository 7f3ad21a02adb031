import { useEffect, useState } from 'preact/hooks';

/** The page the hash names, with its path segments and query. */
export interface Route {
  page: 'runs' | 'run' | 'event' | 'sessions' | 'session' | 'stats' | 'live' | 'not-found';
  id: string;
  query: URLSearchParams;
}

/** Parses `#/runs/<id>?x=1`. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const [head = '', encodedId, ...rest] = path.split('/');
  let id = '';
  try {
    id = encodedId ? decodeURIComponent(encodedId) : '';
  } catch {
    return { page: 'not-found', id: '', query };
  }
  if (rest.length > 0) return { page: 'not-found', id, query };
  if (head === '' || head === 'runs') return { page: id ? 'run' : 'runs', id, query };
  if (head === 'events' && id) return { page: 'event', id, query };
  if (head === 'sessions') return { page: id ? 'session' : 'sessions', id, query };
  if ((head === 'stats' || head === 'live') && !id) return { page: head, id, query };
  return { page: 'not-found', id, query };
}

/** A hash link: `href('runs', id)` → `#/runs/<encoded id>`. */
export function href(
  page: 'runs' | 'events' | 'sessions' | 'stats' | 'live',
  id?: string,
  query?: Record<string, string>,
): string {
  const qs = query ? new URLSearchParams(query).toString() : '';
  return `#/${page}${id ? `/${encodeURIComponent(id)}` : ''}${qs ? `?${qs}` : ''}`;
}

/** The current route, updated on hash changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
