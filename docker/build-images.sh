#!/usr/bin/env bash
# Builds Warden's container images: warden-platform-api, warden-inference-worker and warden-admin-ui, and the
# images of what runs beside them in docker/compose.yaml.
#
#   docker/build-images.sh                    public bases (eclipse-temurin:17-jre; postgres, nginx and Prometheus
#                                             are their public images, pulled by compose: nothing to build)
#   docker/build-images.sh --local-base [MIRROR]
#                                             no registry: makes a Debian bookworm base with debootstrap (a JRE from
#                                             Debian's packages) and docker import, once (reused while the image
#                                             warden-base exists), and builds every image from it, PostgreSQL, nginx
#                                             and Prometheus included (Debian's packages). MIRROR is a Debian mirror
#                                             URL; without it, the one this machine's apt sources name
#
# Builds the jars first if they are missing (mvn -q -o -DskipTests package). Needs docker; debootstrap for
# --local-base (run as root). The images copy the jars: build again after a change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.1.0-SNAPSHOT"
BASE_TAG="warden-base:bookworm"
LOCAL=false
MIRROR=""

die() { echo "build-images: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --local-base)
      LOCAL=true
      if [ $# -gt 1 ] && [[ "$2" != --* ]]; then MIRROR="$2"; shift; fi ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

command -v docker >/dev/null || die "docker is needed"

# --- the jars ---------------------------------------------------------------------------------------------------
jars=(platform-api/target/platform-api-$VERSION-exec.jar inference-worker/target/inference-worker-$VERSION-exec.jar
      admin-ui/target/admin-ui-$VERSION-exec.jar)
missing=false
for jar in "${jars[@]}"; do [ -f "$ROOT/$jar" ] || missing=true; done
if $missing; then
  echo "build-images: building the jars (mvn -q -o -DskipTests package)"
  (cd "$ROOT" && mvn -q -o -DskipTests package) || die "the Maven build failed (without -o if the local repository lacks something)"
fi

# --- the Debian base (only with --local-base) -------------------------------------------------------------------
debian_mirror() { # the first Debian mirror named in this machine's apt sources (deb822 or one-line format)
  local file uri
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list /etc/apt/sources.list; do
    [ -f "$file" ] || continue
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }
                /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|ftp):/ && $i !~ /security/) { print $i; exit } }' "$file")"
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}

if $LOCAL; then
  if docker image inspect "$BASE_TAG" >/dev/null 2>&1; then
    echo "build-images: reusing the base image $BASE_TAG"
  else
    command -v debootstrap >/dev/null || die "debootstrap is needed for --local-base (apt-get install debootstrap)"
    [ -n "$MIRROR" ] || MIRROR="$(debian_mirror)"
    [ -n "$MIRROR" ] || die "no Debian mirror found in the apt sources: give one after --local-base"
    rootfs="$(mktemp -d)"
    trap 'rm -rf "$rootfs"' EXIT
    echo "build-images: debootstrap bookworm (minbase, JRE 17) into a temporary directory"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless,passwd bookworm "$rootfs" "$MIRROR" \
      > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log" >&2; die "debootstrap failed (log: $rootfs.log)"; }
    rm -f "$rootfs.log"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | docker import - "$BASE_TAG" >/dev/null
    rm -rf "$rootfs"
    trap - EXIT
    echo "build-images: made $BASE_TAG"
  fi
fi

# --- the images ---------------------------------------------------------------------------------------------------
build() { # build IMAGE DOCKERFILE [BASE]
  local image="$1" dockerfile="$2" base="${3:-}" args=()
  [ -n "$base" ] && args=(--build-arg "BASE_IMAGE=$base")
  echo "build-images: $image (docker/$dockerfile${base:+, FROM $base})"
  local out
  out="$(docker build -q -t "$image" -f "$ROOT/docker/$dockerfile" "${args[@]}" "$ROOT" 2>&1 >/dev/null)" \
    || { echo "$out" >&2; die "docker build of $image failed"; }
}

if $LOCAL; then
  for module in platform-api inference-worker admin-ui; do
    build "warden-$module" "Dockerfile.$module" "$BASE_TAG"
  done
  build warden-postgres Dockerfile.postgres "$BASE_TAG"
  build warden-nginx Dockerfile.nginx "$BASE_TAG"
  build warden-prometheus Dockerfile.prometheus "$BASE_TAG"
  echo
  echo "Images from Debian packages: start the stack with these lines in docker/.env (compose reads them):"
  echo "  WARDEN_POSTGRES_IMAGE=warden-postgres"
  echo "  WARDEN_NGINX_IMAGE=warden-nginx"
  echo "  WARDEN_PROMETHEUS_IMAGE=warden-prometheus"
else
  for module in platform-api inference-worker admin-ui; do
    build "warden-$module" "Dockerfile.$module"
  done
  echo "PostgreSQL, nginx and Prometheus: compose pulls their public images."
fi
