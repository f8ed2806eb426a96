"""The job queue: RQ on the Redis that production already runs (docs/decisions.md,
52). Long work (imports, reminder digests, password-reset mail) is enqueued here and
run by `manage.py run_worker`, on this machine or another that reaches the same
Redis and database.

Without RUSPLAN_QUEUE_URL (development without Redis) a job runs at once, in the
process that enqueues it, so every feature works, only not in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import transaction
from rq import Queue, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

logger = logging.getLogger(__name__)

#: how long a finished job's record stays in Redis (the database keeps what matters)
RESULT_TTL_SECONDS = 24 * 60 * 60
#: how long a failed job stays in RQ's failed-job registry, for `rq info` and a look
FAILURE_TTL_SECONDS = 7 * 24 * 60 * 60


def queue_configured() -> bool:
    return bool(settings.RUSPLAN_QUEUE_URL)


# A queue Redis that drops packets instead of refusing the connection would hold a
# request for the operating system's TCP timeout (minutes) before enqueue() gives up
# and says so; a healthy Redis on the network answers in milliseconds.
CONNECT_TIMEOUT_SECONDS = 2


def connection() -> redis.Redis:
    return redis.Redis.from_url(
        settings.RUSPLAN_QUEUE_URL, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
    )


def get_queue() -> Queue:
    return Queue(
        settings.RUSPLAN_QUEUE_NAME,
        connection=connection(),
        default_timeout=settings.RUSPLAN_JOB_TIMEOUT_SECONDS,
    )


def _full_id(job_id: str) -> str:
    """Job ids are per queue: two installations (or two test processes) sharing
    one Redis each have their own queue name and so their own job ids."""
    return f"{settings.RUSPLAN_QUEUE_NAME}--{job_id}"


def enqueue(
    func: Callable,
    /,
    *,
    job_id: str | None = None,
    on_failure: Callable[[], None] | None = None,
    **kwargs,
) -> None:
    """Run func(**kwargs) as a job, once the current transaction has committed (so
    the worker finds the rows the job is about). Without a queue, run it now, in
    this transaction. Arguments must be picklable: ids and strings, not objects.
    job_id names a job whose progress someone will ask for (job_progress).

    When the queue's Redis does not answer, the job is not queued: that is logged
    and on_failure() is called (after the commit, in its own transaction), so the
    caller decides what the user sees instead of a 500. The data is committed by
    then; on_failure is how the caller marks it as never to be run."""
    if not queue_configured():
        func(**kwargs)
        return

    def put() -> None:
        try:
            get_queue().enqueue(
                func,
                kwargs=kwargs,
                job_id=_full_id(job_id) if job_id else None,
                result_ttl=RESULT_TTL_SECONDS,
                failure_ttl=FAILURE_TTL_SECONDS,
            )
        except redis.RedisError as error:
            # The arguments stay out of the log (an address, a file); the job's
            # name and id, and the error's class and text (host and port, no
            # password: redis-py does not put it in its messages), say enough.
            logger.error(
                "The job queue does not answer; %s (%s) was not queued: %s: %s",
                f"{func.__module__}.{func.__qualname__}",
                job_id or "no id",
                type(error).__name__,
                error,
            )
            if on_failure is not None:
                on_failure()

    transaction.on_commit(put)


def report_progress(**values) -> None:
    """Store values (e.g. done=1200, total=20000) on the running job, where a
    status page reads them with job_progress(). Outside a worker, does nothing.
    Kept in Redis, not in the database: the job's own transaction would hide a
    database row's progress from every other connection until the end."""
    job = get_current_job()
    if job is None:
        return
    job.meta.update(values)
    job.save_meta()


def job_progress(job_id: str) -> tuple[str | None, dict]:
    """A job's RQ status (None when Redis no longer knows it) and its progress."""
    if not queue_configured():
        return None, {}
    try:
        job = Job.fetch(_full_id(job_id), connection=connection())
        return job.get_status(), dict(job.meta)
    except NoSuchJobError:
        return None, {}
    except redis.RedisError:
        logger.warning("The job queue does not answer; progress of %s unknown", job_id)
        return JobStatus.QUEUED, {}


#: RQ states in which a job will never run (again)
LOST = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
