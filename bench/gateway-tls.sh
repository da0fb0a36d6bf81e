#!/usr/bin/env bash
# Encryption in transit: what TLS costs the gateway, measured side by side with what it costs nginx, predict on a model
# at 1 and 64 concurrent clients. One build of the worker is started twice (the same jar and model store):
#   worker         plain HTTP
#   worker (mTLS)  HTTPS with mutual TLS (WARDEN_TLS_CLIENT_AUTH=need: only a holder of a certificate from the
#                  benchmark's CA gets a connection)
# and five paths are measured in interleaved rounds (so that noise on the machine hits all of them alike):
#   nginx             load generator -HTTP-> nginx -HTTP-> worker
#   nginx TLS         load generator -HTTPS-> nginx (terminates TLS) -HTTP-> worker
#   nginx TLS, mTLS   load generator -HTTPS-> nginx -mutual TLS (nginx's client certificate)-> worker (mTLS)
#   gateway           load generator -HTTP-> gateway -HTTP-> worker                          (today's path)
#   gateway TLS       load generator -HTTPS-> gateway -mutual TLS (gateway's certificate)-> worker (mTLS)
# The two gateways are the same build, each with its own embedded PostgreSQL (as bench/gateway.sh); the TLS one gets
# WARDEN_TLS_CERT, WARDEN_TLS_KEY and WARDEN_TLS_CA (client authentication left at the gateway's default, `want`) and
# an https:// WARDEN_WORKER_URL. Every connection keeps alive: the load generator has one connection per client
# (one handshake per client and run, before measuring), nginx and the gateway pool theirs to the worker. The load
# generator verifies the server's certificate and host name against the benchmark's CA (LoadGenerator --ca=).
# The table reports the median round, the ratios TLS / plain of each front (nginx, gateway), the p50 difference, the
# CPU time per request of the front, the worker behind it and the load generator (from /proc; the gateway's
# PostgreSQL is not counted: TLS does not change its work), and how many connections the front opened to the worker
# per 1000 requests (from ss before and after each run: whether it really kept them alive, or paid a handshake per
# request). Writes the table into docs/benchmarks.md (between <!-- results:tls --> markers) unless --no-docs.
#
#   bench/gateway-tls.sh [--model income] [--store DIR] [--seconds 8] [--rounds 3] [--clients "1 64"] [--no-docs]
#
# Certificates: made for each run in the run's temporary directory with the openssl command line (bench_certs in
# lib.sh: a throw-away CA, EC P-256 leaf certificates for the worker, the gateway and nginx with the names localhost,
# 127.0.0.1 and ::1) and deleted with it. Needs java, curl, openssl and nginx with its SSL module (Debian package nginx
# or nginx-light) on the PATH or in /usr/sbin.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=income
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
ROUNDS=3
CLIENTS="1 64"
DOCS=docs/benchmarks.md
WORKER_PORT=18481
WORKER_TLS_PORT=18482
NGINX_PORT=18483
NGINX_TLS_PORT=18484
NGINX_MTLS_PORT=18485
GATEWAY_PORT=18486
GATEWAY_TLS_PORT=18487
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --seconds) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BODY="bench/$MODEL-request.json"
[ -f "$BODY" ] || { echo "no request body $BODY" >&2; exit 2; }
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
[ -n "$NGINX" ] || { echo "nginx is not installed (Debian: apt-get install nginx-light)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 2; }

. bench/lib.sh
bench_jars inference-worker platform-api
# a jar built before the TLS settings existed ignores WARDEN_TLS_* and would serve plain HTTP
for jar in "$WORKER_JAR" "$GATEWAY_JAR"; do
  # the listing is read whole first: grep -q would close the pipe early and, with pipefail, fail the check
  if command -v unzip >/dev/null && ! grep -q 'BOOT-INF/lib/tls-' <<<"$(unzip -l "$jar")"; then
    echo "$jar has no TLS module: rebuild it (mvn -pl inference-worker,platform-api -am package -DskipTests)" >&2
    exit 2
  fi
done
bench_model "$STORE" "$MODEL"
STORE=$(cd "$STORE" && pwd)

WORK=$(mktemp -d)
PIDS=()
trap bench_cleanup EXIT
javac -d "$WORK" bench/LoadGenerator.java
export TF_CPP_MIN_LOG_LEVEL=2

CERTS="$WORK/certs"
bench_certs "$CERTS" worker gateway nginx
CA="$CERTS/ca.pem"
# curl as a holder of a certificate from the CA (the worker with mutual TLS refuses anyone else)
CLIENT_CURL=(--cacert "$CA" --cert "$CERTS/gateway.pem" --key "$CERTS/gateway.key")

# 1. the same worker build twice: plain HTTP, and HTTPS requiring a client certificate from the CA
start_worker() { # $1 = name, $2 = port; TLS settings, if any, in the environment
  java -jar "$WORKER_JAR" --server.port="$2" --warden.worker.model-store.path="$STORE" \
    --warden.worker.model-store.poll-interval=1h >"$WORK/$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}
start_worker worker "$WORKER_PORT"
WORKER_PID=$LAST_PID
WARDEN_TLS_CERT="$CERTS/worker.pem" WARDEN_TLS_KEY="$CERTS/worker.key" WARDEN_TLS_CA="$CA" WARDEN_TLS_CLIENT_AUTH=need \
  start_worker worker-tls "$WORKER_TLS_PORT"
WORKER_TLS_PID=$LAST_PID
wait_http worker "http://127.0.0.1:$WORKER_PORT/actuator/health" "$WORK/worker.log" "$WORKER_PID"
wait_http "worker (mutual TLS)" "https://127.0.0.1:$WORKER_TLS_PORT/actuator/health" "$WORK/worker-tls.log" \
  "$WORKER_TLS_PID" "${CLIENT_CURL[@]}"
# the TLS worker must refuse a client without a certificate, or the benchmark would not measure mutual TLS
if curl -s -o /dev/null --cacert "$CA" "https://127.0.0.1:$WORKER_TLS_PORT/actuator/health"; then
  echo "the worker with WARDEN_TLS_CLIENT_AUTH=need answered a client without a certificate" >&2; exit 1
fi

# 2. nginx: one process per core, keep-alive to the workers, no access log; TLS 1.2 and 1.3 with OpenSSL's defaults
mkdir -p "$WORK/nginx"
{ nginx_conf_head "$WORK"; cat <<NGINX
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_certificate $CERTS/nginx.pem;
  ssl_certificate_key $CERTS/nginx.key;
  ssl_session_cache shared:tls:1m;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  upstream worker {
    server 127.0.0.1:$WORKER_PORT;
    keepalive 128;
    keepalive_requests 1000000;
  }
  upstream worker_tls {
    server 127.0.0.1:$WORKER_TLS_PORT;
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://worker; }
  }
  server {
    listen 127.0.0.1:$NGINX_TLS_PORT ssl;
    location / { proxy_pass http://worker; }
  }
  server {
    listen 127.0.0.1:$NGINX_MTLS_PORT ssl;
    location / {
      proxy_pass https://worker_tls;
      proxy_ssl_protocols TLSv1.2 TLSv1.3;
      proxy_ssl_certificate $CERTS/nginx.pem;
      proxy_ssl_certificate_key $CERTS/nginx.key;
      proxy_ssl_trusted_certificate $CA;
      proxy_ssl_verify on;
      proxy_ssl_name localhost;
      proxy_ssl_session_reuse on;
    }
  }
}
NGINX
} >"$WORK/nginx/nginx.conf"
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/error.log"
wait_http nginx "http://127.0.0.1:$NGINX_PORT/v1/models/$MODEL" "$WORK/nginx/error.log"
wait_http "nginx (TLS)" "https://127.0.0.1:$NGINX_TLS_PORT/v1/models/$MODEL" "$WORK/nginx/error.log" "" --cacert "$CA"
wait_http "nginx (TLS, mutual TLS to the worker)" "https://127.0.0.1:$NGINX_MTLS_PORT/v1/models/$MODEL" \
  "$WORK/nginx/error.log" "" --cacert "$CA"

# 3. the gateways: embedded PostgreSQL in fresh data directories, demo tenant + key, a plan that never refuses
mkdir -p "$WORK/policies"
bench_quota_plan "$WORK/policies"
start_gateway() { # $1 = name, $2 = port, $3 = worker URL; TLS settings, if any, in the environment
  mkdir -p "$WORK/$1-data"
  WARDEN_DATA_DIR="$WORK/$1-data" WARDEN_POLICIES_DIR="$WORK/policies" WARDEN_MODEL_STORE="$STORE" \
  WARDEN_GATEWAY_PORT="$2" WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_DEMO=true WARDEN_WORKER_URL="$3" \
    java -jar "$GATEWAY_JAR" >"$WORK/$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}
start_gateway gateway "$GATEWAY_PORT" "http://127.0.0.1:$WORKER_PORT"
GATEWAY_PID=$LAST_PID
WARDEN_TLS_CERT="$CERTS/gateway.pem" WARDEN_TLS_KEY="$CERTS/gateway.key" WARDEN_TLS_CA="$CA" \
  start_gateway gateway-tls "$GATEWAY_TLS_PORT" "https://127.0.0.1:$WORKER_TLS_PORT"
GATEWAY_TLS_PID=$LAST_PID
wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/actuator/health" "$WORK/gateway.log" "$GATEWAY_PID"
wait_http "gateway (TLS)" "https://127.0.0.1:$GATEWAY_TLS_PORT/actuator/health" "$WORK/gateway-tls.log" \
  "$GATEWAY_TLS_PID" --cacert "$CA"
for _ in $(seq 1 40); do
  [ -s "$WORK/gateway-data/demo-api-key" ] && [ -s "$WORK/gateway-tls-data/demo-api-key" ] && break
  sleep 0.25
done
KEY=$(tr -d '\r\n' <"$WORK/gateway-data/demo-api-key")
TLS_KEY=$(tr -d '\r\n' <"$WORK/gateway-tls-data/demo-api-key")
# measuring starts after the start-up report jobs of a fresh install (see wait_jobs in lib.sh)
wait_jobs "$WORK/gateway.log" "$WORK/gateway-tls.log"

TARGETS="nginx nginx-tls nginx-mtls gateway gateway-tls"
PREDICT="/v1/models/$MODEL:predict"
url() {
  case "$1" in
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PREDICT" ;;
    nginx-tls) echo "https://127.0.0.1:$NGINX_TLS_PORT$PREDICT" ;;
    nginx-mtls) echo "https://127.0.0.1:$NGINX_MTLS_PORT$PREDICT" ;;
    gateway) echo "http://127.0.0.1:$GATEWAY_PORT$PREDICT" ;;
    gateway-tls) echo "https://127.0.0.1:$GATEWAY_TLS_PORT$PREDICT" ;;
  esac
}
label() {
  case "$1" in
    nginx) echo "nginx: HTTP → worker HTTP" ;;
    nginx-tls) echo "nginx: HTTPS → worker HTTP" ;;
    nginx-mtls) echo "nginx: HTTPS → worker mutual TLS" ;;
    gateway) echo "gateway: HTTP → worker HTTP" ;;
    gateway-tls) echo "gateway: HTTPS → worker mutual TLS" ;;
  esac
}
plain_of() { case "$1" in nginx*) echo nginx ;; gateway*) echo gateway ;; esac; }
# the processes doing a path's work: the front (the gateway's JVM, or nginx's worker processes) and the worker behind
front_pids() {
  case "$1" in
    nginx*) pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ' ;;
    gateway) echo "$GATEWAY_PID" ;;
    gateway-tls) echo "$GATEWAY_TLS_PID" ;;
  esac
}
backend_pid() { case "$1" in nginx-mtls | gateway-tls) echo "$WORKER_TLS_PID" ;; *) echo "$WORKER_PID" ;; esac; }
backend_port() { case "$1" in nginx-mtls | gateway-tls) echo "$WORKER_TLS_PORT" ;; *) echo "$WORKER_PORT" ;; esac; }
# the local ends of all TCP sockets to a worker port, in any state: a connection opened and closed during a run is still
# listed afterwards (TIME-WAIT, 60 s, on the side that closed it), so before/after tells how many were opened
worker_sockets() { ss -Htan "( dport = :$1 )" | awk '{ print $4 }' | sort -u; }
ticks() {
  local sum=0 pid
  for pid in "$@"; do [ -r "/proc/$pid/stat" ] && sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat"))); done
  echo "$sum"
}
load() { # $1 = target, $2 = clients, $3 = seconds, $4 = warm-up seconds
  local key=$KEY
  [ "$1" = gateway-tls ] && key=$TLS_KEY
  java -cp "$WORK" LoadGenerator "$(url "$1")" "$BODY" "$2" "$3" "$4" "Authorization: Bearer $key" "--ca=$CA"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
hz=$(getconf CLK_TCK)

# warm-up: JIT of every path, and a check that every path answers 2xx over the protocol it should. Two passes: the
# TLS code of the JVMs (JSSE's records and AES-GCM in the gateway and the worker) is still being compiled after one.
for target in $TARGETS $TARGETS; do
  out=$(load "$target" 16 4 1)
  echo "warm-up $target: $out" >&2
  bad=$(($(field "$out" non_2xx) + $(field "$out" errors)))
  if [ "$bad" != 0 ] || [ "$(field "$out" requests)" = 0 ]; then
    echo "errors or non-2xx answers from $target during warm-up" >&2
    tail -20 "$WORK/worker-tls.log" "$WORK/gateway-tls.log" "$WORK/nginx/error.log" >&2
    exit 1
  fi
  case "$target" in
    *-tls | *-mtls) [ -n "$(field "$out" tls)" ] || { echo "$target was not measured over TLS" >&2; exit 1; } ;;
  esac
