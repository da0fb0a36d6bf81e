#!/usr/bin/env bash
# Scale-out benchmark: how throughput changes per added gateway replica and per added inference worker on this
# machine, all replicas on one PostgreSQL. Four configurations are measured side by side, in interleaved rounds:
#   1x1  one gateway, one worker        1x2  one gateway, two workers
#   2x1  two gateways, one worker       2x2  two gateways, two workers
# Processes started (all from the built jars, on 127.0.0.1):
#   workers w1, w2 (batching on, the same model store)
#   gateway a1: knows w1; starts the embedded PostgreSQL (fsync and synchronous_commit on) in its data directory and
#              creates the demo tenant and key
#   gateways b1 (knows w1), a2 and b2 (know w1 and w2): connect to a1's PostgreSQL through its JDBC URL as the
#              application role, with a copy of a1's master key and audit signing key, like replicas sharing a database
#   1x1 = a1, 1x2 = a2, 2x1 = a1 + b1, 2x2 = a2 + b2; the load generator spreads its clients round-robin over the
#   configuration's gateways, every gateway spreads its calls over the workers it knows.
# Every configuration gets the same request (bench/MODEL-request.json) with the same demo key, a quota plan that never
# refuses (the buckets are still read and leased on every replica), the request log on. Per run the CPU each process
# used is read from /proc/<pid>/stat (utime + stime) before and after: the configuration's gateways and workers, the
# PostgreSQL server (postmaster and its children, ended children included), the processes idle in this configuration,
# and the load generator's own CPU during the measured time; the table reports CPU microseconds per request, the cores
# the benchmark kept busy and the whole machine's busy cores (other work on the machine shows as the difference).
# Writes the table into docs/benchmarks.md (between <!-- results:scale --> markers).
#
#   bench/scale.sh [--model income] [--store DIR] [--seconds 8] [--rounds 3] [--clients "1 64"] [--no-docs]
#
# Needs java and curl. PostgreSQL is the embedded one the gateway ships with (no installed server needed).
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL=income
STORE="${WARDEN_MODEL_STORE:-${WARDEN_DATA_DIR:-data}/models}"
DURATION=8
ROUNDS=3
CLIENTS="1 64"
DOCS=docs/benchmarks.md
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

. bench/lib.sh
bench_jars inference-worker platform-api
bench_model "$STORE" "$MODEL"
STORE=$(cd "$STORE" && pwd)

declare -A PORT=([w1]=18481 [w2]=18482 [a1]=18483 [b1]=18484 [a2]=18485 [b2]=18486)
CONFIGS=(1x1 1x2 2x1 2x2)
declare -A CONFIG_GATEWAYS=([1x1]="a1" [1x2]="a2" [2x1]="a1 b1" [2x2]="a2 b2")
declare -A CONFIG_WORKERS=([1x1]="w1" [1x2]="w1 w2" [2x1]="w1" [2x2]="w1 w2")
SERVERS="w1 w2 a1 b1 a2 b2"

WORK=$(mktemp -d)
declare -A PID=()
PG_PID=""
stop() { # $@ = names of started processes
  for n in "$@"; do [ -n "${PID[$n]:-}" ] && kill "${PID[$n]}" 2>/dev/null || true; done
  for n in "$@"; do [ -n "${PID[$n]:-}" ] && wait "${PID[$n]}" 2>/dev/null || true; done
}
cleanup() {
  # the replicas first, then a1 (it stops the PostgreSQL it started), then the workers
  stop b1 a2 b2
  stop a1
  if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then kill "$PG_PID" 2>/dev/null || true; sleep 2; fi
  stop w1 w2
  rm -rf "$WORK"
}
trap cleanup EXIT
javac -d "$WORK" bench/LoadGenerator.java
export TF_CPP_MIN_LOG_LEVEL=2
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

url_of() { echo "http://127.0.0.1:${PORT[$1]}"; }

# 1. two workers (defaults: batching on)
for w in w1 w2; do
  java -jar "$WORKER_JAR" --server.port="${PORT[$w]}" --warden.worker.model-store.path="$STORE" \
    --warden.worker.model-store.poll-interval=1h >"$WORK/$w.log" 2>&1 &
  PID[$w]=$!
