#!/usr/bin/env bash
# Web server and job cluster in the foreground together; Ctrl-C stops both.
set -euo pipefail
PY=.venv/bin/python
HOST="${BRYGGA_HOST:-127.0.0.1}"
PORT="${BRYGGA_PORT:-8000}"
export SITE_URL="${SITE_URL:-http://$HOST:$PORT}"
# The demo talks to the bundled Fortnox sandbox; it is never on unless asked for by name.
export FORTNOX_SANDBOX_ENABLED="${FORTNOX_SANDBOX_ENABLED:-true}"
# The sandbox's event stream (fortnox_sandbox/EVENTS.md) listens on its own port beside the web
# server (BRYGGA_PORT + 1000: 9000 for the default 8000), and the listener is pointed at it.
export FORTNOX_SANDBOX_EVENTS_PORT="${FORTNOX_SANDBOX_EVENTS_PORT:-$((PORT + 1000))}"

"$PY" manage.py migrate --no-input -v0
"$PY" manage.py load_demo
sandbox=false
if "$PY" manage.py shell --verbosity 0 -c "from django.conf import settings; raise SystemExit(0 if settings.SANDBOX_ENABLED else 1)"; then
  sandbox=true
  export FORTNOX_EVENTS_URL="${FORTNOX_EVENTS_URL-ws://127.0.0.1:$FORTNOX_SANDBOX_EVENTS_PORT/topics-v1}"
  # The sandbox's demo company gets the demo's people as Fortnox has them: mostly the same, with
  # the drift that makes the first "Synchronise users" worth watching (conflicts, gaps, one-sided people).
  employees_file="$(mktemp --suffix=.json)"
  "$PY" manage.py fortnox_demo_employees --output "$employees_file"
  "$PY" manage.py sandbox_seed --size 40 --employees "$employees_file" --keep-data
  rm -f "$employees_file"
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  kill "${pids[@]}" 2>/dev/null || true
  # The cluster finishes the task in hand before it stops; give it ten seconds, not for ever.
  for _ in $(seq 20); do kill -0 "${pids[@]}" 2>/dev/null || break; sleep 0.5; done
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

"$PY" manage.py qcluster &
pids+=($!)
if $sandbox; then
  # Fortnox's event stream as the sandbox serves it (on this machine only, never public).
  "$PY" manage.py sandbox_events --host 127.0.0.1 --port "$FORTNOX_SANDBOX_EVENTS_PORT" &
  pids+=($!)
fi
# The one listener on Fortnox's event stream (a process type of its own, docs/operations.md),
# started again a second after it ends however it ended (SIGKILL included): it resumes every topic
# from the stored offsets. A second machine's listener would stand by.
bash scripts/supervise.sh "$PY" manage.py fortnox_events &
pids+=($!)
# --insecure: runserver serves the static files although DEBUG is off (Django's own switch for
# this; the demo is one person on one machine, production serves them from STATIC_ROOT).
"$PY" manage.py runserver "$HOST:$PORT" --noreload --insecure &
pids+=($!)

sleep 2
echo
echo "Brygga runs at $SITE_URL/  (Fortnox sandbox: $SITE_URL/sandbox/fortnox/_control/)"
if $sandbox; then
  echo "Fortnox event stream (sandbox): ${FORTNOX_EVENTS_URL:-off}  (events: $SITE_URL/sandbox/fortnox/_control/stream/)"
fi
echo "Log in with a demo login above. Ctrl-C stops the web server, the job cluster and the event listener."
wait -n "${pids[@]}"
