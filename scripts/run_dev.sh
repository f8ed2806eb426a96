#!/usr/bin/env bash
# `make run`: Django's development server and, beside it, a worker for the
# background jobs (manage.py run_worker: imports, reminders, password-reset mail).
# The worker uses the Redis at RUSPLAN_QUEUE_URL (default redis://127.0.0.1:6379/1)
# and is stopped when the server stops (Ctrl-C). Without a Redis that answers, no
# worker is started and jobs run at once in the web process (docs/configuration.md).
# The worker does not reload on code changes as runserver does: restart `make run`
# after changing a job.
set -euo pipefail
PY=${PY:-.venv/bin/python}
PORT=${PORT:-8000}
export RUSPLAN_QUEUE_URL="${RUSPLAN_QUEUE_URL-redis://127.0.0.1:6379/1}"

redis_answers() {
  "$PY" - <<'PYTHON' 2>/dev/null
import os, sys
import redis
url = os.environ["RUSPLAN_QUEUE_URL"]
sys.exit(0 if url and redis.Redis.from_url(url, socket_connect_timeout=1).ping() else 1)
PYTHON
}

if redis_answers; then
  "$PY" manage.py run_worker &
  worker=$!
  trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
  echo "Arbeider for bakgrunnsjobber startet (pid $worker, $RUSPLAN_QUEUE_URL)."
else
  echo "Redis svarer ikke på ${RUSPLAN_QUEUE_URL:-(tom)}: ingen arbeider startet;" \
    "bakgrunnsjobbene kjøres med en gang i webprosessen." >&2
  export RUSPLAN_QUEUE_URL=""
fi
"$PY" manage.py runserver "127.0.0.1:$PORT"
