#!/bin/sh
# Bootstraps pnpm on a machine that has only Node 20 and npm, installs, builds, then runs the task;
# `test` runs everything on this Node, then the package and pack-and-install tests on Node 22 and 24.
set -eu
cd "$(dirname "$0")/.."
PNPM_VERSION=10.34.9
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then
  PNPM=pnpm
else
  npm install --global "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || true
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$PNPM_VERSION" ]; then PNPM=pnpm; else PNPM="npx -y pnpm@$PNPM_VERSION"; fi
fi
$PNPM install --frozen-lockfile
case "${1:-}" in
  test)
    sh scripts/ensure-chromium.sh
    sh scripts/ensure-postgres.sh
    $PNPM exec turbo run build lint typecheck test --concurrency=1 --output-logs=errors-only
    OBS_PNPM="$PNPM" node scripts/other-nodes.mjs
    ;;
  start)
    shift
    $PNPM exec turbo run build --output-logs=errors-only
    [ "${1:-}" = "--" ] && shift
    # exec: signals sent to `npm start` reach the demo itself (no shell or pnpm in between)
    exec node apps/collector/dist/demo/main.js "$@"
    ;;
  *) echo "usage: bootstrap.sh test|start [-- demo options]" >&2; exit 2 ;;
esac