done

RESULTS="$WORK/results"
: >"$RESULTS"
for c in $CLIENTS; do
  for r in $(seq 1 "$ROUNDS"); do
    for target in $TARGETS; do
      worker_sockets "$(backend_port "$target")" >"$WORK/sockets.before"
      # shellcheck disable=SC2046
      f0=$(ticks $(front_pids "$target")); w0=$(ticks "$(backend_pid "$target")")
      out=$(load "$target" "$c" "$DURATION" 1)
      # shellcheck disable=SC2046
      f1=$(ticks $(front_pids "$target")); w1=$(ticks "$(backend_pid "$target")")
      opened=$(worker_sockets "$(backend_port "$target")" | comm -13 "$WORK/sockets.before" - | wc -l)
      echo "round $r clients=$c $target: $out connections_to_worker_opened=$opened" >&2
      # one line per run in RESULTS: clients round target rps p50 p99 cpu-front cpu-worker cpu-loadgen bad
      # connections-opened-per-1000 tls. CPU and connections per request: the servers' side covers the warm-up second
      # too, so it is divided by every answer (all_requests); the load generator's cpu_ms covers the measured time only
      awk -v c="$c" -v r="$r" -v t="$target" -v rps="$(field "$out" rps)" -v p50="$(field "$out" p50_ms)" \
        -v p99="$(field "$out" p99_ms)" -v f=$((f1 - f0)) -v w=$((w1 - w0)) -v hz="$hz" -v opened="$opened" \
        -v all="$(field "$out" all_requests)" -v n="$(field "$out" requests)" -v lg="$(field "$out" cpu_ms)" \
        -v bad=$(($(field "$out" non_2xx) + $(field "$out" errors))) -v tls="$(field "$out" tls)" 'BEGIN {
          if (all == 0) all = 1
          if (n == 0) n = 1
          printf "%s %s %s %s %s %s %.0f %.0f %.0f %d %.1f %s\n", c, r, t, rps, p50, p99, f * 1e6 / hz / all,
            w * 1e6 / hz / all, lg * 1e3 / n, bad, opened * 1000 / all, (tls == "") ? "-" : tls }' \
        | tee -a "$RESULTS" >&2
    done
  done
