#!/usr/bin/env bash
# Start (or stop) a private PostgreSQL server on 127.0.0.1 for the tests; installs Debian's
# postgresql package when the server binaries are missing. Prints the SQLAlchemy URL.
#   scripts/postgres.sh start|stop|url
set -euo pipefail
PORT="${TARIFFSCOPE_PG_PORT:-54329}"
DATA="${TARIFFSCOPE_PG_DATA:-/tmp/tariffscope-pg}"
URL="postgresql+psycopg://postgres@127.0.0.1:${PORT}/postgres"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "${1:-start}" in
  start)
    if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/postgres" ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    BIN="$(bindir)"
    run_as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    if [ ! -f "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA"
      [ "$(id -u)" = 0 ] && chown postgres "$DATA"
      run_as_postgres "'$BIN/initdb' -D '$DATA' -U postgres --auth=trust -E UTF8 >/dev/null"
    fi
    if ! run_as_postgres "'$BIN/pg_ctl' -D '$DATA' status" >/dev/null 2>&1; then
      run_as_postgres "'$BIN/pg_ctl' -D '$DATA' -l '$DATA/server.log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1\" start" >/dev/null
    fi
    echo "$URL"
    ;;
  stop)
    BIN="$(bindir)"
    su postgres -s /bin/sh -c "'$BIN/pg_ctl' -D '$DATA' -m fast stop" >/dev/null 2>&1 || true
    ;;
  url)
    echo "$URL"
    ;;
esac
