#!/usr/bin/env bash
# Gateway benchmark: predict on a model at 1 and 64 concurrent clients, side by side in one run,
#   direct   load generator -> inference worker
#   nginx    load generator -> nginx (reverse proxy, upstream keepalive) -> the same worker
#   gateway  load generator -> Warden gateway (API-key auth, Bucket4j quota on PostgreSQL, encrypted request log
#            committed before the answer) -> the same worker
#   gateway, log off  the same gateway build started with warden.request-log.enabled=false (its own database): what
#            the encrypted durable request log costs
# The targets are measured in interleaved rounds (direct, nginx, gateway, direct, ...) so that noise on the
# machine hits all of them alike; the table reports the median round. Writes the table into docs/benchmarks.md
# (between <!-- results:gateway --> markers).
#
#   bench/gateway.sh [--model income] [--store DIR] [--seconds 8] [--rounds 2] [--clients "1 64"] [--warmup 24]
#                    [--profile] [--no-docs]
#   bench/gateway.sh --tls [same options but --profile and --warmup]
#                    the TLS mode: bench/gateway-tls.sh (HTTPS to the gateway, mutual TLS to the worker, against plain
#                    HTTP and against nginx terminating TLS), results under "Encryption in transit"
#
# --profile records the gateway with Java Flight Recorder during the 64-client gateway runs and prints the hottest
# frames of its request threads. Needs java, curl and nginx (Debian package nginx or nginx-light) on the PATH or in
# /usr/sbin. The gateway runs with an embedded PostgreSQL in a temporary data directory (fsync and synchronous_commit
# on, as in the default install), with a quota plan whose limits are high enough never to refuse a request: the
# buckets are still read and updated on every request.
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = --tls ]; then
    args=()
    for other in "$@"; do [ "$other" = --tls ] || args+=("$other"); done
    exec bench/gateway-tls.sh "${args[@]}"
  fi
done

MODEL=income
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
ROUNDS=2
CLIENTS="1 64"
PROFILE=false
WARMUP=24
DOCS=docs/benchmarks.md
WORKER_PORT=18281
NGINX_PORT=18282
GATEWAY_PORT=18283
NOLOG_PORT=18284
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --seconds) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --profile) PROFILE=true; shift ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BODY="bench/$MODEL-request.json"
[ -f "$BODY" ] || { echo "no request body $BODY" >&2; exit 2; }
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
[ -n "$NGINX" ] || { echo "nginx is not installed (Debian: apt-get install nginx-light)" >&2; exit 2; }

. bench/lib.sh
bench_jars inference-worker platform-api
bench_model "$STORE" "$MODEL"
STORE=$(cd "$STORE" && pwd)

WORK=$(mktemp -d)
PIDS=()
trap bench_cleanup EXIT
javac -d "$WORK" bench/LoadGenerator.java
export TF_CPP_MIN_LOG_LEVEL=2


# 1. the worker (defaults: batching on)
java -jar "$WORKER_JAR" --server.port="$WORKER_PORT" --warden.worker.model-store.path="$STORE" \
  --warden.worker.model-store.poll-interval=1h >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
wait_http worker "http://127.0.0.1:$WORKER_PORT/actuator/health" "$WORK/worker.log"

# 2. nginx in front of it: one process per core, keep-alive to the worker, no access log
mkdir -p "$WORK/nginx"
{ nginx_conf_head "$WORK"; cat <<NGINX
  upstream worker {
    server 127.0.0.1:$WORKER_PORT;
    keepalive 128;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://worker;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
    }
  }
}
NGINX
} >"$WORK/nginx/nginx.conf"
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/error.log"
wait_http nginx "http://127.0.0.1:$NGINX_PORT/v1/models/$MODEL" "$WORK/nginx/error.log"

# 3. the gateway: embedded PostgreSQL in a fresh data directory, demo tenant + key, a plan that never refuses
mkdir -p "$WORK/policies" "$WORK/gateway-data"
bench_quota_plan "$WORK/policies"
JFR_OPTS=()
if [ "$PROFILE" = true ]; then
  JFR_OPTS=(-XX:+FlightRecorder)
