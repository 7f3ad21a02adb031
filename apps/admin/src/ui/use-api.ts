import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, type QueryValues } from './api.js';

/** The state of one API request. */
export interface ApiState<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  /** Fetches again (keeps showing the old data meanwhile). */
  reload: () => void;
}

/** Fetches `/api/<segments>?<query>` and refetches when either changes; a stale answer is dropped. */
export function useApi<T>(segments: readonly string[] | null, query: QueryValues = {}): ApiState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify([segments, query]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const lastKey = useRef(key);

  useEffect(() => {
    if (!segments) return;
    const controller = new AbortController();
    setLoading(true);
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(null);
    }
    getJson<T>(segments, query, controller.signal).then(
      (value) => {
        setData(value);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, nonce]);

  return { data, error, loading, reload };
}
