import { useEffect, useRef, useState } from 'preact/hooks';
import type { EventEnvelope, LiveMessage } from '../api-types.js';
import type { QueryValues } from './api.js';

/** State of the live socket. */
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'error';

/**
 * Subscribes to `/api/live` with filters and calls `onEvents` with each pushed batch; reconnects
 * with backoff and resumes after the last cursor it saw, so no event is missed across a drop.
 */
export function useLiveEvents(
  filters: QueryValues,
  onEvents: (events: EventEnvelope[]) => void,
  enabled = true,
): { state: LiveState; dropped: number; message: string | null } {
  const [state, setState] = useState<LiveState>('connecting');
  const [dropped, setDropped] = useState(0);
  const [message, setMessage] = useState<string | null>(null);
  const callback = useRef(onEvents);
  callback.current = onEvents;
  const key = JSON.stringify(filters);

  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | null = null;
    let cursor: string | null = null;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(JSON.parse(key) as QueryValues)) {
        if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
      }
      if (cursor) params.set('since', cursor);
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${location.host}/api/live?${params}`);
      socket.onmessage = (e) => {
        const msg = JSON.parse(String(e.data)) as LiveMessage;
        if (msg.kind === 'ready') {
          attempt = 0;
          setState('live');
          setMessage(null);
        } else if (msg.kind === 'events') {
          cursor = msg.items[msg.items.length - 1]?.cursor ?? cursor;
          callback.current(msg.items.map((i) => i.event));
        } else if (msg.kind === 'dropped') {
          setDropped((n) => n + msg.count);
        } else {
          setMessage(msg.message);
        }
      };
      socket.onclose = () => {
        if (stopped) return;
        setState(attempt > 5 ? 'error' : 'reconnecting');
        timer = setTimeout(connect, Math.min(10_000, 250 * 2 ** attempt++));
      };
    };
    setState('connecting');
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [key, enabled]);

  return { state, dropped, message };
}
