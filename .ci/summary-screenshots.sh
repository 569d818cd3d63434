#!/bin/sh
# Renders the lint and diagnosis step summaries in headless chromium at GitHub's content width
# and fails when the headline is off the first screen or a table overflows. The PNGs are kept
# in ${OCTO_STS_SCREENSHOTS:-out/screenshots} for review. Needs Debian's chromium
# (apt-get install -y chromium); without it the tests skip and say so.
set -eu
cd "$(dirname "$0")/.."
OCTO_STS_SCREENSHOTS=${OCTO_STS_SCREENSHOTS:-out/screenshots}
mkdir -p "$OCTO_STS_SCREENSHOTS"
export OCTO_STS_SCREENSHOTS
command -v chromium >/dev/null 2>&1 || echo "summary-screenshots: chromium is not installed; the screenshot tests will skip" >&2
go test -count=1 -v -run 'Screenshot|AsGFM' ./internal/report ./internal/check
ls -l "$OCTO_STS_SCREENSHOTS"
