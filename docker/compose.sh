#!/usr/bin/env bash
# docker/compose.sh ARGS...: runs docker/compose.yaml (project "warden") with whichever Compose this machine has:
# `docker compose` (v2) as it is, or `docker-compose` 1.29, which refuses the compose file's top-level `name:` key
# and so gets a copy without it (docker/.compose-v1.yaml, ignored by git) and `-p warden`. Examples:
#   docker/compose.sh --env-file docker/.env up -d
#   docker/compose.sh --env-file docker/.env ps
#   docker/compose.sh --env-file docker/.env down -v
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if docker compose version >/dev/null 2>&1; then
  exec docker compose -p warden -f "$DIR/compose.yaml" "$@"
elif command -v docker-compose >/dev/null 2>&1; then
  sed '/^name:/d' "$DIR/compose.yaml" > "$DIR/.compose-v1.yaml"
  exec docker-compose -p warden --project-directory "$DIR" -f "$DIR/.compose-v1.yaml" "$@"
else
  echo "compose.sh: neither 'docker compose' nor docker-compose is installed" >&2
  exit 1
fi
