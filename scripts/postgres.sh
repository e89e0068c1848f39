#!/usr/bin/env bash
# Starts a throw-away PostgreSQL on 127.0.0.1 for the tests and prints its SQLAlchemy URL.
# Safe to run again: reuses a server that is already running on the port.
set -euo pipefail
PORT=${POS_PG_PORT:-54329}
DATA=${POS_PG_DIR:-/tmp/pos-test-postgres-$PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$BIN" ]; then
  echo "postgres.sh: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2
  exit 1
fi
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  as_owner=(runuser -u postgres --)
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
  "${as_owner[@]}" "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
if ! "${as_owner[@]}" "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  "${as_owner[@]}" "$BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c max_connections=100" \
    start >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
