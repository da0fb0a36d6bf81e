#!/usr/bin/env bash
# Refreshes the console screenshots shown in docs/console.md from the last browser test run.
#
#   system-tests/screenshots.sh
#
# The browser tests (mvn verify, or only them: see docs/console.md#screenshots) write a PNG of every page they visit
# to system-tests/target/system-test-logs/. This copies the ones the documentation shows into docs/images/console/,
# scaled down to at most 1000 px wide and under 250 KB each, with DocsScreenshots run as a single Java source file
# (needs only java 17; no build, no image tool). Fails, naming it, when a screenshot is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

FROM=system-tests/target/system-test-logs
TO=docs/images/console
# the pages docs/console.md shows, each from the browser test named in its section
SCREENSHOTS=(
  console-story-sign-in.png
  console-signed-out.png
  console-dashboard.png
  console-story-dashboard.png
  console-tenants.png
  console-tenant.png
  console-key-issued.png
  console-key-revoke.png
  console-tenant-delete.png
  console-tenant-suspend.png
  console-key-quota-refused.png
  console-tenant-compliance-refused.png
  console-quota-plans.png
  console-workers.png
  console-monitoring.png
  console-monitoring-charts.png
  console-models.png
  console-model-routing.png
  console-model-canary-confirm.png
  console-model-grants-confirm.png
  console-explainability.png
  console-fairness.png
  console-model-card.png
  console-promotion.png
  console-promotions.png
  console-promotion-request.png
  console-alerts.png
  console-audit.png
  console-request-log.png
  console-request-log-justification.png
  console-request-log-payload.png
  console-exports.png
  console-not-found.png
)
command -v java >/dev/null || { echo "java is not installed" >&2; exit 2; }
exec java system-tests/src/test/java/dev/warden/systemtest/DocsScreenshots.java "$FROM" "$TO" "${SCREENSHOTS[@]}"
