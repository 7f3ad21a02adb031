#!/bin/sh
# Browser tests need Debian's Chromium; install it when missing and we are root.
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "warning: could not install chromium; browser tests will fail" >&2
else
  echo "warning: /usr/bin/chromium missing and not root; browser tests will fail" >&2
fi
