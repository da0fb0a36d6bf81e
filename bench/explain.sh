#!/usr/bin/env bash
# Explanation benchmark, in process on one thread (dev.warden.worker.benchmark.ExplainBenchmark): integrated gradients'
# completeness by steps on the validation splits (how the reference models' default steps were chosen), the latency of
# one explanation per method per model with model rows evaluated and TensorFlow calls, and KernelSHAP by background
# size and exact enumeration against sampling. Prints its lines; docs/explainability.md quotes a run.
#
#   bench/explain.sh [--store DIR] [--what steps,latency,kernelshap] [--income-rows 500] [--spam-rows 200]
#                    [--min-steps 1] [--max-steps 256] [--models income,spam]
#
# Without --store, full default income and spam models are trained into a temporary store. Not part of the build.
set -euo pipefail
cd "$(dirname "$0")/.."

STORE=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --store) STORE="$2"; shift 2 ;;
    --what|--income-rows|--spam-rows|--min-steps|--max-steps|--models) ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

JAR=inference-worker/target/inference-worker-0.1.0-SNAPSHOT-exec.jar
if [ ! -f "$JAR" ]; then
  mvn -q -B -pl inference-worker -am package -DskipTests
fi
export TF_CPP_MIN_LOG_LEVEL=2
if [ -z "$STORE" ]; then
  STORE=$(mktemp -d)
  trap 'rm -rf "$STORE"' EXIT
  java -jar "$JAR" train income --store "$STORE"
  java -jar "$JAR" train spam --store "$STORE"
fi
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$JAR" -Dloader.main=dev.warden.worker.benchmark.ExplainBenchmark \
  org.springframework.boot.loader.launch.PropertiesLauncher --store "$STORE" "${ARGS[@]}" 2>&1 \
  | grep -E '^(steps|latency|kernelshap) '
