#!/usr/bin/env bash
# Two workers measured side by side: two builds (--jar-a, --jar-b: a saved copy of the executable jar before a change
# and the one after it) or one build with two settings (--a, --b: Spring Boot arguments, e.g.
# --a "--warden.worker.batching.default.enabled=false"; batching is on by default). In interleaved
# rounds (A, B, A, B, ...) at each client count, so that noise on the machine hits both alike, each worker is started,
# warmed up, measured on predict and then on its no-op endpoint (the HTTP floor), and stopped. The worker's CPU time
# per request comes from /proc. Prints a table; writes it into docs/benchmarks.md (between
# <!-- results:worker-ab-$MODEL --> markers) only with --docs.
#
#   bench/worker-ab.sh --jar-a /tmp/worker-before.jar [--jar-b JAR] [--a "ARGS"] [--b "ARGS"] [--model income]
#                      [--store DIR] [--seconds 8] [--rounds 3] [--clients "64"] [--docs] [--label NAME] [--api v1|v2] [--profile]
#
# --api v2 measures the Open Inference Protocol's infer (bench/MODEL-infer-request.json) instead of predict.
# --label NAME writes into the block <!-- results:worker-ab-$MODEL-NAME --> instead, so that the results of one change
# do not replace those of another.
#
# --profile records each worker's predict runs at 16 clients or more with JFR and prints, for A and for B, what the
# request threads did (hottest frames, and the share of samples in Warden's code and in Spring MVC's dispatch).
# Missing jars default to the current build (inference-worker/target). Not part of the build; needs java, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

. bench/lib.sh
MODEL=income
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
ROUNDS=3
CLIENTS="64"
JAR_A=""
JAR_B=""
ARGS_A=""
ARGS_B=""
DOCS=""
PROFILE=false
LABEL=""
API=v1
PORT=18191
while [ $# -gt 0 ]; do
  case "$1" in
    --jar-a) JAR_A="$2"; shift 2 ;;
    --jar-b) JAR_B="$2"; shift 2 ;;
    --a) ARGS_A="$2"; shift 2 ;;
    --b) ARGS_B="$2"; shift 2 ;;
    --model) MODEL="$2"; shift 2 ;;
    --store) STORE="$2"; shift 2 ;;
    --seconds) DURATION="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --docs) DOCS=docs/benchmarks.md; shift ;;
    --profile) PROFILE=true; shift ;;
    --label) LABEL="$2"; shift 2 ;;
    --api) API="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$API" in
  v1) BODY="bench/$MODEL-request.json"; TARGET="/v1/models/$MODEL:predict" ;;
  v2) BODY="bench/$MODEL-infer-request.json"; TARGET="/v2/models/$MODEL/infer" ;;
  *) echo "--api is v1 (TF Serving predict) or v2 (Open Inference Protocol infer)" >&2; exit 2 ;;
esac
[ -f "$BODY" ] || { echo "no request body $BODY" >&2; exit 2; }
bench_jars inference-worker
JAR_A="${JAR_A:-$WORKER_JAR}"
JAR_B="${JAR_B:-$WORKER_JAR}"
for jar in "$JAR_A" "$JAR_B"; do [ -f "$jar" ] || { echo "no jar $jar" >&2; exit 2; }; done
bench_model "$STORE" "$MODEL"

BLOCK="worker-ab-$MODEL${LABEL:+-$LABEL}"
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

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
load() { java -cp "$WORK" LoadGenerator "$BASE$1" "$BODY" "$2" "$DURATION" 2; }

measure() { # $1 = A or B, $2 = clients, $3 = round; prints "rps p50 cpu_us noop_rps failed noop_cpu_us"
  local jar=$JAR_A args=$ARGS_A
  if [ "$1" = B ]; then jar=$JAR_B; args=$ARGS_B; fi
  # shellcheck disable=SC2086
  java -jar "$jar" --server.port="$PORT" --warden.worker.model-store.path="$STORE" \
    --warden.worker.model-store.poll-interval=1h --warden.worker.benchmark.noop-enabled=true $args >"$WORK/worker-$1.log" 2>&1 &
  WORKER_PID=$!
  for _ in $(seq 1 240); do
    if curl -sf "$BASE/actuator/health" >/dev/null 2>&1; then break; fi
    sleep 0.5
  done
  curl -sf "$BASE/actuator/health" >/dev/null || { echo "worker $1 did not start:" >&2; tail -30 "$WORK/worker-$1.log" >&2; exit 1; }
  java -cp "$WORK" LoadGenerator "$BASE$TARGET" "$BODY" 16 3 >/dev/null
  local before after predict noop
  local profile=false
  if [ "$PROFILE" = true ] && [ "$2" -ge 16 ]; then profile=true; fi
  if [ "$profile" = true ]; then
    jcmd "$WORKER_PID" JFR.start name=bench filename="$WORK/profile-$1-$2-$3.jfr" settings=profile >/dev/null
  fi
  before=$(ticks "$WORKER_PID")
  predict=$(load "$TARGET" "$2")
  after=$(ticks "$WORKER_PID")
  if [ "$profile" = true ]; then jcmd "$WORKER_PID" JFR.stop name=bench >/dev/null; fi
  local noop_before noop_after
  noop_before=$(ticks "$WORKER_PID")
  noop=$(load /internal/v1/noop "$2")
  noop_after=$(ticks "$WORKER_PID")
  kill "$WORKER_PID"; wait "$WORKER_PID" 2>/dev/null || true; WORKER_PID=""
  local failed=$(( $(field "$predict" non_2xx) + $(field "$predict" errors) ))
  # CPU per request over the warm-up and the measured time alike (all_requests counts both); 100 ticks per second
  echo "$(field "$predict" rps) $(field "$predict" p50_ms) $(per_request $((after - before)) "$predict") $(field "$noop" rps) $failed $(per_request $((noop_after - noop_before)) "$noop")"
}

