#!/usr/bin/env bash
# What the resource requests and limits of docker/kubernetes/base are based on (on demand, not part of mvn verify).
# Runs the three applications as the manifests do, on this machine: each JVM with the JDK_JAVA_OPTIONS of its
# Deployment and -XX:MaxRAM set to its container's memory limit (what the JVM sees inside the container), the gateway
# with no configured worker and the worker registering itself with the registration token, then
#   1. idle, after start-up:      resident memory (RSS) of each process
#   2. under load:                CLIENTS clients predicting income through the gateway for SECONDS seconds; the
#                                 CPU time each process used (cores = CPU seconds / wall seconds, and per prediction,
#                                 which depends less on how busy the machine is), RSS after, and the peak RSS of
#                                 the whole run (VmHWM)
#   3. stop:                      SIGTERM to each, and how long it took to exit
# The gateway uses its embedded PostgreSQL as a stand-in for the external database: the PostgreSQL processes are
# not counted (in Kubernetes they are not in the gateway's pod). The load generator runs on the same machine.
# With bwrap (Debian package bubblewrap) each process also runs as in its container: a read-only root file system, a
# /tmp of its own, and writable only what the Deployment mounts (the worker's store and JavaCPP cache directory, the
# gateway's data directory and store): a write anywhere else fails as it would in the pod.
#
#   docker/kubernetes/measure-resources.sh [--clients 8] [--seconds 30]
#
# Needs the runnable jars (mvn -DskipTests package; built here when missing), java and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
CONSOLE_JAR=admin-ui/target/admin-ui-0.1.0-SNAPSHOT-exec.jar
CLIENTS=8
SECONDS_LOAD=30
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --seconds) SECONDS_LOAD="$2"; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--seconds S]" >&2; exit 2 ;;
  esac
done
bench_jars inference-worker platform-api admin-ui

# JDK_JAVA_OPTIONS and the memory limit of a Deployment in base/ (the first container)
manifest_value() { # manifest_value FILE KEY: the JDK_JAVA_OPTIONS value, or the memory limit
  case "$2" in
    opts) awk '/name: JDK_JAVA_OPTIONS/ { getline; sub(/^ *value: */, ""); print; exit }' "$1" ;;
    limit) awk '/limits:/ { in_limits = 1 } in_limits && /memory:/ { print $2; exit }' "$1" ;;
  esac
}
jvm_options() { # jvm_options FILE: the Deployment's JDK_JAVA_OPTIONS with its memory limit as -XX:MaxRAM
  local limit
  limit="$(manifest_value "$1" limit)"
  limit="${limit/Gi/g}"; limit="${limit/Mi/m}"
  echo "-XX:MaxRAM=$limit $(manifest_value "$1" opts)"
}
BASE=docker/kubernetes/base

# not under /tmp: each confined process gets a /tmp of its own
WORK="$(mktemp -d -p /var/tmp)"
PIDS=()
trap bench_cleanup EXIT
export TF_CPP_MIN_LOG_LEVEL=2
TOKEN="measure-$RANDOM$RANDOM"
GATEWAY=http://127.0.0.1:18580
WORKER=http://127.0.0.1:18581
CONSOLE=http://127.0.0.1:18590
bench_quota_plan "$WORK/policies"
javac -d "$WORK" bench/LoadGenerator.java

