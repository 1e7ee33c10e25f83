#!/usr/bin/env bash
# Runs a command and starts it again a second after it ends, however it ended (SIGKILL included),
# until this script is told to stop (TERM or INT), which it passes on to the command.
#   bash scripts/supervise.sh .venv/bin/python manage.py fortnox_events
set -uo pipefail
child=""
stop() {
  trap - TERM INT
  [ -n "$child" ] && kill "$child" 2>/dev/null
  wait 2>/dev/null
  exit 0
}
trap stop TERM INT
while true; do
  "$@" &
  child=$!
  wait "$child"
  status=$?
  echo "supervise: '$*' ended ($status); starting it again" >&2
  sleep 1
done
