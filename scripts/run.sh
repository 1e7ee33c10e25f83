#!/usr/bin/env bash
# Web server and job cluster in the foreground together; Ctrl-C stops both.
set -euo pipefail
PY=.venv/bin/python
HOST="${BRYGGA_HOST:-127.0.0.1}"
PORT="${BRYGGA_PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"

"$PY" manage.py migrate --no-input -v0
"$PY" manage.py load_demo
if "$PY" manage.py shell --verbosity 0 -c "from django.conf import settings; raise SystemExit(0 if settings.SANDBOX_ENABLED else 1)"; then
  "$PY" manage.py sandbox_seed
fi

pids=()
cleanup() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT

"$PY" manage.py qcluster &
pids+=($!)
"$PY" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

sleep 2
echo
echo "Brygga runs at $SITE_URL/  (Fortnox sandbox: $SITE_URL/sandbox/fortnox/_control/)"
echo "Log in with a demo login above. Ctrl-C stops the web server and the job cluster."
wait -n "${pids[@]}"
