#!/usr/bin/env bash
# Two gateways from the same build, started with different settings, in front of one worker, measured side by side:
# interleaved rounds (A, B, A, B, ...) at each client count, so that noise on the machine hits both alike. Each gateway
# has its own embedded PostgreSQL (fsync and synchronous_commit on), so the CPU time of each gateway and of its
# database is counted separately, per request, from /proc. The request log's batches (rows per commit) come from
# each gateway's own metrics. Writes the table into docs/benchmarks.md (between <!-- results:gateway-settings -->
# markers) unless --no-docs.
#
#   bench/gateway-settings.sh --a "--warden.request-log.commit-delay=0ms" --b "--warden.request-log.commit-delay=2ms"
#                             [--jar-a FILE] [--jar-b FILE] [--jvm-a "OPTIONS"] [--jvm-b "OPTIONS"] [--warmup 24] [--model income] [--store DIR] [--seconds 8] [--rounds 3] [--clients "1 64"] [--no-docs]
#
# --a and --b are command-line arguments of the gateway (Spring Boot properties); either may be empty.
# --jar-a / --jar-b run another build's executable platform-api jar as that gateway (default: this build's), to
# compare two builds side by side: copy the jar of the build before a change out of platform-api/target first.
# --jvm-a / --jvm-b are options of that gateway's JVM (e.g. "-XX:+UseParallelGC"), placed before -jar.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=income
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
ROUNDS=3
CLIENTS="1 64"
ARGS_A=""
ARGS_B=""
JAR_A=""
JAR_B=""
JVM_A=""
JVM_B=""
WARMUP=24
DOCS=docs/benchmarks.md
WORKER_PORT=18381
PORT_A=18383
PORT_B=18384
while [ $# -gt 0 ]; do
  case "$1" in
    --a) ARGS_A="$2"; shift 2 ;;
    --b) ARGS_B="$2"; shift 2 ;;
    --jar-a) JAR_A="$2"; shift 2 ;;
    --jar-b) JAR_B="$2"; shift 2 ;;
    --jvm-a) JVM_A="$2"; shift 2 ;;
    --jvm-b) JVM_B="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
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

. bench/lib.sh
bench_jars inference-worker platform-api
bench_model "$STORE" "$MODEL"
STORE=$(cd "$STORE" && pwd)

WORK=$(mktemp -d)
PIDS=()
trap bench_cleanup EXIT
javac -d "$WORK" bench/LoadGenerator.java

export TF_CPP_MIN_LOG_LEVEL=2
java -jar "$WORKER_JAR" --server.port="$WORKER_PORT" --warden.worker.model-store.path="$STORE" \
  >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
PIDS+=($WORKER_PID)
wait_http worker "http://127.0.0.1:$WORKER_PORT/v2/health/ready" "$WORK/worker.log" "$WORKER_PID"

