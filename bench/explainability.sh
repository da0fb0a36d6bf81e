#!/usr/bin/env bash
# Explainability report benchmark: rows/s of a report job of platform-api against a real inference worker, end to
# end (reference rows decrypted chunk by chunk, explained by the worker's :explain endpoint in batches, aggregated,
# partial dependence through :predict, the report stored with its audit event).
#
# A fresh gateway (embedded PostgreSQL in a temporary data directory) and a worker serving the model store are
# started; the gateway registers the shipped validation split of each reference model it finds (income:
# adult_validation, spam: spamassassin_validation) and queues one report job per model on its own, so no admin
# token is needed. The script waits for each job's "done" log line, which carries the rows explained, the time
# from claim to stored report and the rows/s. Writes the results into docs/benchmarks.md (between
# <!-- results:explainability --> markers) unless --no-docs.
#
#   bench/explainability.sh [--models "income spam"] [--sample-size 1000] [--method integrated_gradients]
#                           [--store DIR] [--worker-jar JAR] [--no-docs]
#
# --method sets warden.explainability.report.method for the automatic jobs (default: the worker's choice).
# Needs java and curl; builds the jars if they are missing and trains a missing reference model into the store.
set -euo pipefail
cd "$(dirname "$0")/.."

MODELS="income spam"
SAMPLE=1000
METHOD=""
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DOCS=docs/benchmarks.md
. bench/lib.sh
WORKER_PORT=18291
GATEWAY_PORT=18293
while [ $# -gt 0 ]; do
  case "$1" in
    --models) MODELS="$2"; shift 2 ;;
    --sample-size) SAMPLE="$2"; shift 2 ;;
    --method) METHOD="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --worker-jar) WORKER_JAR="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
COMMAND="bench/explainability.sh --models \"$MODELS\" --sample-size $SAMPLE${METHOD:+ --method $METHOD}"

if [ ! -f "$WORKER_JAR" ] || [ ! -f "$GATEWAY_JAR" ]; then
  mvn -q -B -pl inference-worker,platform-api -am package -DskipTests
fi
mkdir -p "$STORE"
for model in $MODELS; do
  case "$model" in
    income|spam) bench_model "$STORE" "$model" ;;
    *) echo "only the reference models income and spam have a shipped reference dataset" >&2; exit 2 ;;
  esac
done
STORE=$(cd "$STORE" && pwd)

WORK=$(mktemp -d)
PIDS=()
trap bench_cleanup EXIT
export TF_CPP_MIN_LOG_LEVEL=2


# every reference model in the store gets a report job; they run one at a time (one runner per worker)
java -jar "$WORKER_JAR" --server.port="$WORKER_PORT" --warden.worker.model-store.path="$STORE" \
  --warden.worker.model-store.poll-interval=1h >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
wait_http worker "http://127.0.0.1:$WORKER_PORT/actuator/health" "$WORK/worker.log"

mkdir -p "$WORK/gateway-data"
WARDEN_DATA_DIR="$WORK/gateway-data" WARDEN_MODEL_STORE="$STORE" WARDEN_GATEWAY_PORT="$GATEWAY_PORT" \
WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_WORKER_URL="http://127.0.0.1:$WORKER_PORT" \
  java -jar "$GATEWAY_JAR" --warden.explainability.report.sample-size="$SAMPLE" \
  ${METHOD:+--warden.explainability.report.method=$METHOD} >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/actuator/health" "$WORK/gateway.log"

declare -A LINE
for model in $MODELS; do
  for _ in $(seq 1 7200); do
    done_line=$(grep -E "Explainability job [0-9a-f-]+ \($model/[0-9]+\) done:" "$WORK/gateway.log" | head -1 || true)
    failed_line=$(grep -E "Explainability job [0-9a-f-]+ \($model/[0-9]+\) failed" "$WORK/gateway.log" | head -1 || true)
    if [ -n "$done_line" ]; then LINE[$model]=$done_line; break; fi
    if [ -n "$failed_line" ]; then echo "$failed_line" >&2; tail -40 "$WORK/gateway.log" >&2; exit 1; fi
    sleep 0.5
  done
  [ -n "${LINE[$model]:-}" ] || { echo "no report job for $model finished; gateway log:" >&2; tail -60 "$WORK/gateway.log" >&2; exit 1; }
  echo "$model: ${LINE[$model]##*: }" >&2
done

{
  echo "<!-- results:explainability -->"
  echo "### Report jobs — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`$COMMAND\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1); gateway, worker and PostgreSQL on the same cores."
  echo
  echo "| model | dataset | rows explained | seconds (claim to stored report) | rows/s |"
  echo "| --- | --- | ---: | ---: | ---: |"
  for model in $MODELS; do
    line=${LINE[$model]}
    rows=$(echo "$line" | sed -E 's/.* done: ([0-9]+) rows explained in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\1/')
    ms=$(echo "$line" | sed -E 's/.* done: ([0-9]+) rows explained in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\2/')
    rps=$(echo "$line" | sed -E 's/.* done: ([0-9]+) rows explained in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\3/')
    dataset=adult_validation
    [ "$model" = spam ] && dataset=spamassassin_validation
    echo "| $model | $dataset | $rows | $(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1000 }') | $rps |"
  done
  echo "<!-- /results:explainability -->"
} >"$WORK/results.md"
cat "$WORK/results.md"

if [ -n "$DOCS" ]; then
  bench_write_results "explainability" "$WORK/results.md" "$DOCS"
  echo "updated $DOCS" >&2
fi
