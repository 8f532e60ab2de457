#!/usr/bin/env bash
# The one test command (`npm test`): the system programs the tests run (scripts/test-deps.sh: installed when
# missing as root with apt-get, else it stops and prints the install command), then type-check (the program, and the
# AdminAPI scripts against MySQL Shell's globals), the client package's build, lint, then every
# jest suite (unit, program under mocks, the offline plan end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
npx tsc --noEmit -p .
# The game-server client builds as its own package (client/dist: its sources and the contracts it shares).
npm run build --silent --workspace @gamedb/client
# The MySQL Shell scripts as one global scope, the way each runs concatenated (infra/mysql/adminapi/tsconfig.json).
npx tsc -p infra/mysql/adminapi
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx jest "$@"