done
for w in w1 w2; do wait_http "$w" "$(url_of "$w")/actuator/health" "$WORK/$w.log" "${PID[$w]}"; done

# 2. the gateways: a plan that never refuses; the shipped reference data is not registered (no report job runs
#    beside the measurement)
mkdir -p "$WORK/policies"
bench_quota_plan "$WORK/policies"
start_gateway() { # $1 = name, $2 = comma-separated worker URLs, $3... = extra environment (NAME=value)
  local name=$1 workers=$2
  shift 2
  env WARDEN_DATA_DIR="$WORK/$name-data" WARDEN_POLICIES_DIR="$WORK/policies" WARDEN_MODEL_STORE="$STORE" \
    WARDEN_GATEWAY_PORT="${PORT[$name]}" WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_WORKER_URLS="$workers" \
    WARDEN_EXPLAINABILITY_REGISTER_SHIPPED=false "$@" \
    java -jar "$GATEWAY_JAR" >"$WORK/$name.log" 2>&1 &
  PID[$name]=$!
}
ONE_WORKER="$(url_of w1)"
TWO_WORKERS="$(url_of w1),$(url_of w2)"
mkdir -m 700 "$WORK/a1-data"
start_gateway a1 "$ONE_WORKER" WARDEN_DEMO=true
wait_http a1 "$(url_of a1)/actuator/health" "$WORK/a1.log" "${PID[a1]}"
for _ in $(seq 1 40); do [ -s "$WORK/a1-data/demo-api-key" ] && break; sleep 0.25; done
KEY=$(tr -d '\r\n' <"$WORK/a1-data/demo-api-key")
PG_PID=$(sed -n 1p "$WORK/a1-data/postgres/postmaster.pid")
PG_PORT=$(sed -n 4p "$WORK/a1-data/postgres/postmaster.pid")
PG_PASSWORD=$(sed -n 's/^application\.password=//p' "$WORK/a1-data/postgres-credentials.properties")
PG_SETTINGS=$(tr '\0' ' ' <"/proc/$PG_PID/cmdline" | grep -o -- '-c \(fsync\|synchronous_commit\)=[a-z]*' | sed 's/^-c //' | paste -sd, - || true)
PG_VERSION=$("$(readlink -f "/proc/$PG_PID/exe")" --version 2>/dev/null | sed 's/^postgres (PostgreSQL) /PostgreSQL /' || echo PostgreSQL)
echo "PostgreSQL pid $PG_PID port $PG_PORT ($PG_VERSION; ${PG_SETTINGS:-settings not on its command line})" >&2
for g in b1 a2 b2; do
  mkdir -m 700 "$WORK/$g-data"
  # replicas share the master key (tenant keysets in the database are wrapped with it) and the audit signing key
  cp -p "$WORK/a1-data/master-key.json" "$WORK/a1-data/signing-key.json" "$WORK/$g-data/"
