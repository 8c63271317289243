#!/usr/bin/env bash
# Print the path of a headless-capable Chromium for the website tests (installed on CI).
# Exit codes as scripts/ensure_package.sh: 0 found, 3 missing and not on CI, other: failure.
set -- chromium chromium chromium-browser google-chrome-stable google-chrome
. "${BASH_SOURCE[0]%/*}/ensure_package.sh"
