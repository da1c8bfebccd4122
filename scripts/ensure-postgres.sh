#!/usr/bin/env bash
# PostgreSQL's server binaries for the PostgreSQL half of the test suite, from Debian's
# packages. The tests start their own private servers (test/helpers/postgres.ts); this
# only makes sure initdb and pg_ctl are there. Installs when missing and running as root
# (as CI does); otherwise says how.
set -euo pipefail
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql postgresql-client
  # The package starts a cluster of its own; the tests do not use it.
  (command -v pg_ctlcluster >/dev/null && pg_ctlcluster --force "$(ls /usr/lib/postgresql | sort -n | tail -1)" main stop) >/dev/null 2>&1 || true
  exit 0
fi
echo "the PostgreSQL tests need PostgreSQL's server: run 'sudo apt-get install postgresql' (Debian/Ubuntu)" >&2
exit 1
