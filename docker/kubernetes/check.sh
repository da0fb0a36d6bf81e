#!/usr/bin/env bash
# Renders every overlay with kubectl's built-in kustomize, the way `kubectl apply -k` will (on demand; mvn verify
# checks the same manifests without kubectl: KubernetesManifestsTests in the migrations module).
#
#   docker/kubernetes/check.sh              render each overlay, print what it holds
#   docker/kubernetes/check.sh --server     also `kubectl apply --dry-run=server` each one against the cluster of the
#                                           current kubectl context (the API server validates every object; nothing is
#                                           changed). A client-side dry run needs a cluster too, for the API's types.
#
# An overlay whose secrets/ directory is missing (a fresh clone: it is ignored by git) is rendered with the files of
# secrets.example/ in its place, in a temporary copy; your own secrets/ is used where it exists. The rendered
# manifests are not kept (they hold the Secrets).
set -euo pipefail
cd "$(dirname "$0")"

SERVER=false
for arg in "$@"; do
  case "$arg" in
    --server) SERVER=true ;;
    *) echo "usage: $0 [--server]" >&2; exit 2 ;;
  esac
done

if ! command -v kubectl >/dev/null 2>&1; then
  echo "check.sh: kubectl is not installed; nothing rendered (mvn verify still checks the manifests)"
  exit 0
fi

if [ "$SERVER" = true ] && ! kubectl version --request-timeout=10s >/dev/null 2>&1; then
  echo "check.sh: --server: no API server answers for the current kubectl context ($(kubectl config current-context 2>/dev/null || echo none))"
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r . "$work/kubernetes"

status=0
for overlay in overlays/*/; do
  name="$(basename "$overlay")"
  dir="$work/kubernetes/overlays/$name"
  note=""
  if [ ! -d "$dir/secrets" ]; then
    cp -r secrets.example "$dir/secrets"
    note=" (secrets from secrets.example/)"
  fi
  if ! kubectl kustomize "$dir" >"$work/$name.yaml" 2>"$work/$name.err"; then
    echo "$name: kubectl kustomize FAILED$note"
    sed 's/^/  /' "$work/$name.err"
    status=1
    continue
  fi
  kinds="$(grep -E '^kind: ' "$work/$name.yaml" | sed 's/^kind: //' | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')"
  echo "$name: rendered$note: $kinds"
  if [ "$SERVER" = true ]; then
    if kubectl apply --dry-run=server -f "$work/$name.yaml" >"$work/$name.dry" 2>&1; then
      echo "$name: accepted by the API server (dry run)"
    else
      echo "$name: the API server refused it (dry run)"
      sed 's/^/  /' "$work/$name.dry"
      status=1
    fi
  fi
done
exit "$status"
