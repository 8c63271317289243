#!/usr/bin/env bash
# Print the path of bubblewrap (bwrap), the sandbox `mhtrain course grade` marks in (installed
# on CI). Exit codes as scripts/ensure_package.sh: 0 found, 3 missing and not on CI, other: failure.
set -- bubblewrap bwrap
. "${BASH_SOURCE[0]%/*}/ensure_package.sh"
