#!/usr/bin/env bash
# The whole suite. DATABASE_URL picks the database (SQLite file by default).
set -euo pipefail
export BRYGGA_TESTING=1
# The suite talks to the bundled Fortnox sandbox (settings switch it on under pytest too; this
# says so for the subprocesses the tests start).
export FORTNOX_SANDBOX_ENABLED="${FORTNOX_SANDBOX_ENABLED:-true}"
if [ -x /usr/bin/chromium ]; then
  export BRYGGA_CHROMIUM=/usr/bin/chromium
  # axe-core (pinned in package-lock.json) is injected into pages to check accessibility.
  if [ ! -f node_modules/axe-core/axe.min.js ]; then
    command -v npm >/dev/null || { echo "npm is missing: apt-get install -y npm (the browser suite needs axe-core)" >&2; exit 1; }
    npm ci --no-audit --no-fund --loglevel=error
  fi
else
  echo "NOTE: /usr/bin/chromium is missing, so the browser suite (tests/e2e) is skipped." >&2
  echo "      Install it with: apt-get install -y chromium" >&2
fi
# Two workers: much of the suite waits on HTTP to the sandbox, so two processes keep both
# cores busy. Each worker gets its own test database, copied from one migrated once a run
# (tests/support/database.py). `-n 0` after this runs in one process.
exec .venv/bin/python -m pytest -n "${BRYGGA_TEST_WORKERS:-2}" "$@"