mkdir -p "$WORK/policies"
cp policies/*.yaml "$WORK/policies/"
bench_quota_plan "$WORK/policies"
SCRAPE_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
JAR_A="${JAR_A:-$GATEWAY_JAR}"
JAR_B="${JAR_B:-$GATEWAY_JAR}"
for jar in "$JAR_A" "$JAR_B"; do [ -f "$jar" ] || { echo "no gateway jar $jar" >&2; exit 2; }; done
JAR_OPTIONS=""
[ "$JAR_A" != "$GATEWAY_JAR" ] && JAR_OPTIONS="$JAR_OPTIONS --jar-a $(basename "$JAR_A")"
[ "$JAR_B" != "$GATEWAY_JAR" ] && JAR_OPTIONS="$JAR_OPTIONS --jar-b $(basename "$JAR_B")"
[ -n "$JVM_A" ] && JAR_OPTIONS="$JAR_OPTIONS --jvm-a \"$JVM_A\""
[ -n "$JVM_B" ] && JAR_OPTIONS="$JAR_OPTIONS --jvm-b \"$JVM_B\""
start_gateway() { # $1 = name (a or b), $2 = port, $3 = extra arguments (split on spaces), $4 = jar, $5 = JVM options
  mkdir -p "$WORK/$1-data"
  # shellcheck disable=SC2086
  WARDEN_DATA_DIR="$WORK/$1-data" WARDEN_POLICIES_DIR="$WORK/policies" WARDEN_MODEL_STORE="$STORE" \
  WARDEN_GATEWAY_PORT="$2" WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_DEMO=true WARDEN_METRICS_SCRAPE_TOKEN="$SCRAPE_TOKEN" \
  WARDEN_WORKER_URL="http://127.0.0.1:$WORKER_PORT" \
    java $5 -jar "$4" $3 >"$WORK/$1.log" 2>&1 &
  LAST_PID=$!
  PIDS+=($LAST_PID)
}
start_gateway a "$PORT_A" "$ARGS_A" "$JAR_A" "$JVM_A"
PID_A=$LAST_PID
start_gateway b "$PORT_B" "$ARGS_B" "$JAR_B" "$JVM_B"
PID_B=$LAST_PID
wait_http "gateway A" "http://127.0.0.1:$PORT_A/actuator/health" "$WORK/a.log" "$PID_A"
wait_http "gateway B" "http://127.0.0.1:$PORT_B/actuator/health" "$WORK/b.log" "$PID_B"
for _ in $(seq 1 40); do [ -s "$WORK/a-data/demo-api-key" ] && [ -s "$WORK/b-data/demo-api-key" ] && break; sleep 0.25; done
KEY_A=$(tr -d '\r\n' <"$WORK/a-data/demo-api-key")
KEY_B=$(tr -d '\r\n' <"$WORK/b-data/demo-api-key")
# the start-up report jobs of a fresh install finish before measuring (see wait_jobs in lib.sh)
wait_jobs "$WORK/a.log" "$WORK/b.log"

port() { [ "$1" = a ] && echo "$PORT_A" || echo "$PORT_B"; }
key() { [ "$1" = a ] && echo "$KEY_A" || echo "$KEY_B"; }
gateway_pid() { [ "$1" = a ] && echo "$PID_A" || echo "$PID_B"; }
# the embedded PostgreSQL of a gateway: its postmaster (started with the gateway's data directory) and its children
postgres_pids() {
  local pm
  pm=$(pgrep -f "postgres.*$WORK/$1-data" | head -1 || true)
  [ -n "$pm" ] && echo "$pm $(pgrep -P "$pm" | tr '\n' ' ')"
}
ticks() { local sum=0 pid; for pid in "$@"; do [ -r "/proc/$pid/stat" ] && sum=$((sum + $(awk '{print $14+$15}' "/proc/$pid/stat"))); done; echo "$sum"; }
metric() { # $1 = a or b, $2 = metric line prefix: the value summed over the lines that start with it
  curl -sf -H "Authorization: Bearer $SCRAPE_TOKEN" "http://127.0.0.1:$(port "$1")/actuator/prometheus" \
    | awk -v m="$2" 'index($0, m) == 1 { sum += $NF } END { printf "%.0f", sum }'
}
load() { # $1 = a or b, $2 = clients, $3 = seconds, $4 = warm-up seconds
  java -cp "$WORK" LoadGenerator "http://127.0.0.1:$(port "$1")/v1/models/$MODEL:predict" "$BODY" "$2" "$3" "$4" \
    "Authorization: Bearer $(key "$1")"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
hz=$(getconf CLK_TCK)

# warm-up: both gateways in turns of 4 s at 16 clients until each had $WARMUP s (their JIT compilers are still busy
# for the first ~20 s of load on two shared cores: CPU per request falls by half over that time)
for _ in $(seq 1 $(((WARMUP + 3) / 4))); do for name in a b; do load "$name" 16 4 1 >/dev/null; done; done
RESULTS="$WORK/results"
: >"$RESULTS"
for clients in $CLIENTS; do
  for round in $(seq 1 "$ROUNDS"); do
    for name in a b; do
      pg=$(postgres_pids "$name")
      g0=$(ticks "$(gateway_pid "$name")"); p0=$(ticks $pg); w0=$(ticks "$WORKER_PID")
      rows0=$(metric "$name" 'warden_request_log_batch_size_records_sum'); commits0=$(metric "$name" 'warden_request_log_batch_size_records_count')
      out=$(load "$name" "$clients" "$DURATION" 1)
      g1=$(ticks "$(gateway_pid "$name")"); p1=$(ticks $pg); w1=$(ticks "$WORKER_PID")
      rows1=$(metric "$name" 'warden_request_log_batch_size_records_sum'); commits1=$(metric "$name" 'warden_request_log_batch_size_records_count')
      n=$(field "$out" requests)
      awk -v c="$clients" -v r="$round" -v t="$name" -v n="$n" -v rps="$(field "$out" rps)" -v p50="$(field "$out" p50_ms)" \
        -v p99="$(field "$out" p99_ms)" -v g=$((g1 - g0)) -v p=$((p1 - p0)) -v w=$((w1 - w0)) -v hz="$hz" \
        -v rows=$((rows1 - rows0)) -v commits=$((commits1 - commits0)) 'BEGIN {
          printf "%s %s %s %s %s %s %.0f %.0f %.0f %.1f\n", c, r, t, rps, p50, p99, g * 1e6 / hz / n, p * 1e6 / hz / n,
            w * 1e6 / hz / n, (commits > 0) ? rows / commits : 0 }' | tee -a "$RESULTS" >&2
    done
  done
done

# median over rounds of each column, per client count and gateway
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$1" -v t="$2" -v k="$3" '$1 == c && $3 == t { print $k }' "$RESULTS" | median; }
TABLE="$WORK/table.md"
{
  echo "<!-- results:gateway-settings -->"
  echo "### Gateway settings side by side — \`$MODEL\`, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/gateway-settings.sh --a \"$ARGS_A\" --b \"$ARGS_B\"$JAR_OPTIONS --warmup $WARMUP --model $MODEL --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\"\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1); load generator, worker, both gateways and their PostgreSQL on the same cores. Median of $ROUNDS interleaved rounds of ${DURATION} s; CPU per request from /proc."
  echo
  label() { # $1 = arguments, $2 = jar, $3 = JVM options
    local text="\`${1:-(defaults)}\`"
    [ "$2" != "$GATEWAY_JAR" ] && text="$text, jar \`$(basename "$2")\`"
    [ -n "$3" ] && text="$text, JVM \`$3\`"
    echo "$text"
  }
  echo "A: $(label "$ARGS_A" "$JAR_A" "$JVM_A"); B: $(label "$ARGS_B" "$JAR_B" "$JVM_B")"
  echo
  echo "| clients | gateway | req/s | p50 / p99 ms | CPU µs per request: gateway | its PostgreSQL | worker | rows per log commit | B / A req/s |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for clients in $CLIENTS; do
    for name in a b; do
      rps=$(col "$clients" "$name" 4)
      ratio=""
      [ "$name" = b ] && ratio=$(awk -v b="$rps" -v a="$(col "$clients" a 4)" 'BEGIN { printf "%.2f", b / a }')
      echo "| $clients | $(echo "$name" | tr ab AB) | $rps | $(col "$clients" "$name" 5) / $(col "$clients" "$name" 6) | $(col "$clients" "$name" 7) | $(col "$clients" "$name" 8) | $(col "$clients" "$name" 9) | $(col "$clients" "$name" 10) | $ratio |"
    done
  done
  echo "<!-- /results:gateway-settings -->"
} >"$TABLE"
cat "$TABLE"
if [ -n "$DOCS" ]; then
  bench_write_results gateway-settings "$TABLE" "$DOCS"
fi