CONFINE=false
command -v bwrap >/dev/null 2>&1 && CONFINE=true
confine() { # confine DIR... -- COMMAND...: COMMAND with a read-only root file system, a /tmp of its own and the DIRs
  # writable, like a container with readOnlyRootFilesystem and those volumes; without bwrap, COMMAND as it is
  local binds=()
  while [ "$1" != -- ]; do binds+=(--bind "$1" "$1"); shift; done
  shift
  if [ "$CONFINE" = true ]; then
    exec bwrap --die-with-parent --ro-bind / / --dev-bind /dev /dev --proc /proc --tmpfs /tmp "${binds[@]}" -- "$@"
  else
    exec "$@"
  fi
}
java_pid() { # java_pid PID: the java process PID runs (itself, or bwrap's child)
  local child
  for _ in $(seq 1 40); do
    if [ "$(cat "/proc/$1/comm" 2>/dev/null)" = java ]; then echo "$1"; return; fi
    child="$(pgrep -P "$1" | head -n 1 || true)"
    if [ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = java ]; then echo "$child"; return; fi
    sleep 0.25
  done
  echo "no java process under $1" >&2; exit 1
}
mkdir -p "$WORK/javacpp" "$WORK/models"
# the worker image's JAVA_TOOL_OPTIONS: TensorFlow's native libraries are unpacked into this directory
WORKER_TOOL_OPTIONS="-Dorg.bytedeco.javacpp.cachedir=$WORK/javacpp"

# the reference model, trained as the worker image does into an empty store (and as confined)
(JAVA_TOOL_OPTIONS="$WORKER_TOOL_OPTIONS" confine "$WORK/models" "$WORK/javacpp" -- \
  java -jar "$WORKER_JAR" train income --store "$WORK/models") >"$WORK/train.log" 2>&1 \
  || { echo "training income failed:" >&2; tail -20 "$WORK/train.log" >&2; exit 1; }
(JAVA_TOOL_OPTIONS="$WORKER_TOOL_OPTIONS" JDK_JAVA_OPTIONS="$(jvm_options "$BASE/inference-worker.yaml")" \
  WARDEN_MODEL_STORE="$WORK/models" WARDEN_WORKER_ADDRESS=127.0.0.1 WARDEN_WORKER_PORT=18581 \
  WARDEN_PLATFORM_URL="$GATEWAY" WARDEN_REGISTRATION_TOKEN="$TOKEN" WARDEN_WORKER_ADVERTISED_URL="$WORKER" \
  WARDEN_WORKER_ID=measure-worker WARDEN_WORKER_SHUTDOWN_TIMEOUT=20s \
  confine "$WORK/models" "$WORK/javacpp" -- java -jar "$WORKER_JAR") >"$WORK/worker.log" 2>&1 &
PIDS+=("$!")
WORKER_PID="$(java_pid "$!")"
mkdir -m 700 "$WORK/gateway-data"
(JDK_JAVA_OPTIONS="$(jvm_options "$BASE/platform-api.yaml")" WARDEN_DATA_DIR="$WORK/gateway-data" \
  WARDEN_POLICIES_DIR="$WORK/policies" WARDEN_MODEL_STORE="$WORK/models" WARDEN_GATEWAY_PORT=18580 \
  WARDEN_GATEWAY_ADDRESS=127.0.0.1 WARDEN_WORKER_URL= WARDEN_REGISTRATION_TOKEN="$TOKEN" WARDEN_DEMO=true \
  WARDEN_OIDC_ISSUER_URI=http://localhost:18590 WARDEN_OIDC_JWK_SET_URI="$CONSOLE/oauth2/jwks" \
  WARDEN_SHUTDOWN_TIMEOUT=20s WARDEN_EXPLAINABILITY_REGISTER_SHIPPED=false \
  confine "$WORK/gateway-data" "$WORK/models" -- java -jar "$GATEWAY_JAR") >"$WORK/gateway.log" 2>&1 &
PIDS+=("$!")
GATEWAY_PID="$(java_pid "$!")"
(JDK_JAVA_OPTIONS="$(jvm_options "$BASE/admin-ui.yaml")" WARDEN_CONSOLE_PORT=18590 WARDEN_CONSOLE_ADDRESS=127.0.0.1 \
  WARDEN_CONSOLE_PUBLIC_URL=http://localhost:18590 WARDEN_GATEWAY_URL="$GATEWAY" WARDEN_SHUTDOWN_TIMEOUT=20s \
  confine -- java -jar "$CONSOLE_JAR") >"$WORK/console.log" 2>&1 &
PIDS+=("$!")
CONSOLE_PID="$(java_pid "$!")"
echo "processes: worker $WORKER_PID, gateway $GATEWAY_PID, console $CONSOLE_PID (read-only root file system: $CONFINE)" >&2

