# Shared by the bench/*.sh scripts, which source it from the repository's root directory.

WORKER_JAR=inference-worker/target/inference-worker-0.1.0-SNAPSHOT-exec.jar
GATEWAY_JAR=platform-api/target/platform-api-0.1.0-SNAPSHOT-exec.jar

# bench_jars MODULE...: builds the executable jars of the given modules (inference-worker, platform-api) when one of
# them is missing; a jar that exists is used as it is (rebuild with mvn package after changing the code).
bench_jars() {
  local module missing=false
  for module in "$@"; do
    [ -f "$module/target/$module-0.1.0-SNAPSHOT-exec.jar" ] || missing=true
  done
  if [ "$missing" = true ]; then
    mvn -q -B -pl "$(IFS=,; echo "$*")" -am package -DskipTests
  fi
}

# bench_model STORE MODEL: trains a reference model (income or spam, fixed seed) into STORE when STORE has no version
# of it yet. Needs the worker's jar.
bench_model() {
  [ -d "$1/$2" ] && return 0
  case "$2" in
    income|spam) java -jar "$WORKER_JAR" train "$2" --store "$1" ;;
    *) echo "model $2 is not in $1 and is not a reference model; put a SavedModel there first" >&2; exit 2 ;;
  esac
}

# bench_quota_plan DIR: writes DIR/quotas.yaml with the benchmarks' plan: limits high enough never to refuse a request
# (the buckets are still read and updated on every request). `free` is the plan the demo tenant is created on.
bench_quota_plan() {
  mkdir -p "$1"
  cat >"$1/quotas.yaml" <<'YAML'
default_plan: free
plans:
  free:
    requests_per_second: 100000000
    burst: 100000000
    requests_per_month: 1000000000000
    max_request_bytes: 1048576
    max_rows_per_request: 1000
YAML
}

# wait_http NAME URL LOG [PID]: waits up to 3 minutes for URL to answer 2xx; otherwise (or as soon as PID, when given,
# has exited) prints the end of LOG and exits.
wait_http() {
  for _ in $(seq 1 360); do
    if curl -sf "$2" >/dev/null 2>&1; then return 0; fi
    if [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "$1 did not start; log:" >&2; tail -50 "$3" >&2; exit 1
}

# bench_write_results NAME TABLE DOCS: replaces the block between <!-- results:NAME --> and <!-- /results:NAME --> in
# DOCS with the file TABLE (which holds both markers), or appends TABLE when DOCS has no such block yet.
bench_write_results() {
  if grep -q "<!-- results:$1 -->" "$3"; then
    awk -v table="$2" -v first="<!-- results:$1 -->" -v last="<!-- /results:$1 -->" '
      $0 == first { while ((getline line < table) > 0) print line; skip = 1; next }
      $0 == last { skip = 0; next } !skip { print }' "$3" >"$3.new" && mv "$3.new" "$3"
  else
    { echo; cat "$2"; } >>"$3"
  fi
}

# wait_jobs LOG...: a fresh install queues report jobs when the reference models first become available (an
# explainability report, a fairness check and a drift reference profile per model); they run on the gateways and the
# worker for ~20-60 s. Waits (at most 4 minutes) until every job queued in each gateway LOG has ended (done, cancelled or
# failed) and nothing new was queued for 2 s, so that measuring does not compete with them for the same cores.
wait_jobs() {
  local log queued ended settled=0 previous=""
  for _ in $(seq 1 960); do
    queued=0; ended=0
    for log in "$@"; do
      queued=$((queued + $(grep -cE 'Queued (explainability report job|fairness check|reference profile job)' "$log" || true)))
      ended=$((ended + $(grep -cE ' job [^ ]+ \([^)]*\) (done: |cancelled after |failed)' "$log" || true)))
    done
    if [ "$queued" -gt 0 ] && [ "$ended" -ge "$queued" ] && [ "$previous" = "$queued/$ended" ]; then
      settled=$((settled + 1))
      [ "$settled" -ge 8 ] && break
    else
      settled=0
    fi
    previous="$queued/$ended"
    sleep 0.25
  done
  echo "start-up report jobs: $ended of $queued ended" >&2
}
