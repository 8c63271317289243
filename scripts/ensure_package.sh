#!/usr/bin/env bash
# Print the path of a system tool the tests need: ensure_package.sh PACKAGE COMMAND [COMMAND...]
# prints the first COMMAND found. On CI (CI=true) a missing tool is installed from Debian's
# package PACKAGE; elsewhere the script only looks, so a developer's machine is never changed
# behind their back.
# Exit codes: 0 found (path on stdout), 3 missing and not on CI (tests skip), other: failure.
set -euo pipefail

package=$1
shift

find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if find_tool "$@"; then
  exit 0
fi
if [ "${CI:-}" != "true" ]; then
  echo "'$1' is not on this machine: install it with 'apt-get install -y $package'" \
       "(or run the tests with CI=true to install it automatically)" >&2
  exit 3
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "'$1' is missing and installing it needs root: run 'apt-get install -y $package'" >&2
  exit 1
fi
echo "'$1' is missing: installing the Debian package '$package'" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "$package" >&2
find_tool "$@" || { echo "installed the '$package' package but found no $1 command" >&2; exit 1; }
