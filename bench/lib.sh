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

# wait_http NAME URL LOG [PID [CURL_OPTION...]]: waits up to 3 minutes for URL to answer 2xx; otherwise (or as soon as
# PID, when given and not empty, has exited) prints the end of LOG and exits. CURL_OPTIONs are passed to curl, e.g.
# --cacert, --cert and --key for an HTTPS server with a benchmark's own CA.
wait_http() {
  local name=$1 url=$2 log=$3 pid=${4:-}
  shift $(($# < 4 ? $# : 4))
  for _ in $(seq 1 360); do
    if curl -sf "$@" "$url" >/dev/null 2>&1; then return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "$name did not start; log:" >&2; tail -50 "$log" >&2; exit 1
}

# bench_certs DIR NAME...: a throw-away certificate authority for one benchmark run, made with the openssl command
# line: DIR/ca.pem (its certificate; its key DIR/ca.key) and, for each NAME, DIR/NAME.pem and DIR/NAME.key (PKCS#8
# PEM, mode 0600): an EC P-256 leaf certificate signed by that CA, valid for two days, with subject alternative names
# localhost, 127.0.0.1 and ::1 and both extended key usages (server and client: a process presents the same
# certificate to its callers and to the servers that ask it for one).
bench_certs() {
  local dir=$1 name
  shift
  mkdir -p "$dir"
  (
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key" 2>/dev/null
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 2 -subj "/CN=Warden benchmark CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.pem"
    cat >"$dir/leaf.ext" <<'EXT'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
EXT
    for name in "$@"; do
      openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key" 2>/dev/null
      openssl req -new -key "$dir/$name.key" -subj "/CN=warden-bench-$name" -out "$dir/$name.csr"
      openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -days 2 -sha256 \
        -set_serial "0x$(openssl rand -hex 12)" -extfile "$dir/leaf.ext" -out "$dir/$name.pem" 2>/dev/null
      rm -f "$dir/$name.csr"
    done
  )
  chmod 644 "$dir"/*.pem
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

# bench_jfr_summary THREAD_PREFIX PATTERN JFR...: what the threads whose names start with THREAD_PREFIX (e.g. http-nio)
# did in the JFR recordings (execution samples): the 25 hottest frames at the top of the stack, then the share of
# samples with a frame matching the extended regular expression PATTERN anywhere on the stack (inclusive), per method.
bench_jfr_summary() {
  local prefix=$1 pattern=$2
  shift 2
  for f in "$@"; do
    jfr print --events jdk.ExecutionSample --stack-depth 96 "$f"
  done | PREFIX="sampledThread = \"$prefix" PATTERN="$pattern" awk '
    # from the environment: awk -v would treat the backslashes of the pattern as escapes
    BEGIN { prefix = ENVIRON["PREFIX"]; pattern = ENVIRON["PATTERN"] }
    function flush() {
      if (keep && depth > 0) {
        samples++; top[frame[1]]++
        for (i = 1; i <= depth; i++) if (frame[i] ~ pattern && !(frame[i] in seen)) { seen[frame[i]] = 1; incl[frame[i]]++ }
        for (k in seen) delete seen[k]
      }
      keep = 0; depth = 0; inside = 0
    }
    /jdk.ExecutionSample/ { flush() }
    index($0, prefix) > 0 { keep = 1 }
    /stackTrace = \[/ { inside = 1; next }
    inside && /^[ \t]*\]/ { inside = 0; next }
    inside { line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]*line:.*/, "", line); if (line != "...") frame[++depth] = line }
    END {
      flush()
      printf "%d samples of %s* threads; hottest frames (top of stack):\n", samples, substr(prefix, 18)
      for (k in top) printf "%5.1f%% %s\n", 100 * top[k] / samples, k | "sort -rn | head -25"
      close("sort -rn | head -25")
      printf "frames matching %s anywhere on the stack:\n", pattern
      for (k in incl) printf "%5.1f%% %s\n", 100 * incl[k] / samples, k | "sort -rn | head -40"
      close("sort -rn | head -40")
    }'
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

nginx_conf_head() { # nginx_conf_head WORK: the first lines of a benchmark's nginx.conf, up to inside "http {": one
  # process per core, pid, error log and temporary files under WORK, no access log, keep-alive connections that are
  # never closed after N requests. The caller writes the rest of the http block (upstreams, servers) and its "}".
  cat <<NGINX
worker_processes auto;
daemon on;
pid $1/nginx.pid;
error_log $1/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/nginx/body;
  proxy_temp_path $1/nginx/proxy;
  fastcgi_temp_path $1/nginx/fastcgi;
  uwsgi_temp_path $1/nginx/uwsgi;
  scgi_temp_path $1/nginx/scgi;
  keepalive_requests 1000000;
NGINX
}

bench_cleanup() { # bench_cleanup: the EXIT trap of a benchmark: stops the processes in PIDS (and waits for them), the
  # nginx of WORK if one was started, and removes WORK
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  rm -rf "$WORK"
}