done
DB=(WARDEN_DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres" WARDEN_DB_USER=warden WARDEN_DB_PASSWORD="$PG_PASSWORD")
start_gateway b1 "$ONE_WORKER" "${DB[@]}"
start_gateway a2 "$TWO_WORKERS" "${DB[@]}"
start_gateway b2 "$TWO_WORKERS" "${DB[@]}"
for g in b1 a2 b2; do wait_http "$g" "$(url_of "$g")/actuator/health" "$WORK/$g.log" "${PID[$g]}"; done

PREDICT="/v1/models/$MODEL:predict"
urls() { # $1 = configuration: its gateways' predict URLs, comma-separated
  local out=""
  for g in ${CONFIG_GATEWAYS[$1]}; do out+="${out:+,}$(url_of "$g")$PREDICT"; done
  echo "$out"
}
load() { # $1 = configuration, $2 = clients, $3 = seconds, $4 = warm-up seconds
  java -cp "$WORK" LoadGenerator "$(urls "$1")" "$BODY" "$2" "$3" "$4" "Authorization: Bearer $KEY"
}
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }
# predict requests a worker has answered (its own metric, summed over the model's series)
worker_requests() {
  curl -s "$(url_of "$1")/actuator/prometheus" | awk -v model="model=\"$MODEL\"" \
    'index($1, "warden_worker_requests_total{") == 1 && index($1, model) > 0 { sum += $2 } END { printf "%.0f", sum }'
}
PROC_LIST=""
for n in $SERVERS; do PROC_LIST+="$n:${PID[$n]} "; done
CLK_TCK=$(getconf CLK_TCK)
# utime + stime in clock ticks of every started server, of PostgreSQL (postmaster with the children it reaped, plus its
# live children), and the busy ticks of the whole machine
cpu_sample() {
  { cat /proc/stat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v names="$PROC_LIST" -v pm="$PG_PID" '
    BEGIN { n = split(names, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, ":"); name[p[2]] = p[1] } }
    $1 == "cpu" { machine = $2 + $3 + $4 + $7 + $8 + $9; next }
    /^[0-9]+ \(/ {
      pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
      t = f[12] + f[13]
      if (pid in name) ticks[name[pid]] = t
      if (pid == pm) pg += t + f[14] + f[15]; else if (f[2] == pm) pg += t
    }
    END { for (k in ticks) printf "%s=%d ", k, ticks[k]; printf "pg=%d machine=%d\n", pg, machine }'
}

# one measured run: prints the load generator's line followed by the CPU and worker-share fields
measure() { # $1 = configuration, $2 = clients, $3 = seconds, $4 = warm-up seconds
  local cfg=$1 before after out r1 r2 t0 t1 idle=""
  for n in $SERVERS; do
    case " ${CONFIG_GATEWAYS[$cfg]} ${CONFIG_WORKERS[$cfg]} " in *" $n "*) ;; *) idle+="$n " ;; esac
  done
  r1="$(worker_requests w1) $(worker_requests w2)"
  before=$(cpu_sample); t0=$(date +%s%N)
  out=$(load "$cfg" "$2" "$3" "$4")
  t1=$(date +%s%N); after=$(cpu_sample)
  r2="$(worker_requests w1) $(worker_requests w2)"
  awk -v before="$before" -v after="$after" -v gws="${CONFIG_GATEWAYS[$cfg]}" -v wks="${CONFIG_WORKERS[$cfg]}" \
    -v idle="$idle" -v line="$out" -v tck="$CLK_TCK" -v wall=$((t1 - t0)) -v seconds="$3" -v r1="$r1" -v r2="$r2" '
    function parse(s, into,   n, i, kv, p) { n = split(s, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); into[p[1]] = p[2] } }
    function sum(names,   n, i, x, s) { n = split(names, x, " "); s = 0; for (i = 1; i <= n; i++) s += a[x[i]] - b[x[i]]; return s }
    BEGIN {
      parse(before, b); parse(after, a); parse(line, l)
      all = l["all_requests"]; req = l["requests"]
      us = all > 0 ? 1e6 / tck / all : 0
      servers = sum(gws) + sum(wks) + (a["pg"] - b["pg"]) + sum(idle)
      gw = sum(gws) * us; wk = sum(wks) * us; pg = (a["pg"] - b["pg"]) * us; id = sum(idle) * us
      lg = req > 0 && l["cpu_ms"] >= 0 ? l["cpu_ms"] * 1000 / req : 0
      total = gw + wk + pg + lg + id
      # cores: the servers over the whole run, the load generator over its measured time
      cores = servers / tck / (wall / 1e9) + (l["cpu_ms"] > 0 ? l["cpu_ms"] / 1000 / seconds : 0)
      split(r1, x1, " "); split(r2, x2, " "); d1 = x2[1] - x1[1]; d2 = x2[2] - x1[2]
      share = d1 + d2 > 0 ? 100 * d2 / (d1 + d2) : 0
      printf "%s gw_us=%.1f wk_us=%.1f pg_us=%.1f lg_us=%.1f idle_us=%.1f total_us=%.1f cores=%.2f machine_cores=%.2f w2_share=%.1f\n",
        line, gw, wk, pg, lg, id, total, cores, (a["machine"] - b["machine"]) / tck / (wall / 1e9), share
    }'
}