done

# median over the rounds of a column of RESULTS
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" -v t="$2" -v k="$3" '$1 == c && $3 == t { print $k }' "$RESULTS" | median; }
sum_bad() { awk -v c="$1" -v t="$2" '$1 == c && $3 == t { s += $10 } END { print s + 0 }' "$RESULTS"; }
ROWS="$WORK/rows.md"
: >"$ROWS"
REOPENING=""
for c in $CLIENTS; do
  for target in $TARGETS; do
    plain=$(plain_of "$target")
    awk -v c="$c" -v path="$(label "$target")" -v rps="$(col "$c" "$target" 4)" -v p50="$(col "$c" "$target" 5)" \
      -v p99="$(col "$c" "$target" 6)" -v cf="$(col "$c" "$target" 7)" -v cw="$(col "$c" "$target" 8)" \
      -v cl="$(col "$c" "$target" 9)" -v bad="$(sum_bad "$c" "$target")" -v same="$([ "$target" = "$plain" ] && echo 1)" \
      -v prps="$(col "$c" "$plain" 4)" -v pp50="$(col "$c" "$plain" 5)" -v opened="$(col "$c" "$target" 11)" 'BEGIN {
        ratio = same ? "" : sprintf("**%.2f**", rps / prps)
        diff = same ? "" : sprintf("**%+.3f ms**", p50 - pp50)
        printf "| %s | %s | %.0f | %s | %.3f | %s | %.3f | %.0f | %.0f | %.0f | %.1f | %d |\n", c, path, rps, ratio, p50,
          diff, p99, cf, cw, cl, opened, bad
      }' >>"$ROWS"
    # more than one new connection per ten requests: that front does not keep its connections to the worker, and its
    # row measures handshakes as much as encryption
    if awk -v o="$(col "$c" "$target" 11)" 'BEGIN { exit !(o > 100) }'; then
      REOPENING+="$(label "$target") at $c client$([ "$c" = 1 ] || echo s); "
    fi
  done
