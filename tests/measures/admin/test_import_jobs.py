"""Admin imports as background jobs (measures/admin/imports/jobs.py) on the real
queue (RQ on Redis, tests/support/queue.py): the upload only enqueues, the worker
runs the preview and the import with progress, the job's page and its JSON status
are the starter's alone, and a failure says so in Norwegian and keeps nothing."""

import datetime
import operator

import pytest
from django.urls import reverse
from rq.job import Job

from measures import queue
from measures.admin.imports.jobs import import_run
from measures.admin.imports.status_updates import StatusUpdateResource
from measures.models import ImportJob, StatusUpdate
from tests.measures.admin.test_import import (
    _staff,
    confirm,
    to_csv,
    update_row,
    upload,
)

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 300


def _rows(count: int) -> list[dict]:
    start = datetime.date(2020, 1, 1)
    return [
        update_row(
            external_id=f"rad-{number}",
            as_of=(start + datetime.timedelta(days=number)).isoformat(),
            progress=str(number % 100),
        )
        for number in range(count)
    ]


def _url(job: ImportJob, name: str = "import_job") -> str:
    return reverse(f"admin:measures_statusupdate_{name}", kwargs={"pk": job.pk})


def _job_meta(job: ImportJob) -> dict:
    return Job.fetch(
        f"{queue.settings.RUSPLAN_QUEUE_NAME}--{job.queue_job_id}",
        connection=queue.connection(),
    ).meta


def test_hundreds_of_rows_are_previewed_and_imported_by_the_queue(
    admin_client, import_world, job_queue
):
    before = StatusUpdate.objects.count()

    page = upload(admin_client, StatusUpdate, to_csv(_rows(ROWS)))

    job = page.context["job"]
    assert (job.stage, job.status, job.total) == ("preview", "queued", ROWS)
    html = page.content.decode()
    assert '<progress id="import-progress" max="300">' in html
    assert 'aria-live="polite"' in html
    assert "I kø: venter på en ledig arbeider." in html
    assert "measures/import_progress.js" in html
    assert [j.id for j in job_queue.waiting] == [
        f"{job_queue.queue.name}--import-{job.pk}-preview"
    ]
    assert StatusUpdate.objects.count() == before  # the request only enqueued

    job_queue.run()

    job.refresh_from_db()
    assert (job.status, job.done, job.result["totals"]["new"]) == ("done", ROWS, ROWS)
    assert _job_meta(job) == {"done": ROWS, "total": ROWS}
    assert StatusUpdate.objects.count() == before  # a dry run
    assert len(job.result["preview_rows"]) == ROWS
    preview = admin_client.get(_url(job))
    assert preview.context["can_confirm"]

    waiting = confirm(admin_client, StatusUpdate, preview)

    assert waiting.context["state"]["status"] == "queued"
    assert "Importen pågår" in waiting.content.decode()
    job_queue.run()
    job.refresh_from_db()
    assert (job.stage, job.status, job.done) == ("confirm", "done", ROWS)
    assert StatusUpdate.objects.filter(external_id__startswith="rad-").count() == ROWS
    assert bytes(job.data) == b""  # the file is deleted when the import has run
    done = admin_client.get(_url(job))
    assert "Importen er fullført (statusoppdateringer): 300 nye" in (
        done.content.decode()
    )
    assert job_queue.failed == []


def test_progress_is_reported_as_the_rows_are_read(import_world, superuser):
    seen = []
    resource = StatusUpdateResource(user=superuser, progress=seen.append)
    resource.PROGRESS_SECONDS = 0  # every row, not twice a second
    from tablib import Dataset

    rows = _rows(20)
    dataset = Dataset(headers=list(rows[0]))
    for row in rows:
        dataset.append(list(row.values()))

    resource.import_data(dataset, dry_run=True)

    assert seen == [*range(20), 20]