# warm-up: every configuration at 64 clients (JIT of both gateways of a pair and of both workers)
for cfg in "${CONFIGS[@]}"; do
  out=$(measure "$cfg" 64 4 1)
  echo "warm-up $cfg: $out" >&2
  if [ "$(field "$out" non_2xx)" != 0 ] || [ "$(field "$out" errors)" != 0 ]; then
    echo "failed requests in $cfg during warm-up" >&2
    for g in ${CONFIG_GATEWAYS[$cfg]}; do tail -20 "$WORK/$g.log" >&2; done
    exit 1
  fi
done

METRICS="rps p50_ms p99_ms gw_us wk_us pg_us lg_us idle_us total_us cores machine_cores w2_share"
declare -A VAL BAD
for c in $CLIENTS; do
  for cfg in "${CONFIGS[@]}"; do
    for m in $METRICS; do VAL[$cfg,$c,$m]=""; done
    BAD[$cfg,$c]=0
  done
  for r in $(seq 1 "$ROUNDS"); do
    # each round starts with another configuration, so that none is always measured right after the same one
    for i in 0 1 2 3; do
      cfg=${CONFIGS[$(( (i + r - 1) % 4 ))]}
      out=$(measure "$cfg" "$c" "$DURATION" 1)
      echo "round $r clients=$c $cfg: $out" >&2
      for m in $METRICS; do VAL[$cfg,$c,$m]+="$(field "$out" "$m") "; done
      BAD[$cfg,$c]=$(( BAD[$cfg,$c] + $(field "$out" non_2xx) + $(field "$out" errors) ))
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
median() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROWS=$(mktemp)
for c in $CLIENTS; do
  base=$(median "${VAL[1x1,$c,rps]}")
  for cfg in "${CONFIGS[@]}"; do
    declare -A M=()
    for m in $METRICS; do M[$m]=$(median "${VAL[$cfg,$c,$m]}"); done
    awk -v c="$c" -v cfg="$cfg" -v g="${cfg%x*}" -v w="${cfg#*x}" -v base="$base" -v rps="${M[rps]}" -v p50="${M[p50_ms]}" \
      -v p99="${M[p99_ms]}" -v gw="${M[gw_us]}" -v wk="${M[wk_us]}" -v pg="${M[pg_us]}" -v lg="${M[lg_us]}" \
      -v id="${M[idle_us]}" -v total="${M[total_us]}" -v cores="${M[cores]}" -v machine="${M[machine_cores]}" \
      -v share="${M[w2_share]}" -v bad="${BAD[$cfg,$c]}" 'BEGIN {
        printf "| %s | %s × %s | %.0f | %.2f | %.3f | %.3f | %.0f / %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f / %.2f | %d |\n",
          c, g, w, rps, (base > 0 ? rps / base : 0), p50, p99, 100 - share, share, gw, wk, pg, lg, id, total, cores, machine, bad
      }' >>"$ROWS"
  done
done
cat "$ROWS" >&2

if [ -n "$DOCS" ]; then
  TABLE=$(mktemp)
  {
    echo "<!-- results:scale -->"
    echo "### Scale-out — \`$MODEL\`, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Command: \`bench/scale.sh --model $MODEL --seconds $DURATION --rounds $ROUNDS --clients \"$CLIENTS\"\`  "
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), $PG_VERSION embedded (${PG_SETTINGS:-fsync=on,synchronous_commit=on}); load generator, workers, gateways and PostgreSQL all on the same cores; load average $LOAD_BEFORE before the run, $LOAD_AFTER after. Median of $ROUNDS interleaved rounds of ${DURATION} s (after 1 s of warm-up each)."
    echo
    echo "| clients | gateways × workers | req/s | vs 1 × 1 | p50 ms | p99 ms | requests on worker 1 / 2, % | CPU µs/request: gateways | workers | PostgreSQL | load generator | idle replicas | total | cores busy: benchmark / machine | non-2xx + errors |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
    cat "$ROWS"
    echo "<!-- /results:scale -->"
  } >"$TABLE"
  bench_write_results scale "$TABLE" "$DOCS"
  rm -f "$TABLE"
  echo "results written to $DOCS" >&2
fi
rm -f "$ROWS"