done
NEGOTIATED=$(awk '$12 != "-" { print $12 }' "$RESULTS" | tr ',' '\n' | sort -u | paste -sd, - | sed 's/,/, /g')

TABLE="$WORK/table.md"
{
  echo "<!-- results:tls -->"
  echo "### Encryption in transit — \`$MODEL\`, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/gateway-tls.sh --model $MODEL --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\"\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(openssl version | cut -d' ' -f1-2); load generator, both workers, nginx, both gateways and their PostgreSQL all on the same cores. Median of $ROUNDS interleaved rounds of ${DURATION} s; CPU per request from /proc.  "
  echo "Negotiated by the load generator: ${NEGOTIATED:-none}."
  echo
  echo "| clients | path | req/s | TLS / plain req/s | p50 ms | p50 TLS − plain | p99 ms | CPU µs per request: nginx or gateway | worker | load generator | connections to the worker opened per 1000 requests | non-2xx + errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  cat "$ROWS"
  if [ -n "$REOPENING" ]; then
    echo
    echo "Not kept alive (more than one new connection to the worker per ten requests, so a new connection, over TLS with a full handshake, for most requests): ${REOPENING%; }."
    echo "Not kept alive: ${REOPENING%; }" >&2
  fi
  echo "<!-- /results:tls -->"
} >"$TABLE"
cat "$TABLE"
if [ -n "$DOCS" ]; then
  bench_write_results tls "$TABLE" "$DOCS"
  echo "results written to $DOCS" >&2
fi