per_request() { # $1 = CPU ticks (100 per second), $2 = the load generator's line: µs of CPU per request
  awk -v t="$1" -v n="$(field "$2" all_requests)" 'BEGIN { printf "%.0f", n ? t * 10000 / n : 0 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

{
  echo "<!-- results:$BLOCK -->"
  echo "### Worker A/B — \`$MODEL\`, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Command: \`bench/worker-ab.sh --model $MODEL --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\"$([ "$API" != v1 ] && echo " --api $API")$([ -n "$LABEL" ] && echo " --label $LABEL")\`$([ "$JAR_A" != "$JAR_B" ] && echo " with two builds (A before, B after)")$([ -n "$ARGS_A$ARGS_B" ] && echo "; A: \`$ARGS_A\`, B: \`$ARGS_B\`")  "
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1); load generator on the same cores. $ROUNDS interleaved rounds of ${DURATION} s."
  echo
  echo "| clients | round | A predict req/s (p50 ms) | A worker CPU µs/req: predict / no-op | A predict / no-op req/s | B predict req/s (p50 ms) | B worker CPU µs/req: predict / no-op | B predict / no-op req/s | B / A req/s |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$WORK/results.md"
for c in $CLIENTS; do
  : >"$WORK/ratios-$c"
  for r in $(seq 1 "$ROUNDS"); do
    read -r a_rps a_p50 a_cpu a_noop a_failed a_noop_cpu <<<"$(measure A "$c" "$r")"
    read -r b_rps b_p50 b_cpu b_noop b_failed b_noop_cpu <<<"$(measure B "$c" "$r")"
    a_floor=$(awk -v a="$a_rps" -v b="$a_noop" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
    b_floor=$(awk -v a="$b_rps" -v b="$b_noop" 'BEGIN { printf "%.2f", b ? a / b : 0 }')
    ba=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.2f", a ? b / a : 0 }')
    echo "$a_floor $b_floor $ba $a_cpu $b_cpu $a_noop_cpu $b_noop_cpu" >>"$WORK/ratios-$c"
    failed=$((a_failed + b_failed))
    echo "| $c | $r | $a_rps ($a_p50) | $a_cpu / $a_noop_cpu | $a_floor | $b_rps ($b_p50) | $b_cpu / $b_noop_cpu | $b_floor | $ba |$([ "$failed" -gt 0 ] && echo " ($failed failed requests)")" | tee -a "$WORK/results.md" >&2
  done
  echo "| $c | **median** | | $(cut -d' ' -f4 "$WORK/ratios-$c" | median) / $(cut -d' ' -f6 "$WORK/ratios-$c" | median) | **$(cut -d' ' -f1 "$WORK/ratios-$c" | median)** | | $(cut -d' ' -f5 "$WORK/ratios-$c" | median) / $(cut -d' ' -f7 "$WORK/ratios-$c" | median) | **$(cut -d' ' -f2 "$WORK/ratios-$c" | median)** | **$(cut -d' ' -f3 "$WORK/ratios-$c" | median)** |" >>"$WORK/results.md"
done
echo "<!-- /results:$BLOCK -->" >>"$WORK/results.md"
cat "$WORK/results.md"

if [ "$PROFILE" = true ]; then
  for side in A B; do
    if compgen -G "$WORK/profile-$side-*.jfr" >/dev/null; then
      echo "worker $side, predict at 16+ clients:" >&2
      bench_jfr_summary http-nio 'dev\.warden\.worker\.[a-z]+\.[A-Za-z]+\.[a-zA-Z]+\(|DispatcherServlet\.doDispatch|getHandler\(|resolveArgument\(' \
        "$WORK"/profile-"$side"-*.jfr >&2
    fi
  done
fi

if [ -n "$DOCS" ]; then
  bench_write_results "$BLOCK" "$WORK/results.md" "$DOCS"
  echo "updated $DOCS" >&2
fi
