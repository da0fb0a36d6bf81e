#!/usr/bin/env bash
# Request-log writer benchmark: records/s committed by the group-commit writer (1 and 2 writer threads) next to the
# previous one-INSERT-per-request writer, at 1, 16 and 64 concurrent writers, in one run, against an embedded
# PostgreSQL with fsync and synchronous_commit on. Writes the results into docs/benchmarks.md (between
# <!-- results:request-log --> markers) unless --no-docs.
#
#   bench/request-log.sh [--seconds 5] [--writers "1 16 64"] [--no-docs]
#
# Not part of the build. Needs mvn and java; builds the test classes of platform-api (offline if possible).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=5
WRITERS="1 16 64"
DOCS=docs/benchmarks.md
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --writers) WRITERS="$2"; shift 2 ;;
    --no-docs) DOCS=""; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MVN_OFFLINE=-o
mvn -q $MVN_OFFLINE -B -pl platform-api -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test >/dev/null 2>&1 \
  || mvn -q -B -pl platform-api -am test-compile dependency:build-classpath \
       -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test
CP="platform-api/target/test-classes:platform-api/target/classes:$(cat "$WORK/cp.txt")"

ARGS=(--seconds "$SECONDS_PER_RUN" --writers "$WRITERS")
[ -n "$DOCS" ] && ARGS+=(--docs "$DOCS")
java -cp "$CP" dev.warden.platform.requestlog.RequestLogBenchmark "${ARGS[@]}"
