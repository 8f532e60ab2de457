#!/usr/bin/env bash
# The one test command (`npm test`): type-check, lint, then every jest suite (unit, program under mocks, the
# offline plan end to end). Tests that need a system program check for it themselves and fail, naming the
# package, when it is missing; .ci/run installs those packages on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc --noEmit -p .
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx jest "$@"
