#!/usr/bin/env python3
"""The writer of `make bench`'s mixed round (scripts/bench.py, run_mixed()).

While ab loads pages of one municipality, this process publishes one status
update a second on a random open measure of the other demo municipalities, through
the same service the admin uses (status_update_record_published, as a platform
administrator "bench-publisher" it creates), and times how long each update takes
to appear on the measure's public page over HTTP, as an anonymous visitor of the
running gunicorn sees it (the page cache on). Its last line of output is JSON:
{"published": n, "publish_ms": [...], "visible_ms": [...], "requests_ms": [[...]...],
"not_visible": k}, requests_ms holding for each update seen the time of each request
made until the page showed it.

Run by bench.py with the bench's environment (DATABASE_URL, CACHE_URL, ...):
    python scripts/bench_writer.py --port P --seconds S --skip <kommune slug>
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusplan.settings")

import django  # noqa: E402 (after the settings module is named)

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402
from harness import request  # noqa: E402 (scripts/ is this script's directory)

from measures.models import OPEN_PHASES, Measure  # noqa: E402
from measures.services.sources import NewSource  # noqa: E402
from measures.services.status_updates import (  # noqa: E402
    status_update_record_published,
)

# How long an update may take to show before it counts as not visible.
GIVE_UP_S = 10.0
POLL_S = 0.01


def publisher():
    """A platform administrator for the bench database (made once)."""
    user = get_user_model().objects.filter(username="bench-publisher").first()
    if user is None:
        user = get_user_model().objects.create_superuser(
            username="bench-publisher", email="bench@example.invalid", password=None
        )
    return user


def page_shows(port: int, path: str, text: str) -> tuple[bool, float]:
    """Whether the page has `text`, asked as the bench's other clients ask: as
    behind a TLS proxy (scripts/harness.py FORWARDED), or it answers a redirect;
    and how long the request took, seen from here (milliseconds)."""
    asked = time.monotonic()
    status, _headers, body = request(port, "GET", path, timeout=10)
    return status == 200 and text.encode() in body, (time.monotonic() - asked) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--skip", default="", help="a municipality's slug: not it")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    actor = publisher()
    # Open measures of adopted demo plans outside the readers' municipality.
    candidates = list(
        Measure.objects.filter(
            slug__startswith="demo-",
            plan__status="adopted",
            plan__is_training=False,
            current_phase__in=OPEN_PHASES,
        )
        .exclude(municipality__slug=args.skip)
        .select_related("plan", "municipality")
        .order_by("pk")
    )
    if not candidates:
        raise SystemExit("No open demo measure to publish on")
    chooser = random.Random(args.seed)  # noqa: S311 (choosing pages, not secrets)
    source = NewSource(
        url="https://example.invalid/rusplan-bench",
        publisher="Rusplan benchmark",
        title="Benchmark (generated)",
        kind="organisation",
    )
    published, publish_ms, visible_ms, not_visible = 0, [], [], 0
    # Per update seen: the milliseconds of each request made until it showed.
    requests: list[list[float]] = []
    started = time.monotonic()
    while time.monotonic() - started < args.seconds:
        measure = chooser.choice(candidates)
        # The address before the clock starts: this process's first reverse() loads
        # the URL configuration (0.7 s), which once counted as the first update's
        # time to show (docs/benchmarks.md, the fifth round).
        path = measure.get_absolute_url()
        tick = time.monotonic()
        summary = f"Benchmark-oppdatering {uuid.uuid4().hex}"
        status_update_record_published(
            measure=measure,
            as_of=timezone.localdate(),
            phase=measure.current_phase,
            health=measure.current_health,
            progress=measure.current_progress,
            summary=summary,
            new_sources=[source],
            actor=actor,
        )
        done = time.monotonic()
        publish_ms.append((done - tick) * 1000)
        published += 1
        # Each request's time, as this process saw it: tells a page that showed
        # the update late (several requests) from one slow request (or a slow
        # start of the request, waiting for a free worker).
        times = []
        while True:
            shown, took = page_shows(args.port, path, summary)
            times.append(took)
            if shown:
                visible_ms.append((time.monotonic() - done) * 1000)
                requests.append(times)
                break
            if time.monotonic() - done > GIVE_UP_S:
                not_visible += 1
                break
            time.sleep(POLL_S)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    print(
        json.dumps(
            {
                "published": published,
                "publish_ms": publish_ms,
                "visible_ms": visible_ms,
                "requests_ms": requests,
                "not_visible": not_visible,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
