/** `obs --help`. */
export const HELP = `obs — read an obs audit trail (a SQLite database or a JSONL trail directory)

Usage: obs <command> [options]

Commands
  last [N]                  the N newest events, oldest first (default 20)
  events [options]          events matching the filters, oldest first (default 100)
  event <event_id>          one event and its direct children
  tree <run_id>             a run's trace as an indented tree: [span] name → ok (5ms)
  stats [options]           totals, by type and source, latency p50/p95/p99, slowest operations
  runs [N]                  runs, newest first, with status, duration, tokens and cost
  sessions [N]              sessions, newest first
  tail [-f]                 the last 10 events; with -f, keep printing new ones (Ctrl-C stops)
  export --format csv|jsonl events matching the filters, to stdout
  verify <trail> [--db <file.db>]
                            check the trail's hash chain (and that every event is in the store,
                            byte for byte); names the first bad file:line; exit 1 when not intact
  import <trail> --into <file.db>
                            rebuild or top up a SQLite store from the trail (idempotent; rerun
                            after a kill to continue; --restart ignores the saved position)
  prune --before <time> [--store <file.db>] [--trail <dir>] [--dry-run]
                            retention: events before the time, whole rotated trail files only

Store
  -s, --store <path>        a .db file, a JSONL trail directory/file, or a postgres://user:pw@host/db
                            URL (schema: $OBS_POSTGRES_SCHEMA, default obs) (default: $OBS_STORE,
                            else the only *.db file in the current directory)

Filters (events, last, tail, export; some apply to stats and runs)
  -t, --type <event_type>   repeatable: --type llm.call --type tool.call
      --status ok|error     (runs: running|success|failure|cancelled|timeout)
      --source <name>
  -r, --run <run_id>
      --session <session_id>
      --from <time>         ISO time (2026-01-02T03:04:05Z), date, or an age like 15m, 2h, 7d
      --to <time>           exclusive
      --text <substring>    case-insensitive, in the event's JSON
      --search <substring>  runs/sessions: in the id
      --order asc|desc
  -n, --limit <N>
      --group-by <dim>      stats: source|event_type|operation|layer|component|model
      --format csv|jsonl    export (default jsonl)
      --offsets             tree: show each event's offset from the run's start
      --json                machine-readable output (events as canonical JSON lines)
      --strict              JSONL: exit 3 when the trail has lines that had to be skipped
      --key-file <path>     verify, prune: the audit key (default $OBS_AUDIT_KEY)
  -h, --help

Examples
  obs last 100 --store ./obs.db
  obs events --type llm.call --status error --source planner
  obs tree 0193a1b2-run --store ./trail
  obs stats --group-by operation --from 1h
  obs export --run run-42 --format csv > run-42.csv

A JSONL trail with torn or corrupt lines is still read; one line on stderr says how many were
skipped and where the first one is.

Exit codes: 0 ok, 1 not found, a trail that fails verification, or an unexpected error,
2 bad usage or unreadable store, 3 lines skipped (with --strict).
`;
