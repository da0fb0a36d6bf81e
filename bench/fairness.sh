#!/usr/bin/env bash
# Fairness check benchmark: rows/s of a fairness check of platform-api against a real inference worker, end to end
# (evaluation rows decrypted chunk by chunk, predicted by the worker's :predict in batches, counted per group, the
# metrics with their stratified bootstrap at its defaults, the report stored with its audit event), and the
# gateway's peak heap meanwhile.
#
# The rows: N rows drawn with replacement (a fixed seed) from the shipped Adult validation split, written as a CSV
# into a temporary directory and uploaded as an evaluation dataset of income (label, positive label 1, sensitive
# sex / race / age with the shipped dataset's references and bands). A fresh gateway (embedded PostgreSQL in a
# temporary data directory; the shipped datasets are not registered, so no automatic job runs beside the measured
# one) and a worker serving the model store are started from the built jars; an in-script issuer signs the admin
# token (bench/FairnessBench.java). The check runs with every parameter at its default (1,000 bootstrap
# resamples, threshold 0.5, batches of 256 rows). The script reads the job's log line
# "Fairness job <id> (income/<v>) done: <rows> rows processed in <ms> ms (<rows/s> rows/s)": the time from the
# claim of the job to its stored report. The gateway's heap is sampled with jstat -gc in a loop from the upload
# to the stored report (a 0.25 s pause between samples): the peak of S0U + S1U + EU + OU (heap in use, garbage not
# yet collected included) and of the committed heap.
# Writes the results into docs/benchmarks.md (between <!-- results:fairness --> markers) unless --no-docs.
#
#   bench/fairness.sh [--rows 100000] [--seed 42] [--store DIR] [--xmx 512m] [--no-docs]
#
# Needs java (a JDK: jstat) and curl; builds the jars if they are missing and trains income into the store if it
# is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=100000
SEED=42
XMX=""
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DOCS=docs/benchmarks.md
. bench/lib.sh
SHIPPED=inference-worker/src/main/resources/datasets/adult/adult_validation.csv
WORKER_PORT=18301
GATEWAY_PORT=18303
ISSUER_PORT=18305
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --xmx) XMX="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
COMMAND="bench/fairness.sh --rows $ROWS --seed $SEED${XMX:+ --xmx $XMX}"
command -v jstat >/dev/null || { echo "jstat (a JDK) is needed for the heap samples" >&2; exit 2; }

bench_jars inference-worker platform-api
mkdir -p "$STORE"
bench_model "$STORE" income
STORE=$(cd "$STORE" && pwd)

WORK=$(mktemp -d)
PIDS=()
trap bench_cleanup EXIT
export TF_CPP_MIN_LOG_LEVEL=2

json_field() { # $1 = field; reads JSON on stdin; prints the first string or number value of the field
  grep -o "\"$1\":\"\?[^\",}]*" | head -1 | sed -E "s/^\"$1\":\"?//"
}

# 1. the rows
java bench/FairnessBench.java rows "$SHIPPED" "$WORK/rows.csv" "$ROWS" "$SEED"
echo "generated $ROWS rows ($(du -h "$WORK/rows.csv" | cut -f1)) from $SHIPPED with seed $SEED" >&2

# 2. issuer, worker, gateway
java bench/FairnessBench.java issuer "$ISSUER_PORT" "$WORK/token" >"$WORK/issuer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do [ -s "$WORK/token" ] && break; sleep 0.25; done
[ -s "$WORK/token" ] || { echo "the issuer did not start" >&2; cat "$WORK/issuer.log" >&2; exit 1; }
TOKEN=$(cat "$WORK/token")

java -jar "$WORKER_JAR" --server.port="$WORKER_PORT" --warden.worker.model-store.path="$STORE" \
  --warden.worker.model-store.poll-interval=1h >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
wait_http worker "http://127.0.0.1:$WORKER_PORT/actuator/health" "$WORK/worker.log"

mkdir -p "$WORK/gateway-data"
WARDEN_DATA_DIR="$WORK/gateway-data" WARDEN_MODEL_STORE="$STORE" WARDEN_GATEWAY_PORT="$GATEWAY_PORT" \
WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_WORKER_URL="http://127.0.0.1:$WORKER_PORT" \
WARDEN_OIDC_ISSUER_URI="http://127.0.0.1:$ISSUER_PORT" WARDEN_EXPLAINABILITY_REGISTER_SHIPPED=false \
  java ${XMX:+-Xmx$XMX} -jar "$GATEWAY_JAR" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
PIDS+=($GATEWAY_PID)
wait_http gateway "http://127.0.0.1:$GATEWAY_PORT/actuator/health" "$WORK/gateway.log"
API="http://127.0.0.1:$GATEWAY_PORT/api/admin"
AUTH="Authorization: Bearer $TOKEN"
VERSION=""
for _ in $(seq 1 120); do
  VERSION=$(curl -sf -H "$AUTH" "$API/models/income" | grep -o '"version":"[0-9]*","state":"AVAILABLE"' \
    | tail -1 | sed -E 's/"version":"([0-9]+)".*/\1/' || true)
  [ -n "$VERSION" ] && break
  sleep 0.5
