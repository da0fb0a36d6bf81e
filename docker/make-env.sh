#!/usr/bin/env bash
# Writes an env file for docker/compose.yaml with fresh secrets: random passwords and tokens, and new Tink keysets
# for the master key and the audit signing key (made with the Tink library inside the platform-api jar; needs a JDK
# 17+, whose source launcher runs docker/tools/TinkKeyset.java).
#
#   docker/make-env.sh                 writes docker/.env (refuses to overwrite it)
#   docker/make-env.sh FILE            writes FILE
#
# Keep the file out of git (docker/.gitignore ignores docker/.env) and keep a copy of WARDEN_MASTER_KEY: without it
# the tenants' encrypted data cannot be read. The admin password is printed once.
# Variables already set in the environment are kept (e.g. WARDEN_POSTGRES_IMAGE=warden-postgres for the images that
# docker/build-images.sh --local-base makes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/docker/.env}"
JAR="$ROOT/platform-api/target/platform-api-0.1.0-SNAPSHOT-exec.jar"

die() { echo "make-env: $*" >&2; exit 1; }
if [ -e "$OUT" ]; then die "$OUT exists; remove it first or name another file"; fi
[ -f "$JAR" ] || die "build the jars first (docker/build-images.sh does, or mvn -DskipTests package)"
command -v java >/dev/null || die "java (a JDK 17 or newer) is needed"

random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

lib="$(mktemp -d)"
trap 'rm -rf "$lib"' EXIT
(cd "$lib" && unzip -q -j "$JAR" 'BOOT-INF/lib/tink-1*.jar' 'BOOT-INF/lib/protobuf-java-*.jar' 'BOOT-INF/lib/gson-*.jar')
keyset() { java -cp "$lib/*" "$ROOT/docker/tools/TinkKeyset.java" "$1"; }

admin_password="${WARDEN_ADMIN_PASSWORD:-$(random)}"
(
  umask 077
  cat > "$OUT" <<ENV
# docker/compose.yaml's secrets, made by docker/make-env.sh on $(date -u +%Y-%m-%d). Never commit this file.
WARDEN_DB_ADMIN_PASSWORD=${WARDEN_DB_ADMIN_PASSWORD:-$(random)}
WARDEN_DB_PASSWORD=${WARDEN_DB_PASSWORD:-$(random)}
WARDEN_MASTER_KEY=${WARDEN_MASTER_KEY:-$(keyset aead)}
WARDEN_SIGNING_KEY=${WARDEN_SIGNING_KEY:-$(keyset signature)}
WARDEN_REGISTRATION_TOKEN=${WARDEN_REGISTRATION_TOKEN:-$(random)}
WARDEN_METRICS_SCRAPE_TOKEN=${WARDEN_METRICS_SCRAPE_TOKEN:-$(random)}
WARDEN_CONSOLE_STATE_TOKEN=${WARDEN_CONSOLE_STATE_TOKEN:-$(random)}
WARDEN_ADMIN_PASSWORD=$admin_password
WARDEN_COMPLIANCE_PASSWORD=${WARDEN_COMPLIANCE_PASSWORD:-$(random)}
WARDEN_REVIEWER_PASSWORD=${WARDEN_REVIEWER_PASSWORD:-$(random)}
WARDEN_CONSOLE_CLIENT_SECRET=${WARDEN_CONSOLE_CLIENT_SECRET:-$(random)}
ENV
  for name in WARDEN_BIND_ADDRESS WARDEN_CONSOLE_PUBLIC_URL WARDEN_BASE_IMAGE WARDEN_POSTGRES_IMAGE WARDEN_NGINX_IMAGE \
              WARDEN_PROMETHEUS_IMAGE; do
    if [ -n "${!name:-}" ]; then echo "$name=${!name}" >> "$OUT"; fi
  done
)
echo "make-env: wrote $OUT (the console's admin password: $admin_password)"