fi
start_gateway() { # $1 = name, $2 = port, $3... = extra arguments
  local name=$1 port=$2
  shift 2
  mkdir -p "$WORK/$name-data"
  WARDEN_DATA_DIR="$WORK/$name-data" WARDEN_POLICIES_DIR="$WORK/policies" WARDEN_MODEL_STORE="$STORE" \
  WARDEN_GATEWAY_PORT="$port" WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_DEMO=true \
  WARDEN_WORKER_URL="http://127.0.0.1:$WORKER_PORT" \
    java "${JFR_OPTS[@]}" -jar "$GATEWAY_JAR" "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}
start_gateway gateway "$GATEWAY_PORT"
GATEWAY_PID=$LAST_PID
start_gateway nolog "$NOLOG_PORT" --warden.request-log.enabled=false
wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/actuator/health" "$WORK/gateway.log"
wait_http "gateway (log off)" "http://127.0.0.1:$NOLOG_PORT/actuator/health" "$WORK/nolog.log"
for _ in $(seq 1 40); do [ -s "$WORK/gateway-data/demo-api-key" ] && [ -s "$WORK/nolog-data/demo-api-key" ] && break; sleep 0.25; done
KEY=$(tr -d '\r\n' <"$WORK/gateway-data/demo-api-key")
NOLOG_KEY=$(tr -d '\r\n' <"$WORK/nolog-data/demo-api-key")
# measuring starts after the start-up report jobs of a fresh install (see wait_jobs in lib.sh)
wait_jobs "$WORK/gateway.log" "$WORK/nolog.log"

PREDICT="/v1/models/$MODEL:predict"
url() {
  case "$1" in
    direct) echo "http://127.0.0.1:$WORKER_PORT$PREDICT" ;;
    nginx) echo "http://127.0.0.1:$NGINX_PORT$PREDICT" ;;
    gateway) echo "http://127.0.0.1:$GATEWAY_PORT$PREDICT" ;;
    nolog) echo "http://127.0.0.1:$NOLOG_PORT$PREDICT" ;;
  esac
}
load() { # $1 = target, $2 = clients, $3 = seconds, $4 = warm-up seconds
  local key=$KEY
  [ "$1" = nolog ] && key=$NOLOG_KEY
  java -cp "$WORK" LoadGenerator "$(url "$1")" "$BODY" "$2" "$3" "$4" "Authorization: Bearer $key"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# warm-up: JIT of all the paths, in turns of 4 s at 16 clients until each had $WARMUP s (on two shared cores the
# gateways' JIT compilers are still busy for the first ~20 s of load)
for _ in $(seq 1 $(((WARMUP + 3) / 4))); do
  for target in direct nginx gateway nolog; do
    out=$(load "$target" 16 4 1)
    echo "warm-up $target: $out" >&2
    [ "$(field "$out" non_2xx)" = 0 ] || { echo "non-2xx answers from $target during warm-up" >&2; tail -20 "$WORK/gateway.log" >&2; exit 1; }
  done
done

declare -A RPS P50 P99 BAD
for c in $CLIENTS; do
  for target in direct nginx gateway nolog; do RPS[$target,$c]=""; P50[$target,$c]=""; P99[$target,$c]=""; BAD[$target,$c]=0; done
  for r in $(seq 1 "$ROUNDS"); do
    for target in direct nginx gateway nolog; do
      if [ "$PROFILE" = true ] && [ "$target" = gateway ] && [ "$c" -ge 16 ]; then
        jcmd "$GATEWAY_PID" JFR.start name=bench filename="$WORK/gateway-$c-$r.jfr" settings=profile >/dev/null
      fi
      out=$(load "$target" "$c" "$DURATION" 1)
      if [ "$PROFILE" = true ] && [ "$target" = gateway ] && [ "$c" -ge 16 ]; then
        jcmd "$GATEWAY_PID" JFR.stop name=bench >/dev/null
      fi
      echo "round $r clients=$c $target: $out" >&2
      RPS[$target,$c]+="$(field "$out" rps) "
      P50[$target,$c]+="$(field "$out" p50_ms) "
      P99[$target,$c]+="$(field "$out" p99_ms) "
      BAD[$target,$c]=$(( BAD[$target,$c] + $(field "$out" non_2xx) + $(field "$out" errors) ))
    done
  done
done
median() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROWS=$(mktemp)
for c in $CLIENTS; do
  d_rps=$(median "${RPS[direct,$c]}"); n_rps=$(median "${RPS[nginx,$c]}"); g_rps=$(median "${RPS[gateway,$c]}")
  d_p50=$(median "${P50[direct,$c]}"); n_p50=$(median "${P50[nginx,$c]}"); g_p50=$(median "${P50[gateway,$c]}")
  d_p99=$(median "${P99[direct,$c]}"); n_p99=$(median "${P99[nginx,$c]}"); g_p99=$(median "${P99[gateway,$c]}")
  o_rps=$(median "${RPS[nolog,$c]}"); o_p50=$(median "${P50[nolog,$c]}"); o_p99=$(median "${P99[nolog,$c]}")
  awk -v c="$c" -v dr="$d_rps" -v nr="$n_rps" -v gr="$g_rps" -v d5="$d_p50" -v n5="$n_p50" -v g5="$g_p50" \
    -v d9="$d_p99" -v n9="$n_p99" -v g9="$g_p99" -v db="${BAD[direct,$c]}" -v nb="${BAD[nginx,$c]}" -v gb="${BAD[gateway,$c]}" \
    -v orps="$o_rps" -v o5="$o_p50" -v o9="$o_p99" -v ob="${BAD[nolog,$c]}" 'BEGIN {
      printf "| %s | direct | %.0f | %.3f | %.3f | | %d |\n", c, dr, d5, d9, db
      printf "| %s | nginx | %.0f | %.3f | %.3f | +%.3f ms | %d |\n", c, nr, n5, n9, n5 - d5, nb
      printf "| %s | gateway | %.0f | %.3f | %.3f | +%.3f ms | %d |\n", c, gr, g5, g9, g5 - d5, gb
      printf "| %s | gateway, request log off | %.0f | %.3f | %.3f | +%.3f ms | %d |\n", c, orps, o5, o9, o5 - d5, ob
      printf "| %s | **gateway / nginx throughput** | **%.2f** | | | | |\n", c, gr / nr
      printf "| %s | **gateway log on / log off throughput** | **%.2f** | | | | |\n", c, gr / orps
    }' >>"$ROWS"
done
cat "$ROWS" >&2

if [ "$PROFILE" = true ]; then
  echo "the gateway's request threads (JFR execution samples):" >&2
  bench_jfr_summary http-nio 'dev\.warden\.platform\.[a-z]+\.[A-Za-z]+\.[a-zA-Z]+\(' "$WORK"/gateway-*.jfr >&2
fi

if [ -n "$DOCS" ]; then
  TABLE=$(mktemp)
  {
    echo "<!-- results:gateway -->"
    echo "### Gateway vs nginx vs direct — \`$MODEL\`, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Command: \`bench/gateway.sh --model $MODEL --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\" --warmup $WARMUP\`  "
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $("$NGINX" -v 2>&1 | sed 's/.*: //'); load generator, worker, nginx, gateway and PostgreSQL all on the same cores. Median of $ROUNDS interleaved rounds of ${DURATION} s."
    echo
    echo "| clients | path | req/s | p50 ms | p99 ms | p50 over direct | non-2xx + errors |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    cat "$ROWS"
    echo "<!-- /results:gateway -->"
  } >"$TABLE"
  bench_write_results gateway "$TABLE" "$DOCS"
  rm -f "$TABLE"
  echo "results written to $DOCS" >&2
fi
rm -f "$ROWS"
