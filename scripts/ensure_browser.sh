#!/usr/bin/env bash
# Print the path of a headless-capable Chromium for the website tests.
# On CI (CI=true) a missing browser is installed from Debian's packages; elsewhere the script
# only looks, so that a developer's machine is never changed behind their back.
# Exit codes: 0 found (path on stdout), 3 missing and not on CI (tests skip), other: failure.
set -euo pipefail

find_browser() {
  local name
  for name in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if find_browser; then
  exit 0
fi

if [ "${CI:-}" != "true" ]; then
  echo "no Chromium on this machine: install it with 'apt-get install -y chromium'" \
       "(or run the tests with CI=true to install it automatically)" >&2
  exit 3
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing and installing it needs root: run 'apt-get install -y chromium'" >&2
  exit 1
fi

echo "Chromium is missing: installing the Debian package 'chromium'" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq chromium >&2

if ! find_browser; then
  echo "installed the 'chromium' package but found no chromium command" >&2
  exit 1
fi