done
[ -n "$VERSION" ] || { echo "income is not AVAILABLE in the gateway's catalogue" >&2; tail -40 "$WORK/gateway.log" >&2; exit 1; }

# 3. heap samples, the upload, the check
( while kill -0 "$GATEWAY_PID" 2>/dev/null; do
    jstat -gc "$GATEWAY_PID" 2>/dev/null | awk 'NR == 2 { printf "%.0f %.0f\n", $3 + $4 + $6 + $8, $1 + $2 + $5 + $7 }'
    sleep 0.25
  done ) >"$WORK/heap.txt" &
PIDS+=($!)
QUERY="name=bench-fairness&label=label&positive_label=1&sensitive=sex&sensitive=race&sensitive=age"
QUERY="$QUERY&reference=sex:Male&reference=race:White&bands=age:25,60&reference=age:25%20to%20%3C60"
UPLOADED=$(curl -sS -X POST -H "$AUTH" -H "Content-Type: text/csv" --data-binary "@$WORK/rows.csv" \
  -w '\n%{time_total}' "$API/models/income/reference-datasets?$QUERY")
UPLOAD_SECONDS=$(echo "$UPLOADED" | tail -1)
UPLOADED=$(echo "$UPLOADED" | head -n -1)
DATASET=$(echo "$UPLOADED" | json_field id)
echo "$UPLOADED" | grep -q '"row_count":'"$ROWS" || { echo "upload failed: $UPLOADED" >&2; exit 1; }
QUEUED=$(curl -sS -X POST -H "$AUTH" -H "Content-Type: application/json" -d "{\"dataset_id\":\"$DATASET\"}" \
  "$API/models/income/versions/$VERSION/fairness-checks")
JOB=$(echo "$QUEUED" | json_field id)
echo "$QUEUED" | grep -q '"kind":"fairness"' || { echo "the check was not queued: $QUEUED" >&2; exit 1; }

LINE=""
for _ in $(seq 1 7200); do
  LINE=$(grep -E "Fairness job $JOB \(income/$VERSION\) done:" "$WORK/gateway.log" | head -1 || true)
  failed=$(grep -E "Fairness job $JOB \(income/$VERSION\) failed" "$WORK/gateway.log" | head -1 || true)
  [ -n "$LINE" ] && break
  if [ -n "$failed" ]; then echo "$failed" >&2; tail -40 "$WORK/gateway.log" >&2; exit 1; fi
  sleep 0.25
done
[ -n "$LINE" ] || { echo "the check did not finish; gateway log:" >&2; tail -60 "$WORK/gateway.log" >&2; exit 1; }
echo "${LINE##*: }" >&2
REPORT_ID=$(curl -sf -H "$AUTH" "$API/explainability/jobs/$JOB" | json_field fairness_report_id)
REPORT=$(curl -sf -H "$AUTH" "$API/fairness/reports/$REPORT_ID")
DIGEST=$(echo "$REPORT" | json_field content_sha256)
RESAMPLES=$(echo "$REPORT" | json_field resamples)
BATCH=$(echo "$REPORT" | json_field batch_size)

rows=$(echo "$LINE" | sed -E 's/.* done: ([0-9]+) rows processed in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\1/')
ms=$(echo "$LINE" | sed -E 's/.* done: ([0-9]+) rows processed in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\2/')
rps=$(echo "$LINE" | sed -E 's/.* done: ([0-9]+) rows processed in ([0-9]+) ms \(([0-9.]+) rows\/s\).*/\3/')
peak=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { printf "%.0f", m / 1024 }' "$WORK/heap.txt")
capacity=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$WORK/heap.txt")
samples=$(wc -l <"$WORK/heap.txt")

{
  echo "<!-- results:fairness -->"
  echo "### Fairness check — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`$COMMAND\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1); gateway, worker and PostgreSQL on the same cores; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| model | rows | CSV | upload, seconds | resamples | batch | check, seconds (claim to stored report) | rows/s | gateway heap in use, peak | heap committed, peak |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "| income $VERSION | $rows | $(du -m "$WORK/rows.csv" | cut -f1) MB | $(awk -v t="$UPLOAD_SECONDS" 'BEGIN { printf "%.1f", t }') | $RESAMPLES | $BATCH | $(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1000 }') | $rps | $peak MB | $capacity MB |"
  echo
  echo "Heap: \`jstat -gc\` of the gateway, $samples samples from the upload to the stored report; in use = S0U + S1U + EU + OU (garbage not yet collected included), committed = S0C + S1C + EC + OC. Report \`content_sha256\` \`$DIGEST\`."
  echo "<!-- /results:fairness -->"
} >"$WORK/results.md"
cat "$WORK/results.md"

if [ -n "$DOCS" ]; then
  bench_write_results "fairness" "$WORK/results.md" "$DOCS"
  echo "updated $DOCS" >&2
fi
