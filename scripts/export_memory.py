#!/usr/bin/env python3
"""Memory of the streamed exports at two or more data sizes (not part of `make test`).

    .venv/bin/python scripts/export_memory.py          # 100 000 and 1 000 000 rows
    .venv/bin/python scripts/export_memory.py --rows 20000 200000 --xlsx-max 200000
    .venv/bin/python scripts/export_memory.py --write  # also into docs/exports.md

Fills a throwaway database (a SQLite file in a temporary directory, unless
--database-url names another, e.g. postgres://postgres@127.0.0.1:5432/rusplan_x,
which is migrated and then filled: use an empty one) with one public plan of 50
measures and published status updates, bulk-inserted up to each size in turn. At
each size it requests the all-plans CSV of status updates
(/eksport/statusoppdateringer.csv) and the plan's XLSX through Django's test client,
in this process, reads the whole response, and reports:

- rows and bytes, and rows per second (a pass without tracing);
- the peak of Python's heap while the response is produced and read (a second pass
  under tracemalloc, which slows it down, so its time is not reported).

Flat memory means the peak does not grow with the rows. The XLSX export is measured
only up to --xlsx-max rows (openpyxl writes some 3 000 rows a second here).
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
import tracemalloc

from harness import BASE_DIR, replace_block

SUMMARY = (
    "Tiltaket går etter planen: nye lokaler i Årstad, bemanning økt, "
    "samarbeid med Helse Bergen og politiet om oppfølging. Løpenummer {n}."
)
BATCH = 10_000
MEASURES = 50
START, END = "<!-- export-memory:start -->", "<!-- export-memory:end -->"


def setup(database_url: str | None) -> None:
    workdir = tempfile.mkdtemp(prefix="rusplan-export-memory-")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{workdir}/export.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusplan.settings")
    # No page cache and no query log to skew the figures.
    os.environ["RUSPLAN_PAGE_CACHE_SECONDS"] = "0"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "export-memory-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_STATIC_MANIFEST", "false")
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_plan():
    from measures.models import Measure, MeasurePartner, Plan
    from partners.models import Partner

    owner = Partner.objects.create(name="Eksportkommune", slug="eksportkommune")
    plan = Plan.objects.create(
        title="Eksportplan (måledata)",
        slug="eksportplan",
        start_year=2018,
        end_year=2022,
        status=Plan.Status.ADOPTED,
        owner=owner,
    )
    for i in range(MEASURES):
        measure = Measure.objects.create(
            plan=plan, identifier=str(i + 1), title=f"Tiltak {i + 1}", slug=f"m-{i}"
        )
        MeasurePartner.objects.create(measure=measure, partner=owner, role="lead")
    return plan


def fill_to(plan, rows: int) -> None:
    from measures.models import StatusUpdate

    measure_ids = list(plan.measures.values_list("pk", flat=True))
    have = StatusUpdate.objects.count()
    published = datetime.datetime(2021, 1, 1, tzinfo=datetime.UTC)
    day = datetime.date(2018, 1, 1)
    while have < rows:
        n = min(BATCH, rows - have)
        StatusUpdate.objects.bulk_create(
            StatusUpdate(
                measure_id=measure_ids[(have + k) % len(measure_ids)],
                as_of=day + datetime.timedelta(days=(have + k) % 1000),
                phase="in_progress",
                health="on_track",
                progress=(have + k) % 101,
                summary=SUMMARY.format(n=have + k),
                state="published",
                published_at=published,
            )
            for k in range(n)
        )
        have += n


def fetch(path: str) -> tuple[int, int, int]:
    """Status, bytes and line count of the whole response."""
    from django.test import Client

    response = Client(HTTP_HOST="localhost").get(path)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    return response.status_code, size, lines


def measure(path: str) -> dict:
    started = time.perf_counter()
    status, size, lines = fetch(path)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    tracemalloc.reset_peak()
    fetch(path)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "status": status,
        "bytes": size,
        "lines": lines,
        "seconds": seconds,
        "peak_mb": peak / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[100_000, 1_000_000], metavar="N"
    )
    parser.add_argument("--xlsx-max", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--write", action="store_true", help="update docs/exports.md")
    args = parser.parse_args()
    setup(args.database_url)
    from django.db import connection
    from django.utils import timezone

    plan = make_plan()
    results = []
    for rows in sorted(args.rows):
        fill_to(plan, rows)
        print(f"{rows:,} status updates", flush=True)
        for kind, path in (
            ("CSV", "/eksport/statusoppdateringer.csv"),
            ("XLSX", f"/planer/{plan.slug}/eksport/statusoppdateringer.xlsx"),
        ):
            if kind == "XLSX" and rows > args.xlsx_max:
                continue
            result = {"rows": rows, "kind": kind, **measure(path)}
            results.append(result)
            print(
                f"  {kind}: status {result['status']}, {result['bytes'] / 1e6:.1f} MB"
                f" in {result['seconds']:.1f} s ({rows / result['seconds']:,.0f}"
                f" rows/s), Python heap peak {result['peak_mb']:.1f} MB",
                flush=True,
            )
    table = [
        f"Run {timezone.localdate():%d.%m.%Y} on {connection.vendor}, "
        f"Python {sys.version.split()[0]}:",
        "",
        "| Export | Rows | Size | Time | Rows/s | Python heap peak |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {r['kind']} | {r['rows']:,} | {r['bytes'] / 1e6:.0f} MB | "
            f"{r['seconds']:.0f} s | {r['rows'] / r['seconds']:,.0f} | "
            f"{r['peak_mb']:.1f} MB |"
            for r in results
        ),
    ]
    print("\n".join(table))
    if args.write:
        doc = BASE_DIR / "docs" / "exports.md"
        text = doc.read_text(encoding="utf-8")
        replaced = replace_block(text, START, END, "\n".join(table))
        doc.write_text(text if replaced is None else replaced, encoding="utf-8")
        print(f"Wrote {doc}")


if __name__ == "__main__":
    main()
