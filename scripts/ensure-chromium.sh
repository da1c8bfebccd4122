#!/usr/bin/env bash
# Headless Chromium for the explorer's browser tests, from Debian's packages (nothing is
# downloaded at test time). Installs it when missing and running as root (as CI does);
# otherwise says how. CHROMIUM_PATH points the tests at another Chromium.
set -euo pipefail
if [ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
  exit 0
fi
echo "the browser tests need Chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary" >&2
exit 1
