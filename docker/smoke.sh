#!/usr/bin/env bash
# Smoke test of docker/compose.yaml, run on demand (never by mvn verify). From nothing (fresh volumes, fresh secrets
# in a temporary env file) it:
#   1. brings the stack up and waits until every service is healthy and both workers serve income (the reference
#      model, trained once and copied from PostgreSQL);
#   2. gets an ADMIN access token with the warden-cli authorization-code flow (PKCE) at the console, with curl and a
#      cookie jar (docs/console.md, "Getting a token for scripts and tests");
#   3. creates a tenant and an API key through the admin API, through the load balancer;
#   4. uploads a model version (the income version the stack trained, copied out of the first gateway and zipped)
#      as the model smoke-income, and waits until it answers predictions through the load balancer;
#   5. runs a load (CLIENTS curl loops in parallel for SECONDS, POST :predict through the load balancer) and kills
#      one gateway and one worker (docker kill, SIGKILL) while it runs;
#   6. checks: client-visible errors (non-2xx) at most the retry budget, and every 2xx of the load in the request
#      log (its request id, found with the admin API's request-log search for the tenant);
#   7. restarts the console and checks that the user signed in at step 2 is still signed in (a code without the
#      sign-in form, a token signed with the same key, accepted by the admin API);
#   8. tears everything down (down -v) and prints a short report.
#
#   docker/smoke.sh [--local-images] [--clients N] [--seconds S] [--keep]
#     --local-images  PostgreSQL, nginx and Prometheus from docker/build-images.sh --local-base (warden-postgres,
#                     warden-nginx, warden-prometheus) instead of the public images
#     --clients N     parallel load clients (default 8)
#     --seconds S     length of the load (default 40); the gateway is killed after S/4, the worker after S/2
#     --keep          leave the stack running at the end (docker/compose.sh --env-file <the printed file> down -v)
#
# Needs docker, docker compose or docker-compose, the images (docker/build-images.sh), a JDK (docker/make-env.sh
# makes the keysets), curl 7.84+, jq, zip and openssl. Publishes 127.0.0.1:8080, :8090 and :9090: nothing else may
# listen there. Exit status 0 only when every check passed.
#
# The retry budget: the load balancer sends a request to the other gateway when the connection to the first cannot
# be made (docker/nginx.conf), but never resends a POST that already reached a gateway. So the requests in flight on
# the killed gateway at the moment of the kill may fail (502), at most one per client: the budget is CLIENTS. A killed
# worker costs no client error: the gateway sends a call that could not connect (refused, or timed out on the dead
# container's address) or whose connection broke once more, to the other worker.
set -euo pipefail

DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$DIR/.." && pwd)"
CLIENTS=8
SECONDS_LOAD=40
KEEP=false
LOCAL_IMAGES=false
LB=http://127.0.0.1:8080
ISSUER=http://localhost:8090
PROMETHEUS=http://127.0.0.1:9090
MODEL=smoke-income

while [ $# -gt 0 ]; do
  case "$1" in
    --local-images) LOCAL_IMAGES=true ;;
    --clients) CLIENTS="$2"; shift ;;
    --seconds) SECONDS_LOAD="$2"; shift ;;
    --keep) KEEP=true ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "smoke: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

for tool in docker curl jq zip openssl java; do
  command -v "$tool" >/dev/null || { echo "smoke: $tool is needed" >&2; exit 2; }
done
for image in warden-platform-api warden-inference-worker warden-admin-ui; do
  docker image inspect "$image" >/dev/null 2>&1 || { echo "smoke: image $image missing: run docker/build-images.sh" >&2; exit 2; }
done

WORK="$(mktemp -d)"
ENV_FILE="$WORK/env"
T0=$(date +%s)
log() { printf '[%4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }
fail() { log "FAILED: $*"; exit 1; }
compose() { "$DIR/compose.sh" --env-file "$ENV_FILE" "$@"; }

teardown() {
  local status=$?
  if $KEEP; then
    log "kept running; stop with: docker/compose.sh --env-file $ENV_FILE down -v"
  else
    if [ $status -ne 0 ]; then
      mkdir -p "$WORK/logs"
      for service in platform-api platform-api-2 inference-worker inference-worker-2 admin-ui lb postgres; do
        compose logs --no-color "$service" > "$WORK/logs/$service.log" 2>&1 || true
      done
      echo "smoke: the services' logs are in $WORK/logs"
    fi
    compose down -v --remove-orphans >/dev/null 2>&1 || true
    log "torn down (down -v)"
    [ $status -ne 0 ] || rm -rf "$WORK"
  fi
}

# --- 1. from nothing ----------------------------------------------------------------------------------------------
if $LOCAL_IMAGES; then
  export WARDEN_POSTGRES_IMAGE=warden-postgres WARDEN_NGINX_IMAGE=warden-nginx WARDEN_PROMETHEUS_IMAGE=warden-prometheus
fi
"$DIR/make-env.sh" "$ENV_FILE" >/dev/null
ADMIN_PASSWORD="$(sed -n 's/^WARDEN_ADMIN_PASSWORD=//p' "$ENV_FILE")"
compose down -v --remove-orphans >/dev/null 2>&1 || true
trap teardown EXIT
log "compose up (fresh volumes, fresh secrets)"
compose up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "compose up"; }

