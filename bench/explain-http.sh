#!/usr/bin/env bash
# Explanation benchmark over HTTP: one worker serving the reference models, single-instance :explain requests per
# model and per method the version supports, next to :predict of the same rows in the same run, at 1 and 16 clients.
# Per point: req/s, p50/p90/p99 latency, mean model_evaluations per explanation and evaluations per TensorFlow call
# (model_evaluations / model_calls, read from the answers), and the explain/predict ratios. Rounds are interleaved
# (every point once per round) and the table shows the median of the rounds. Writes the block between
# <!-- results:explain-http --> markers in docs/benchmarks.md.
#
#   bench/explain-http.sh [--store DIR] [--models "income spam"] [--seconds 5] [--rounds 2] [--clients "1 16"]
#                         [--rows 8] [--warmup 2] [--port 18183] [--no-docs]
#
# Without --store, the reference models are trained into a temporary store (a given store gets a missing income or
# spam model trained into it). The requests cycle through the first --rows rows of the shipped validation splits
# (bench/ExplainBodies.java). Not part of the build; needs java and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

STORE=""
MODELS="income spam"
DURATION=5
ROUNDS=2
CLIENTS="1 16"
ROWS=8
WARMUP=2
PORT=18183
DOCS=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case "$1" in
    --store) STORE="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --seconds) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
COMMAND="bench/explain-http.sh --models \"$MODELS\" --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\" --rows $ROWS"

JAR=inference-worker/target/inference-worker-0.1.0-SNAPSHOT-exec.jar
if [ ! -f "$JAR" ]; then
  mvn -q -B -pl inference-worker -am package -DskipTests
fi
export TF_CPP_MIN_LOG_LEVEL=2
WORK=$(mktemp -d)
WORKER_PID=""
TEMP_STORE=""
cleanup() {
  if [ -n "$WORKER_PID" ]; then kill "$WORKER_PID" 2>/dev/null || true; wait "$WORKER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  if [ -n "$TEMP_STORE" ]; then rm -rf "$TEMP_STORE"; fi
}
trap cleanup EXIT
if [ -z "$STORE" ]; then
  TEMP_STORE=$(mktemp -d)
  STORE=$TEMP_STORE
fi
for model in $MODELS; do
  case "$model" in
    income|spam) [ -d "$STORE/$model" ] || java -jar "$JAR" train "$model" --store "$STORE" ;;
    *) echo "unknown model $model (income or spam)" >&2; exit 2 ;;
  esac
done

javac -d "$WORK" bench/LoadGenerator.java bench/ExplainBodies.java
BASE="http://127.0.0.1:$PORT"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
java -jar "$JAR" --server.port="$PORT" --warden.worker.model-store.path="$STORE" \
  --warden.worker.model-store.poll-interval=1h >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
for _ in $(seq 1 240); do
  if curl -sf "$BASE/actuator/health" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -sf "$BASE/actuator/health" >/dev/null || { echo "worker did not start; log:" >&2; tail -50 "$WORK/worker.log" >&2; exit 1; }

# The methods a model's served version supports, from GET /v1/models/{m}/explanation-methods ("methods" only,
# not "unsupported").
methods() {
  curl -sf "$BASE/v1/models/$1/explanation-methods" \
    | sed -e 's/"unsupported".*//' -e 's/.*"methods"//' | grep -o '"method" *: *"[a-z_]*"' | sed 's/.*"\([a-z_]*\)"$/\1/'
}
declare -A METHODS VERSION ROWS_USED
for model in $MODELS; do
  for _ in $(seq 1 120); do
    if curl -sf "$BASE/v1/models/$model" 2>/dev/null | grep -q AVAILABLE; then break; fi
    sleep 0.5
  done
  METHODS[$model]=$(methods "$model" | paste -sd' ' -)
  [ -n "${METHODS[$model]}" ] || { echo "no explanation methods for $model" >&2; exit 1; }
  VERSION[$model]=$(curl -sf "$BASE/v1/models/$model" | grep -o '"version" *: *"[0-9]*"' | head -1 | grep -o '[0-9]*"$' | tr -d '"')
  # shellcheck disable=SC2086
  ROWS_USED[$model]=$(java -cp "$WORK" ExplainBodies "$model" "$ROWS" "$WORK/$model" ${METHODS[$model]})
  echo "$model version ${VERSION[$model]}: methods ${METHODS[$model]}; ${ROWS_USED[$model]}" >&2
done

