#!/usr/bin/env bash
# Warden with a real Keycloak, end to end in headless Chromium (on demand; not part of mvn verify).
#
#   system-tests/keycloak.sh [--version 26.7.3]
#
# 1. Fetches Keycloak's server distribution with Maven (org.keycloak:keycloak-quarkus-dist:<version>:zip; the
#    local Maven repository keeps it, so only the first run needs the network) and unpacks it into
#    system-tests/target/keycloak/ (never committed).
# 2. Runs dev.warden.systemtest.KeycloakBrowserIntegrationTests, which starts Keycloak (kc.sh start-dev), creates a
#    realm, the Warden roles, an audience client scope, the console's client and two users through Keycloak's admin
#    REST API, starts an inference worker, platform-api and the console against it given only the issuer, and drives
#    Chromium through sign-in, an administrator's change, a compliance officer's refusal, sign-out through Keycloak
#    and the audit trail; it also checks the admin API's answers (ADMIN 201, COMPLIANCE 403, no token 401, another
#    realm's token 401).
#
# Needs: java 17, mvn, unzip, Debian's chromium and chromium-driver. The applications are built by the same Maven
# run (-am), their other tests skipped. Logs and screenshots: system-tests/target/system-test-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=26.7.3
while [ $# -gt 0 ]; do
  case "$1" in
    --version) VERSION="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in java mvn unzip chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
done

DIR=system-tests/target/keycloak
HOME_DIR="$DIR/keycloak-$VERSION"
ZIP="$DIR/keycloak-quarkus-dist-$VERSION.zip"
mkdir -p "$DIR"
if [ ! -x "$HOME_DIR/bin/kc.sh" ]; then
  if [ ! -f "$ZIP" ]; then
    # offline first: the local repository has it after the first run
    mvn -q -B -o org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$DIR" 2>/dev/null \
      || mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" -DoutputDirectory="$DIR"
  fi
  unzip -q -o "$ZIP" -d "$DIR"
fi

LOG="$DIR/keycloak-e2e.log"
rm -f system-tests/target/surefire-reports/dev.warden.systemtest.KeycloakBrowserIntegrationTests-output.txt
START=$(date +%s)
set +e
mvn -B -o -pl system-tests -am verify -Dtest=KeycloakBrowserIntegrationTests -Dsurefire.failIfNoSpecifiedTests=false \
    -Dwarden.keycloak.home="$(cd "$HOME_DIR" && pwd)" >"$LOG" 2>&1
STATUS=$?
set -e
OUT=system-tests/target/surefire-reports/dev.warden.systemtest.KeycloakBrowserIntegrationTests-output.txt
[ -f "$OUT" ] && grep -E 'Keycloak ready|keycloak-realm.sh:|Everything ready|admin API:|compliance refusal|audit ' "$OUT"
grep -E 'Tests run:|FAIL|BUILD' "$LOG" || true
echo "keycloak.sh: $(( $(date +%s) - START )) s (build and test), exit $STATUS; Maven's output: $LOG"
exit "$STATUS"
