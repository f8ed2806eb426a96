"""The real job queue for tests: RQ on the Redis at 127.0.0.1:6379, database 15,
with a queue name of the test's own (per pytest-xdist worker and per test), so that
parallel test processes never take each other's jobs. Skipped when no Redis
answers, unless the run requires Redis (CI=true or RUSPLAN_REQUIRE_REDIS=1:
tests/support/requirements.py), which makes that a failure.

Jobs are run by RQ's SimpleWorker in the test's own process (burst: until the
queue is empty), so they see the test's database.
"""

import os
import uuid

import pytest
import redis
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from tests.support.requirements import need

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_answers() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        return False


class JobQueue:
    def __init__(self, name: str):
        self.connection = redis.Redis.from_url(REDIS_URL)
        self.queue = Queue(name, connection=self.connection)

    @property
    def waiting(self) -> list[Job]:
        return self.queue.get_jobs()

    def run(self) -> None:
        """Run every job waiting, as a worker would, then return."""
        SimpleWorker([self.queue], connection=self.connection).work(
            burst=True, with_scheduler=False
        )

    @property
    def failed(self) -> list[str]:
        return FailedJobRegistry(queue=self.queue).get_job_ids()

    def remove(self) -> None:
        ids = set(self.queue.get_job_ids())
        ids |= set(FailedJobRegistry(queue=self.queue).get_job_ids())
        ids |= set(FinishedJobRegistry(queue=self.queue).get_job_ids())
        for job_id in ids:
            Job(job_id, connection=self.connection).delete()
        self.queue.delete(delete_jobs=True)


@pytest.fixture
def job_queue(settings):
    """The settings pointed at a real queue of this test's own."""
    need("redis", redis_answers(), f"no Redis answers at {REDIS_URL}")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"rusplan-test-{worker}-{uuid.uuid4().hex[:12]}"
    settings.RUSPLAN_QUEUE_URL = REDIS_URL
    settings.RUSPLAN_QUEUE_NAME = name
    jobs = JobQueue(name)
    yield jobs
    jobs.remove()
