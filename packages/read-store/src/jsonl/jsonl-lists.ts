import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ParsedRunQuery, ParsedSessionQuery } from '../query-schemas.js';
import type { Page, RunSummary, SessionSummary } from '../read-store.js';
import { asciiContains } from './event-predicate.js';
import type { JsonlIndex } from './jsonl-index.js';
import { runSummary, sessionSummary } from './jsonl-summaries.js';

interface Listed {
  ord: number;
  first_ts: number;
}

/** Newest first on `(first_ts, first-seen order)`, keyset-paged like the SQLite lists. */
function pageOf<T extends Listed, S>(
  all: Iterable<T>,
  keep: (item: T) => boolean,
  query: { from?: number; to?: number; cursor?: string; limit: number },
  kind: 'r' | 's',
  map: (item: T) => S,
): Page<S> {
  const c = query.cursor === undefined ? undefined : decodeCursor(query.cursor, { k: kind, b: 'j' });
  const rows: T[] = [];
  for (const item of all) {
    if (query.from !== undefined && item.first_ts < query.from) continue;
    if (query.to !== undefined && item.first_ts >= query.to) continue;
    if (c !== undefined && (item.first_ts > c.t! || (item.first_ts === c.t && item.ord >= c.i))) continue;
    if (keep(item)) rows.push(item);
  }
  rows.sort((a, b) => b.first_ts - a.first_ts || b.ord - a.ord);
  const more = rows.length > query.limit;
  const items = rows.slice(0, query.limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    next_cursor: more && last ? encodeCursor({ k: kind, b: 'j', t: last.first_ts, i: last.ord }) : null,
  };
}

/** `listRuns` over a JSONL index. */
export function listRunsIndexed(index: JsonlIndex, q: ParsedRunQuery): Page<RunSummary> {
  const search = q.search === undefined ? undefined : asciiContains(q.search);
  return pageOf(
    index.runs.values(),
    (run) =>
      (q.status === undefined || run.status === q.status) &&
      (q.source === undefined || run.source === q.source) &&
      (q.session_id === undefined || run.session_id === q.session_id) &&
      (search === undefined || search(run.run_id)),
    q,
    'r',
    runSummary,
  );
}

/** `listSessions` over a JSONL index. */
export function listSessionsIndexed(index: JsonlIndex, q: ParsedSessionQuery): Page<SessionSummary> {
  const search = q.search === undefined ? undefined : asciiContains(q.search);
  return pageOf(
    index.sessions.values(),
    (session) => search === undefined || search(session.session_id),
    q,
    's',
    (session) => sessionSummary(session, session.runs.size),
  );
}
