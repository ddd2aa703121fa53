#!/usr/bin/env bash
# Installs PostgreSQL from Debian when missing and starts a throwaway server for the tests on
# 127.0.0.1:${PGPORT:-55432}, data in a temp folder. Prints the admin URL the tests read from
# MNP_TEST_POSTGRES_URL. Idempotent: an already running test server is reused.
set -euo pipefail
port="${PGPORT:-55432}"
url="postgres://mnp:mnp@127.0.0.1:${port}/postgres"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "start-test-postgres: installing postgresql" >&2
    if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo -n); fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq >&2
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q 2>/dev/null; then
    echo "$url"
    exit 0
fi
dir="$(mktemp -d /tmp/mnp-pg.XXXXXX)"
run() {
    # initdb refuses to run as root: use the postgres account the package made.
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
run "'$bin/initdb' -D '$dir/data' -U postgres -A trust -E UTF8 >'$dir/initdb.log' 2>&1"
# fsync stays on: the crash tests rely on durable commits.
run "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -o \"-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300\" start >/dev/null"
run "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -qc \"CREATE ROLE mnp LOGIN SUPERUSER PASSWORD 'mnp'\"" >/dev/null
echo "$url"
