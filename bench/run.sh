#!/usr/bin/env bash
# Worker benchmark: predict throughput and latency with batching off and on, next to the no-op JSON endpoint (the
# HTTP floor) and the in-process TensorFlow Java ceiling, at 1, 16 and 64 concurrent clients sending the same body.
# Writes the results for the model into docs/benchmarks.md (between <!-- results:MODEL --> markers).
#
#   bench/run.sh [--model income] [--body bench/income-request.json] [--store DIR] [--seconds 8]
#                [--clients "1 16 64"] [--port 18181] [--no-docs]
#
# The model must be in the store (income is trained there if missing). Not part of the build; needs java, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=income
BODY=""
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
CLIENTS="1 16 64"
PORT=18181
DOCS=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case "$1" in
    --model) MODEL="$2"; shift 2 ;;
    --body) BODY="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --seconds) DURATION="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BODY="${BODY:-bench/$MODEL-request.json}"
[ -f "$BODY" ] || { echo "no request body $BODY" >&2; exit 2; }

. bench/lib.sh
JAR=$WORKER_JAR
bench_jars inference-worker
bench_model "$STORE" "$MODEL"

WORK=$(mktemp -d)
WORKER_PID=""
cleanup() {
  if [ -n "$WORKER_PID" ]; then kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
javac -d "$WORK" bench/LoadGenerator.java
BASE="http://127.0.0.1:$PORT"
export TF_CPP_MIN_LOG_LEVEL=2

start_worker() { # $1 = batching enabled (true/false)
  java -jar "$JAR" --server.port="$PORT" --warden.worker.model-store.path="$STORE" \
    --warden.worker.model-store.poll-interval=1h --warden.worker.batching.default.enabled="$1" \
    --warden.worker.benchmark.noop-enabled=true \
    >"$WORK/worker-$1.log" 2>&1 &
  WORKER_PID=$!
  for _ in $(seq 1 240); do
    if curl -sf "$BASE/actuator/health" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "worker did not start; log:" >&2; tail -50 "$WORK/worker-$1.log" >&2; exit 1
}
stop_worker() { kill "$WORKER_PID"; wait "$WORKER_PID" 2>/dev/null || true; WORKER_PID=""; }

# sum of a Prometheus metric over the model's series
metric() {
  curl -s "$BASE/actuator/prometheus" | awk -v name="$1" -v model="model=\"$MODEL\"" \
    'index($1, name "{") == 1 && index($1, model) > 0 { sum += $2 } END { printf "%.0f", sum }'
}
load() { # $1 = path, $2 = clients, $3 = seconds
  java -cp "$WORK" LoadGenerator "$BASE$1" "$BODY" "$2" "$3" 2
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

PREDICT="/v1/models/$MODEL:predict"
declare -A RESULT
for mode in false true; do
  start_worker "$mode"
  load "$PREDICT" 16 3 >/dev/null
  for c in $CLIENTS; do
    noop=$(load /internal/v1/noop "$c" "$DURATION")
    req0=$(metric warden_worker_requests_total); calls0=$(metric warden_worker_tensorflow_calls_total)
    rows0=$(metric warden_worker_batch_size_rows_sum); batches0=$(metric warden_worker_batch_size_rows_count)
    predict=$(load "$PREDICT" "$c" "$DURATION")
    req1=$(metric warden_worker_requests_total); calls1=$(metric warden_worker_tensorflow_calls_total)
    rows1=$(metric warden_worker_batch_size_rows_sum); batches1=$(metric warden_worker_batch_size_rows_count)
    RESULT[$mode,$c,noop]=$noop
    RESULT[$mode,$c,predict]=$predict
    RESULT[$mode,$c,cpr]=$(awk -v a=$((calls1 - calls0)) -v b=$((req1 - req0)) 'BEGIN { printf "%.3f", b ? a / b : 0 }')
    RESULT[$mode,$c,batch]=$(awk -v a=$((rows1 - rows0)) -v b=$((batches1 - batches0)) 'BEGIN { printf "%.1f", b ? a / b : 0 }')
    echo "batching=$mode clients=$c noop: $noop" >&2
    echo "batching=$mode clients=$c predict: $predict tf_calls_per_request=${RESULT[$mode,$c,cpr]} mean_batch=${RESULT[$mode,$c,batch]}" >&2
  done
  stop_worker
done

SIZES=$( (echo 1; for c in $CLIENTS; do printf '%.0f\n' "${RESULT[true,$c,batch]}"; done) | awk '$1 < 1 { $1 = 1 } { print }' | sort -n | uniq | paste -sd, -)
VERSION=$(ls "$STORE/$MODEL" | grep -E '^[0-9]+$' | sort -n | tail -1)
java -cp "$JAR" -Dloader.main=dev.warden.worker.benchmark.TensorFlowCeiling \
  org.springframework.boot.loader.launch.PropertiesLauncher --store "$STORE" --model "$MODEL" --version "$VERSION" \
  --body "$BODY" --batch "$SIZES" --seconds 3 2>/dev/null | grep '^ceiling' >"$WORK/ceiling.txt"
cat "$WORK/ceiling.txt" >&2

ceiling_rows() { # rows/s at the batch size closest to $1
  awk -v b="$1" '{ split($2, kv, "="); d = kv[2] - b; if (d < 0) d = -d; if (best == "" || d < best) { best = d; split($4, r, "="); rows = r[2]; size = kv[2] } }
    END { printf "%s (batch %s)", rows, size }' "$WORK/ceiling.txt"
}

{
  echo "<!-- results:$MODEL -->"
  echo "### \`$MODEL\` — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/run.sh --model $MODEL --body $BODY --seconds $DURATION --clients \"$CLIENTS\"\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), version $VERSION of the model; load generator on the same cores."
  echo
  echo "| clients | no-op floor req/s (p50 / p99 ms) | predict, batching off: req/s (p50 / p99 ms) | TF calls/req | predict, batching on: req/s (p50 / p99 ms) | TF calls/req | mean batch | on / floor | on / off | TF ceiling rows/s at that batch |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for c in $CLIENTS; do
    n=${RESULT[true,$c,noop]}; off=${RESULT[false,$c,predict]}; on=${RESULT[true,$c,predict]}
    fmt() { echo "$(field "$1" rps) ($(field "$1" p50_ms) / $(field "$1" p99_ms))"; }
    ratio() { awk -v a="$(field "$1" rps)" -v b="$(field "$2" rps)" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
    errs=$(( $(field "$on" non_2xx) + $(field "$on" errors) + $(field "$off" non_2xx) + $(field "$off" errors) ))
    echo "| $c | $(fmt "$n") | $(fmt "$off") | ${RESULT[false,$c,cpr]} | $(fmt "$on") | ${RESULT[true,$c,cpr]} | ${RESULT[true,$c,batch]} | $(ratio "$on" "$n") | $(ratio "$on" "$off") | $(ceiling_rows "${RESULT[true,$c,batch]}") |$([ "$errs" -gt 0 ] && echo " ($errs failed requests)")"
  done
  echo
  echo "No-op floor measured with the batching-on worker (the floor with batching off is in the script's output). In-process ceiling, one thread:"
  echo
  echo '```'
  cat "$WORK/ceiling.txt"
  echo '```'
  echo "<!-- /results:$MODEL -->"
} >"$WORK/results.md"
cat "$WORK/results.md"

if [ -n "$DOCS" ]; then
  bench_write_results "$MODEL" "$WORK/results.md" "$DOCS"
  echo "updated $DOCS" >&2
fi