container() { compose ps -q "$1"; }
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$(container "$1")" 2>/dev/null; }

wait_healthy() { # the services with a health check healthy, the load balancer answering
  local deadline=$(( $(date +%s) + 900 )) service pending
  while :; do
    pending=""
    for service in postgres platform-api platform-api-2 inference-worker inference-worker-2 admin-ui; do
      [ "$(health "$service")" = healthy ] || pending="$pending $service"
    done
    curl -fsS -o /dev/null "$LB/actuator/health/readiness" 2>/dev/null || pending="$pending lb"
    curl -fsS -o /dev/null "$PROMETHEUS/-/ready" 2>/dev/null || pending="$pending prometheus"
    [ -z "$pending" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || fail "not healthy after 15 minutes:$pending"
    sleep 5
  done
}
wait_healthy
log "healthy: postgres, 2 gateways, 2 workers, console, load balancer, prometheus"

# --- 2. an ADMIN token (warden-cli, authorization code with PKCE) ---------------------------------------------------
JAR="$WORK/cookies"
VERIFIER="$(openssl rand -hex 32)"
CHALLENGE="$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
REDIRECT=http://127.0.0.1:8765/callback
AUTHORIZE="$ISSUER/oauth2/authorize?response_type=code&client_id=warden-cli&redirect_uri=$REDIRECT&scope=openid%20profile&state=smoke&code_challenge=$CHALLENGE&code_challenge_method=S256"
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$AUTHORIZE"
CSRF="$(curl -s -c "$JAR" -b "$JAR" "$ISSUER/login" | sed -n 's/.*name="_csrf"[^>]*value="\([^"]*\)".*/\1/p' | head -1)"
[ -n "$CSRF" ] || fail "no _csrf field on the console's sign-in page"
NEXT="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{redirect_url}' --data-urlencode username=admin \
  --data-urlencode "password=$ADMIN_PASSWORD" --data-urlencode "_csrf=$CSRF" "$ISSUER/login")"
case "$NEXT" in *error*|"") fail "sign-in refused (redirect: $NEXT)" ;; esac
CALLBACK="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{redirect_url}' "$NEXT")"
CODE="$(printf %s "$CALLBACK" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')"
[ -n "$CODE" ] || fail "no authorization code (redirect: $CALLBACK)"
TOKEN="$(curl -s -X POST "$ISSUER/oauth2/token" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
  --data-urlencode "redirect_uri=$REDIRECT" -d client_id=warden-cli --data-urlencode "code_verifier=$VERIFIER" | jq -r .access_token)"
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || fail "no access token"
log "ADMIN access token from the console (authorization code + PKCE, client warden-cli)"

admin() { # admin METHOD PATH [curl args...]: the admin API through the load balancer
  local method="$1" path="$2"; shift 2
  curl -sS -X "$method" -H "Authorization: Bearer $TOKEN" "$@" "$LB/api/admin$path"
}

# --- 3. tenant and key ------------------------------------------------------------------------------------------
TENANT="$(admin POST /tenants -H 'Content-Type: application/json' -d "{\"name\":\"smoke-$T0\",\"plan\":\"enterprise\"}" | jq -r .id)"
[ -n "$TENANT" ] && [ "$TENANT" != null ] || fail "tenant not created"
KEY="$(admin POST "/tenants/$TENANT/keys" -H 'Content-Type: application/json' -d '{"name":"smoke"}' | jq -r .key)"
[ -n "$KEY" ] && [ "$KEY" != null ] || fail "API key not created"
log "tenant $TENANT (plan enterprise) and an API key ${KEY:0:12}…"

# --- 4. upload a version, wait until it serves ------------------------------------------------------------------
docker cp "$(container platform-api):/data/models/income/1" "$WORK/income" >/dev/null
(cd "$WORK/income" && zip -qr "$WORK/model.zip" .)
UPLOAD="$(admin POST "/models/$MODEL/versions" -F "file=@$WORK/model.zip")"
VERSION="$(printf %s "$UPLOAD" | jq -r .version)"
[ -n "$VERSION" ] && [ "$VERSION" != null ] || fail "upload refused: $UPLOAD"
log "uploaded $MODEL/$VERSION ($(stat -c %s "$WORK/model.zip") bytes, validated by a worker, archived in PostgreSQL)"

REQUEST="$ROOT/bench/income-request.json"
predict() { # prints "<status> <request id, empty when the load balancer answered itself> <seconds>"
  curl -s -o /dev/null --max-time 30 -w '%{http_code} %header{x-request-id} %{time_total}\n' \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "@$REQUEST" \
    "$LB/v1/models/$MODEL:predict" | awk '{ if (NF == 2) print $1, "-", $2; else print }' || true
}
deadline=$(( $(date +%s) + 180 ))
until [ "$(predict | cut -d' ' -f1)" = 200 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "$MODEL/$VERSION not served within 3 minutes"
  sleep 1
done
SERVED_AFTER=$(( $(date +%s) - T0 ))
log "$MODEL/$VERSION answers through the load balancer"
# both workers copied it from PostgreSQL before the load (the one that survives must serve it)
deadline=$(( $(date +%s) + 120 ))
while :; do
  serving="$(admin GET "/models/$MODEL" | jq -r --arg v "$VERSION" '[.versions[] | select(.version == $v) | .serving.workers[]? | select(.state == "AVAILABLE") | .worker] | unique | length')"
  [ "$serving" = 2 ] && break
  [ "$(date +%s)" -lt "$deadline" ] || fail "$MODEL/$VERSION AVAILABLE on $serving worker(s), not 2"
  sleep 2
done
log "$MODEL/$VERSION AVAILABLE on both workers (copied from PostgreSQL by the store sync)"

# --- 5. load, with a gateway and a worker killed ------------------------------------------------------------------
GATEWAY_KILLED="$(container platform-api)"
WORKER_KILLED="$(container inference-worker)"
LOAD_START=$(date +%s)
LOAD_END=$(( LOAD_START + SECONDS_LOAD ))
for client in $(seq 1 "$CLIENTS"); do
  (
    while [ "$(date +%s)" -lt "$LOAD_END" ]; do predict; done > "$WORK/load-$client.txt"
  ) &
done
sleep $(( SECONDS_LOAD / 4 ))
docker kill "$GATEWAY_KILLED" >/dev/null
log "load running ($CLIENTS clients): killed gateway platform-api (SIGKILL)"
sleep $(( SECONDS_LOAD / 4 ))
docker kill "$WORKER_KILLED" >/dev/null
log "killed worker inference-worker (SIGKILL)"
wait
LOAD_SECONDS=$(( $(date +%s) - LOAD_START ))
cat "$WORK"/load-*.txt > "$WORK/load.txt"
TOTAL=$(wc -l < "$WORK/load.txt")
OK=$(awk '$1 ~ /^2/' "$WORK/load.txt" | wc -l)
ERRORS=$(( TOTAL - OK ))
STATUSES="$(awk '{print $1}' "$WORK/load.txt" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=", "}')"
log "load done: $TOTAL requests in ${LOAD_SECONDS}s ($(( TOTAL / (LOAD_SECONDS > 0 ? LOAD_SECONDS : 1) ))/s), statuses: $STATUSES"

# --- 6. checks ----------------------------------------------------------------------------------------------------
awk '$1 ~ /^2/ {print $2}' "$WORK/load.txt" | sort > "$WORK/ok-ids.txt"
page=0
: > "$WORK/log-ids.txt"
while [ "$page" != null ]; do
  admin GET "/request-log?tenant_id=$TENANT&status=2xx&size=500&page=$page" > "$WORK/page.json"
  jq -r '.content[].request_id' "$WORK/page.json" >> "$WORK/log-ids.txt"
  page="$(jq -r .next_page "$WORK/page.json")"
done
sort -o "$WORK/log-ids.txt" "$WORK/log-ids.txt"
LOGGED=$(wc -l < "$WORK/log-ids.txt")
MISSING=$(comm -23 "$WORK/ok-ids.txt" "$WORK/log-ids.txt" | wc -l)
NO_ID=$(awk '$1 ~ /^2/ && $2 == "-"' "$WORK/load.txt" | wc -l)
log "request log: $LOGGED 2xx rows for the tenant (load and the readiness probes); 2xx of the load missing from it: $MISSING"
# the errors: answered by the load balancer itself (no request id: no gateway answered), or by a gateway (its
# request-log row says why)
awk '$1 !~ /^2/' "$WORK/load.txt" | sort -k3 -n > "$WORK/errors.txt"
if [ -s "$WORK/errors.txt" ]; then
  admin GET "/request-log?tenant_id=$TENANT&status=5xx&size=500" > "$WORK/errors.json"
  while read -r status id seconds; do
    if [ "$id" = "-" ]; then
      log "  error $status after ${seconds}s from the load balancer (no gateway answered)"
    else
      code="$(jq -r --arg id "$id" '[.content[] | select(.request_id == $id) | .error_code][0] // "not in the log"' "$WORK/errors.json")"
      log "  error $status after ${seconds}s from a gateway: $code (request $id)"
    fi
  done < "$WORK/errors.txt"
fi

TARGETS="$(curl -s "$PROMETHEUS/api/v1/targets" | jq -r '[.data.activeTargets[] | "\(.labels.instance)=\(.health)"] | join(" ")')"
log "prometheus targets after the kills: $TARGETS"
log "after the load: gateway platform-api $(docker inspect -f '{{.State.Status}}' "$GATEWAY_KILLED"), worker inference-worker $(docker inspect -f '{{.State.Status}}' "$WORKER_KILLED")"

# --- 7. the console restarts: nobody is signed out ---------------------------------------------------------------
# its sessions, the authorization server's authorizations and its signing keys are kept by platform-api
# (WARDEN_CONSOLE_STATE_TOKEN): the cookie of the sign-in above must still get a code after the restart, without the
# sign-in form, and the new token must be signed with the same key and accepted by the admin API
jwt_kid() {
  local header
  header="$(printf %s "$1" | cut -d. -f1 | tr '_-' '/+')"
  while [ $(( ${#header} % 4 )) -ne 0 ]; do header="$header="; done
  printf %s "$header" | base64 -d | jq -r .kid
}
KID_BEFORE="$(jwt_kid "$TOKEN")"
docker restart "$(container admin-ui)" >/dev/null
deadline=$(( $(date +%s) + 300 ))
until [ "$(health admin-ui)" = healthy ]; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "the console is not healthy 5 minutes after its restart"
  sleep 2
done
log "console restarted (docker restart) and healthy"
VERIFIER="$(openssl rand -hex 32)"
CHALLENGE="$(printf %s "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
AUTHORIZE="$ISSUER/oauth2/authorize?response_type=code&client_id=warden-cli&redirect_uri=$REDIRECT&scope=openid%20profile&state=smoke2&code_challenge=$CHALLENGE&code_challenge_method=S256"
CALLBACK="$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{redirect_url}' "$AUTHORIZE")"
CODE="$(printf %s "$CALLBACK" | sed -n 's/.*[?&]code=\([^&]*\).*/\1/p')"
RESTART_RESULT="FAIL the console's restart signed the user out (authorize answered: ${CALLBACK:-no redirect})"
if [ -n "$CODE" ]; then
  TOKEN="$(curl -s -X POST "$ISSUER/oauth2/token" -d grant_type=authorization_code --data-urlencode "code=$CODE" \
    --data-urlencode "redirect_uri=$REDIRECT" -d client_id=warden-cli --data-urlencode "code_verifier=$VERIFIER" | jq -r .access_token)"
  KID_AFTER="$(jwt_kid "$TOKEN")"
  TENANT_STATUS="$(admin GET "/tenants/$TENANT" -o /dev/null -w '%{http_code}')"
  log "after the restart: a code for the same session without signing in, token key $KID_AFTER (before: $KID_BEFORE), admin API $TENANT_STATUS"
  if [ "$KID_AFTER" = "$KID_BEFORE" ] && [ "$TENANT_STATUS" = 200 ]; then
    RESTART_RESULT="PASS the console restarted and the signed-in user stayed signed in (same signing key, token accepted)"
  else
    RESTART_RESULT="FAIL after the console's restart: signing key $KID_AFTER (before $KID_BEFORE), admin API answered $TENANT_STATUS"
  fi
fi

BUDGET=$CLIENTS
echo
echo "== smoke report ($(date -u +%Y-%m-%dT%H:%MZ), $( docker compose version >/dev/null 2>&1 && echo 'docker compose' || docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'))"
echo "stack healthy and $MODEL/$VERSION served after ${SERVED_AFTER}s"
echo "load: $TOTAL predictions, $CLIENTS clients, ${LOAD_SECONDS}s; gateway killed at $(( SECONDS_LOAD / 4 ))s, worker at $(( SECONDS_LOAD / 2 ))s"
echo "statuses: $STATUSES"
result=0
if [ "$ERRORS" -le "$BUDGET" ]; then
  echo "PASS client-visible errors $ERRORS <= retry budget $BUDGET (requests in flight on the killed gateway, one per client)"
else
  echo "FAIL client-visible errors $ERRORS > retry budget $BUDGET"; result=1
fi
if [ "$MISSING" -eq 0 ] && [ "$NO_ID" -eq 0 ] && [ "$OK" -gt 0 ]; then
  echo "PASS every 2xx of the load ($OK) is in the request log"
else
  echo "FAIL 2xx of the load missing from the request log: $MISSING (without a request id: $NO_ID, 2xx: $OK)"; result=1
fi
echo "$RESTART_RESULT"
case "$RESTART_RESULT" in PASS*) ;; *) result=1 ;; esac
exit $result