load() { # $1 = path, $2 = body lines, $3 = clients, extra arguments passed on
  local path=$1 body=$2 clients=$3
  shift 3
  java -cp "$WORK" LoadGenerator "$BASE$path" "$body" "$clients" "$DURATION" "$WARMUP" --lines "$@"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
median() { # of the arguments
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# RAW[model,what,clients] = one entry per round, space-separated: "rps,p50,p90,p99,evals_per_explanation,evals_per_call,failed,requests"
declare -A RAW
for round in $(seq 1 "$ROUNDS"); do
  for model in $MODELS; do
    for c in $CLIENTS; do
      for what in predict ${METHODS[$model]}; do
        if [ "$what" = predict ]; then
          out=$(load "/v1/models/$model:predict" "$WORK/$model/predict.jsonl" "$c")
          evals=nan; per_call=nan
        else
          out=$(load "/v1/models/$model:explain" "$WORK/$model/explain-$what.jsonl" "$c" --sum=model_evaluations,model_calls)
          ok=$(( $(field "$out" requests) - $(field "$out" non_2xx) ))
          evals=$(awk -v s="$(field "$out" sum_model_evaluations)" -v n="$ok" 'BEGIN { printf "%.1f", n ? s / n : 0 }')
          per_call=$(awk -v s="$(field "$out" sum_model_evaluations)" -v k="$(field "$out" sum_model_calls)" 'BEGIN { printf "%.1f", k ? s / k : 0 }')
        fi
        echo "round $round $model $what: $out" >&2
        RAW[$model,$what,$c]+="$(field "$out" rps),$(field "$out" p50_ms),$(field "$out" p90_ms),$(field "$out" p99_ms),$evals,$per_call,$(( $(field "$out" non_2xx) + $(field "$out" errors) )),$(field "$out" requests) "
      done
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

stat() { # $1 = model, $2 = what, $3 = clients, $4 = column (1 rps … 6 evals per call): median over the rounds
  local values=()
  for entry in ${RAW[$1,$2,$3]}; do values+=("$(echo "$entry" | cut -d, -f"$4")"); done
  median "${values[@]}"
}
total() { # $4 = column (7 failed, 8 requests): sum over the rounds
  local sum=0
  for entry in ${RAW[$1,$2,$3]}; do sum=$(( sum + $(echo "$entry" | cut -d, -f"$4") )); done
  echo "$sum"
}
num() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "" || tolower(v) ~ /nan/) print "—"; else printf f, v }'; }
label() {
  case "$1" in
    integrated_gradients) echo "integrated gradients" ;;
    kernel_shap) echo "KernelSHAP" ;;
    *) echo "$1" ;;
  esac
}

{
  echo "<!-- results:explain-http -->"
  echo "### Explanations over HTTP — $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`$COMMAND\`  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1); worker and load generator on the same cores; load average $LOAD_BEFORE before the run, $LOAD_AFTER after. Median of $ROUNDS interleaved rounds of $DURATION s (after $WARMUP s of warm-up each); default parameters but the method; one instance per request."
  echo
  for model in $MODELS; do
    echo "- \`$model\` version ${VERSION[$model]}: ${ROWS_USED[$model]}, cycled"
  done
  echo
  echo "| model | method | clients | req/s | p50 / p90 / p99 ms | evaluations per explanation | evaluations per TF call | predict req/s | predict p50 / p90 / p99 ms | explain / predict req/s | explain / predict p50 | explanations measured (failed) |"
  echo "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |"
  for model in $MODELS; do
    for what in ${METHODS[$model]}; do
      for c in $CLIENTS; do
        rps=$(stat "$model" "$what" "$c" 1); prps=$(stat "$model" predict "$c" 1)
        p50=$(stat "$model" "$what" "$c" 2); pp50=$(stat "$model" predict "$c" 2)
        lat="$(num "$p50" %.2f) / $(num "$(stat "$model" "$what" "$c" 3)" %.2f) / $(num "$(stat "$model" "$what" "$c" 4)" %.2f)"
        plat="$(num "$pp50" %.2f) / $(num "$(stat "$model" predict "$c" 3)" %.2f) / $(num "$(stat "$model" predict "$c" 4)" %.2f)"
        rratio=$(num "$(awk -v a="$rps" -v b="$prps" 'BEGIN { print (b + 0 && a + 0) ? a / b : "nan" }')" %.4f)
        lratio=$(num "$(awk -v a="$p50" -v b="$pp50" 'BEGIN { print (b + 0 && a + 0) ? a / b : "nan" }')" %.1f×)
        fails=$(( $(total "$model" "$what" "$c" 7) + $(total "$model" predict "$c" 7) ))
        echo "| $model | $(label "$what") | $c | $(num "$rps" %.1f) | $lat | $(num "$(stat "$model" "$what" "$c" 5)" %.1f) | $(num "$(stat "$model" "$what" "$c" 6)" %.1f) | $(num "$prps" %.0f) | $plat | $rratio | $lratio | $(total "$model" "$what" "$c" 8) ($fails) |"
      done
    done
  done
  echo
  echo "Evaluations are rows (points) the model computed for one explanation; per TF call is model_evaluations / model_calls summed over the answers. The ratios compare explain with predict of the same rows at the same client count in the same rounds; failed counts non-2xx answers and connection errors of both. A median over rounds in which a point completed no request is shown as —."
  echo "<!-- /results:explain-http -->"
} >"$WORK/results.md"
cat "$WORK/results.md"

if [ -n "$DOCS" ]; then
  bench_write_results "explain-http" "$WORK/results.md" "$DOCS"
  echo "updated $DOCS" >&2
fi
