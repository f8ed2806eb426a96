#!/usr/bin/env bash
# `make run`: Django's development server and, beside it, a worker for the
# background jobs (manage.py run_worker: imports, reminders, password-reset mail).
# The worker uses the Redis at RUSPLAN_QUEUE_URL (default redis://127.0.0.1:6379/1)
# and is stopped when the server stops (Ctrl-C). Without a Redis that answers, or
# when the worker dies at start, jobs run at once in the web process
# (docs/configuration.md).
# The queue's name is this checkout's own (from a hash of its path) unless
# RUSPLAN_QUEUE_NAME is set: two checkouts on one machine share the Redis, and
# with one name each worker would take the other's jobs and run them against the
# wrong database.
# The worker does not reload on code changes as runserver does: restart `make run`
# after changing a job.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
export RUSPLAN_QUEUE_URL="${RUSPLAN_QUEUE_URL-redis://127.0.0.1:6379/1}"
if [ -z "${RUSPLAN_QUEUE_NAME:-}" ]; then
  RUSPLAN_QUEUE_NAME="rusplan-dev-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)"
fi
export RUSPLAN_QUEUE_NAME

redis_answers() {
  "$PY" - <<'PYTHON' 2>/dev/null
import os, sys
import redis
url = os.environ["RUSPLAN_QUEUE_URL"]
sys.exit(0 if url and redis.Redis.from_url(url, socket_connect_timeout=1).ping() else 1)
PYTHON
}

no_worker() {
  echo "$1: ingen arbeider;" \
    "bakgrunnsjobbene kjøres med en gang i webprosessen." >&2
  export RUSPLAN_QUEUE_URL=""
}

if redis_answers; then
  "$PY" manage.py run_worker &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
  # A worker that cannot start (an import error, a bad setting) exits at once;
  # without this check every job would wait in a queue nobody reads.
  sleep 1
  if kill -0 "$worker" 2>/dev/null; then
    echo "Arbeider for bakgrunnsjobber startet (pid $worker, $RUSPLAN_QUEUE_URL," \
      "kø $RUSPLAN_QUEUE_NAME)."
  else
    no_worker "Arbeideren stoppet rett etter start (se feilen over)"
  fi
else
  no_worker "Redis svarer ikke på ${RUSPLAN_QUEUE_URL:-(tom)}"
fi
"$PY" manage.py runserver "127.0.0.1:$PORT"
