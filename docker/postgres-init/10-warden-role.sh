#!/bin/sh
# Run by the postgres image once, when it initialises an empty volume (as its superuser, over its local socket):
# creates Warden's own role, which owns the schema of the database warden and nothing more. No superuser, no
# CREATEROLE or CREATEDB, no pg_read_server_files / pg_execute_server_program (see docs/operations.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set=password="$WARDEN_DB_PASSWORD" <<'SQL'
CREATE ROLE warden LOGIN PASSWORD :'password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE DATABASE warden;
\connect warden
ALTER SCHEMA public OWNER TO warden;
REVOKE ALL ON DATABASE warden FROM PUBLIC;
GRANT CONNECT ON DATABASE warden TO warden;
SQL