START=$SECONDS
wait_http worker "$WORKER/v2/health/ready" "$WORK/worker.log" "$WORKER_PID"
wait_http gateway "$GATEWAY/actuator/health/readiness" "$WORK/gateway.log" "$GATEWAY_PID"
wait_http console "$CONSOLE/actuator/health/readiness" "$WORK/console.log" "$CONSOLE_PID"
for _ in $(seq 1 40); do [ -s "$WORK/gateway-data/demo-api-key" ] && break; sleep 0.25; done
KEY="$(tr -d '\r\n' <"$WORK/gateway-data/demo-api-key")"
# the worker is known to the gateway only through its heartbeats: wait for a prediction through it
for _ in $(seq 1 120); do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/v1/models/income:predict" \
    -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary @bench/income-request.json || true)"
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "no prediction through the gateway (last status $code)" >&2; tail -30 "$WORK/gateway.log" >&2; exit 1; }
echo "all three ready and a prediction answered after $((SECONDS - START)) s" >&2
sleep 10

rss() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
peak() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)
declare -A IDLE CPU0 CPU1
for p in worker gateway console; do
  pid_var="${p^^}_PID"
  IDLE[$p]=$(rss "${!pid_var}")
  CPU0[$p]=$(cpu_ticks "${!pid_var}")
done

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
WALL0=$(date +%s.%N)
RESULT="$(java -cp "$WORK" LoadGenerator "$GATEWAY/v1/models/income:predict" bench/income-request.json "$CLIENTS" \
  "$SECONDS_LOAD" 0 "Authorization: Bearer $KEY")"
WALL1=$(date +%s.%N)
for p in worker gateway console; do
  pid_var="${p^^}_PID"
  CPU1[$p]=$(cpu_ticks "${!pid_var}")
done
echo "load: $RESULT" >&2
RPS="$(echo "$RESULT" | tr ' ' '\n' | awk -F= '$1 == "rps" { print $2 }')"
REQUESTS="$(echo "$RESULT" | tr ' ' '\n' | awk -F= '$1 == "requests" { print $2 }')"

echo
echo "| process | RSS idle (MiB) | RSS after load (MiB) | peak RSS (MiB) | CPU under load (cores) | CPU per prediction (ms) | JVM options |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for p in gateway worker console; do
  pid_var="${p^^}_PID"
  pid="${!pid_var}"
  case "$p" in
    gateway) file=platform-api ;; worker) file=inference-worker ;; console) file=admin-ui ;;
  esac
  cores=$(awk -v a="${CPU0[$p]}" -v b="${CPU1[$p]}" -v t="$TICKS" -v w0="$WALL0" -v w1="$WALL1" \
    'BEGIN { printf "%.2f", (b - a) / t / (w1 - w0) }')
  per_request=$(awk -v a="${CPU0[$p]}" -v b="${CPU1[$p]}" -v t="$TICKS" -v n="$REQUESTS" \
    'BEGIN { printf "%.2f", (b - a) / t * 1000 / n }')
  echo "| $p | ${IDLE[$p]} | $(rss "$pid") | $(peak "$pid") | $cores | $per_request | \`$(jvm_options "$BASE/$file.yaml")\` |"
done
echo
echo "$CLIENTS clients, ${SECONDS_LOAD} s: $RPS predictions/s through the gateway ($(nproc) cores, load average before: $LOAD_BEFORE)"

# graceful stop, as the kubelet's SIGTERM does it
for p in console gateway worker; do
  pid_var="${p^^}_PID"
  t0=$(date +%s.%N)
  kill -TERM "${!pid_var}"
  while kill -0 "${!pid_var}" 2>/dev/null; do sleep 0.1; done
  t1=$(date +%s.%N)
  echo "$p: exited $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s after SIGTERM"
done
# a write the container would refuse shows in the logs
grep -h -i "read-only file system" "$WORK"/*.log | sort | uniq -c | head -5 || true
