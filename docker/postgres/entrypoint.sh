#!/bin/bash
# Entry point of docker/Dockerfile.postgres (Debian's PostgreSQL): initialises an empty data directory as the
# public postgres image does (superuser POSTGRES_USER with POSTGRES_PASSWORD, SCRAM over the network, peer on the
# local socket, then /docker-entrypoint-initdb.d/*.sh and *.sql), then runs the server in the foreground.
set -euo pipefail
PGDATA="${PGDATA:-/var/lib/postgresql/data}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is needed to initialise the database}"
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  # the init scripts run against a server that listens on the local socket only
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "postgres-entrypoint: running $script"; . "$script" ;;
      *.sql) echo "postgres-entrypoint: running $script"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -f "$script" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres-entrypoint: database initialised"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
