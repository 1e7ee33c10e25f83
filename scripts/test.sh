#!/usr/bin/env bash
# The whole suite. DATABASE_URL picks the database (SQLite file by default).
set -euo pipefail
export BRYGGA_TESTING=1
if [ -x /usr/bin/chromium ]; then
  export BRYGGA_CHROMIUM=/usr/bin/chromium
else
  echo "NOTE: /usr/bin/chromium is missing, so the browser suite (tests/e2e) is skipped." >&2
  echo "      Install it with: apt-get install -y chromium" >&2
fi
exec .venv/bin/python -m pytest "$@"