def test_the_status_view_shows_the_progress_of_the_running_job(
    admin_client, superuser, job_queue
):
    job = ImportJob.objects.create(
        user=superuser,
        model="measures.statusupdate",
        file_name="fil.csv",
        file_format="csv",
        total=20_000,
        status=ImportJob.Status.RUNNING,
    )
    # What a running import reports, reported by a real job on the queue.
    queue.enqueue(
        queue.report_progress, job_id=job.queue_job_id, done=1_200, total=20_000
    )
    job_queue.run()

    response = admin_client.get(_url(job, "import_job_status"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "running",
        "stage": "preview",
        "done": 1_200,
        "total": 20_000,
        "finished": False,
        "text": "1\u00a0200 av 20\u00a0000 rader",
    }
    assert "no-cache" in response["Cache-Control"]
    page = admin_client.get(_url(job))
    assert '<progress id="import-progress" max="20000" value="1200">' in (
        page.content.decode()
    )


def test_a_job_is_seen_only_by_its_starter_and_superusers(
    client, admin_client, import_world
):
    owner = _staff("view_statusupdate", "add_statusupdate", "change_statusupdate")
    other = _staff("view_statusupdate", "add_statusupdate", "change_statusupdate")
    client.force_login(owner)
    job = upload(client, StatusUpdate, to_csv(_rows(2))).context["job"]
    assert client.get(_url(job)).status_code == 200

    client.force_login(other)
    for name in ("import_job", "import_job_status"):
        assert client.get(_url(job, name)).status_code == 404
    assert client.post(_url(job, "import_job_confirm")).status_code == 404

    # A superuser may look, not import in someone else's name.
    assert admin_client.get(_url(job)).status_code == 200
    assert admin_client.post(_url(job, "import_job_confirm")).status_code == 404
    job.refresh_from_db()
    assert job.stage == "preview"

    client.logout()
    status = client.get(_url(job, "import_job_status"))
    assert status.status_code == 302
    assert status["Location"].startswith("/admin/login/")


def test_a_job_that_fails_says_so_in_norwegian_and_keeps_nothing(
    admin_client, superuser, job_queue
):
    job = ImportJob.objects.create(
        user=superuser,
        model="measures.statusupdate",
        file_name="fil.xlsx",
        file_format="xlsx",
        data=b"not a workbook",
        total=1,
    )
    queue.enqueue(import_run, job_id=job.queue_job_id, import_job_id=job.pk)

    job_queue.run()

    job.refresh_from_db()
    assert job.status == "failed"
    assert bytes(job.data) == b""
    html = admin_client.get(_url(job)).content.decode()
    assert "Importen stoppet på grunn av en feil hos oss. Ingenting er importert." in (
        html
    )
    assert "Traceback" not in html and "BadZipFile" not in html


def test_a_job_the_queue_lost_is_shown_as_failed(admin_client, superuser, job_queue):
    job = ImportJob.objects.create(
        user=superuser,
        model="measures.statusupdate",
        file_name="fil.csv",
        file_format="csv",
        data=b"x",
        total=1,
        status=ImportJob.Status.RUNNING,
    )
    # The job failed in the queue without reaching its own error handling, as
    # when its worker is killed or it runs out of time.
    job_queue.queue.enqueue(
        operator.truediv, 1, 0, job_id=f"{job_queue.queue.name}--{job.queue_job_id}"
    )
    job_queue.run()

    state = admin_client.get(_url(job, "import_job_status")).json()

    assert (state["status"], state["finished"]) == ("failed", True)
    job.refresh_from_db()
    assert job.result["message"].startswith("Importen ble avbrutt før den var ferdig")
    assert bytes(job.data) == b""


def test_a_preview_is_confirmed_once(admin_client, import_world, job_queue):
    job = upload(admin_client, StatusUpdate, to_csv(_rows(2))).context["job"]
    job_queue.run()

    first = admin_client.post(_url(job, "import_job_confirm"))
    second = admin_client.post(_url(job, "import_job_confirm"), follow=True)

    assert first.status_code == 302
    assert "kan ikke bekreftes" in second.content.decode()
    assert len(job_queue.waiting) == 1


def test_the_import_runs_as_the_user_who_started_it(client, import_world, job_queue):
    # Publishing by import needs more than the model permissions: a superuser.
    user = _staff()
    user.is_superuser = True
    user.save()
    client.force_login(user)
    job = upload(client, StatusUpdate, to_csv(_rows(1))).context["job"]
    job_queue.run()
    client.post(_url(job, "import_job_confirm"))
    job_queue.run()

    update = StatusUpdate.objects.get(external_id="rad-0")
    assert [h.history_user for h in update.history.all()] == [user]


def test_a_job_the_queue_never_had_is_failed_after_a_minute(
    admin_client, superuser, job_queue
):
    """Redis restarted without persistence: the queue has forgotten the job."""
    job = ImportJob.objects.create(
        user=superuser,
        model="measures.statusupdate",
        file_name="fil.csv",
        file_format="csv",
        total=1,
    )
    fresh = admin_client.get(_url(job, "import_job_status")).json()
    assert fresh["status"] == "queued"  # it may still be on its way

    ImportJob.objects.filter(pk=job.pk).update(
        queued=job.queued - datetime.timedelta(minutes=2)
    )
    lost = admin_client.get(_url(job, "import_job_status")).json()

    assert (lost["status"], lost["finished"]) == ("failed", True)


def test_an_unconfirmed_preview_keeps_its_file_for_a_day(admin_client, import_world):
    """Jobs run at once here (no queue): the next import's job tidies up."""
    kept = upload(admin_client, StatusUpdate, to_csv(_rows(1))).context["job"]
    old = upload(admin_client, StatusUpdate, to_csv(_rows(2))).context["job"]
    ImportJob.objects.filter(pk=old.pk).update(
        finished=old.finished - datetime.timedelta(days=1, minutes=1)
    )

    upload(admin_client, StatusUpdate, to_csv(_rows(3)))

    kept.refresh_from_db()
    old.refresh_from_db()
    assert bytes(kept.data) != b""  # still confirmable
    assert bytes(old.data) == b""
    assert admin_client.post(_url(old, "import_job_confirm")).status_code == 302
    old.refresh_from_db()
    assert old.stage == "preview"  # too old to confirm


#: a Redis URL nothing answers at (port 1): the queue is down, for real
DOWN = "redis://127.0.0.1:1/0"


def test_an_upload_while_the_queue_is_down_fails_in_norwegian_not_500(
    admin_client, import_world, settings, caplog
):
    settings.RUSPLAN_QUEUE_URL = DOWN
    before = StatusUpdate.objects.count()

    with caplog.at_level("ERROR", logger="measures.queue"):
        page = upload(admin_client, StatusUpdate, to_csv(_rows(3)))

    assert page.status_code == 200
    job = page.context["job"]
    assert (job.stage, job.status, bytes(job.data)) == ("preview", "failed", b"")
    assert "Køen for bakgrunnsjobber svarer ikke" in page.content.decode()
    assert StatusUpdate.objects.count() == before
    [record] = caplog.records
    assert "was not queued" in record.getMessage()
    assert "ConnectionError" in record.getMessage()
    assert "rad-0" not in record.getMessage()  # no data in the log


def test_a_confirmation_while_the_queue_is_down_fails_in_norwegian(
    admin_client, import_world, settings, job_queue
):
    preview = upload(admin_client, StatusUpdate, to_csv(_rows(3)))
    job_queue.run()
    preview = admin_client.get(_url(preview.context["job"]))
    before = StatusUpdate.objects.count()
    settings.RUSPLAN_QUEUE_URL = DOWN

    page = confirm(admin_client, StatusUpdate, preview)

    assert page.status_code == 200
    job = page.context["job"]
    assert (job.stage, job.status) == ("confirm", "failed")
    assert "Køen for bakgrunnsjobber svarer ikke" in page.content.decode()
    assert StatusUpdate.objects.count() == before
