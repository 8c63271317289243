#!/usr/bin/env bash
# Print the path of bubblewrap (bwrap), the sandbox `mhtrain course grade` marks in.
# With CI=true a missing bwrap is installed from Debian's packages (as the website tests install
# Chromium); elsewhere the script only looks and never changes the machine.
# Exit codes: 0 found (path on stdout), 3 missing and not on CI (tests skip), other: failure.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1; then
  command -v bwrap
  exit 0
fi
if [ "${CI:-}" != "true" ]; then
  echo "bubblewrap is not installed: run 'apt-get install -y bubblewrap'" \
       "(or run the tests with CI=true to install it automatically)" >&2
  exit 3
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bubblewrap is missing and installing it needs root: run 'apt-get install -y bubblewrap'" >&2
  exit 1
fi
echo "bubblewrap is missing: installing the Debian package 'bubblewrap'" >&2
DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >&2
command -v bwrap || { echo "installed 'bubblewrap' but found no bwrap command" >&2; exit 1; }
