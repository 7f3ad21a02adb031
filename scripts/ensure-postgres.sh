#!/bin/sh
# PostgreSQL tests start a throwaway cluster from Debian's server binaries; install them when missing and we are root.
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ -n "${OBS_PG_BIN:-}" ] && [ -x "$OBS_PG_BIN/initdb" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || echo "warning: could not install postgresql; PostgreSQL tests will fail" >&2
  # the package starts a cluster of its own; the tests never use it
  command -v pg_ctlcluster >/dev/null 2>&1 && for c in /etc/postgresql/*/main; do [ -d "$c" ] && pg_ctlcluster "$(basename "$(dirname "$c")")" main stop >/dev/null 2>&1; done
  exit 0
else
  echo "warning: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) and not root; PostgreSQL tests will fail (set OBS_PG_BIN)" >&2
fi
