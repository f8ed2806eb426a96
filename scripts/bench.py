#!/usr/bin/env python3
# ruff: noqa: S603, S607 - an operations script: it runs the machine's own tools
"""The benchmark (`make bench`; not part of `make test`).

Runs Rusplan under gunicorn with production settings (DJANGO_DEBUG=false, hashed
static files) on PostgreSQL at national scale and drives load over loopback with ab
(ApacheBench, from Debian's apache2-utils):

1. setup: database `rusplan_bench` (created if missing), migrate, the Bergen plans,
   the national-scale demo data (`generate_demo_data`: skipped when the same data are
   already there), collectstatic;
2. uncached: every public page and /healthz, one after the other in the same run, with
   the page cache off (RUSPLAN_PAGE_CACHE_SECONDS=0; Redis stays the cache, so that
   /healthz checks it as in production);
3. cached: the same with the page cache on in Redis;
4. exports: the CSV export of all status updates (rows per second, the serving
   worker's peak memory) and the PDF report of a 60-measure plan, on a gunicorn with
   one worker, when those URLs exist.

It prints a table, compares the figures with the targets of issue 7, and replaces the
generated part of the "Benchmark" section of docs/benchmarks.md (--no-write: not). Every
server it starts is stopped before it exits.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
DOC = BASE_DIR / "docs" / "benchmarks.md"
HOST = "127.0.0.1"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rusplan_bench"
# Redis database 13: the reliability script uses 14, tests their own.
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
NATIONAL = {
    "measures": 20000,
    "updates-per-measure": 50,
    "plans": 50,
    "indicators": 2000,
    "values-per-indicator": 20,
    "seed": 1,
}
API = "API list"
TARGET_P95_MS = 150.0
TARGET_CACHED_SHARE = 0.5
TARGET_EXPORT_MB = 150.0
TARGET_PDF_S = 3.0
MARK_START = "<!-- bench:start (written by scripts/bench.py) -->"
MARK_END = "<!-- bench:end -->"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The application --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def base_environment(args) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
        # The API's per-address throttle (120/min) would answer ab with 429s; its
        # cost, a cache round trip per request, stays.
        "RUSPLAN_API_ANON_RATE": "1000000/s",
    }


def manage(env: dict, *arguments: str, timeout: int = 1800) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"manage.py {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}"
        )
    return result.stdout


# Finds what to measure in the database and the URL configuration.
TARGETS_SCRIPT = r"""
import json
from django.db.models import Count, Q
from django.urls import URLResolver, get_resolver
from measures.models import District, Measure, MeasurePartner, Plan, StatusUpdate
from partners.models import Partner

public = ~Q(plan__status="draft")
plans = list(
    Plan.objects.exclude(status="draft").filter(slug__startswith="demo-")
    .annotate(n=Count("measures")).order_by("n", "slug")
)
median = plans[len(plans) // 2]
largest = plans[-1]
small = min(plans, key=lambda p: (abs(p.n - 60), p.slug))
measure = (
    Measure.objects.filter(public, plan=median)
    .annotate(n=Count("updates")).order_by("-n", "slug").first()
)
partner = (
    Partner.objects.filter(measure_roles__measure__in=Measure.objects.filter(public))
    .annotate(n=Count("measure_roles")).order_by("-n", "slug").first()
)
district = (
    District.objects.annotate(n=Count("measures")).order_by("-n", "slug").first()
)

def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.name or ""

print(json.dumps({
    "plan_median": [median.slug, median.n],
    "plan_largest": [largest.slug, largest.n],
    "plan_small": [small.slug, small.n],
    "measure": [measure.slug, measure.n],
    "partner": [partner.slug, partner.n],
    "district": [district.slug, district.n],
    "updates_published": StatusUpdate.objects.filter(state="published").count(),
    "routes": list(walk(get_resolver().url_patterns)),
}))
"""


def prepare(args, env: dict) -> dict:
    name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    created = subprocess.run(
        ["createdb", "-h", HOST, "-U", "postgres", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise SystemExit(f"createdb {name} failed: {created.stderr}")
    log(f"Database {name}: migrate, load_bergen_plans")
    manage(env, "migrate", "--no-input")
    manage(env, "load_bergen_plans")
    if not args.skip_generate:
        parameters = [f"--{key}={value}" for key, value in args.scale.items()]
        log(f"generate_demo_data {' '.join(parameters)} (skipped if already there)")
        started = time.monotonic()
        output = manage(env, "generate_demo_data", *parameters).strip()
        log(f"  {output} [{time.monotonic() - started:.0f} s]")
    log("collectstatic")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    out = manage(env, "shell", "-v", "0", "-c", TARGETS_SCRIPT)
    return json.loads(out.strip().splitlines()[-1])


def route_to_path(route: str) -> str:
    # Regex routes (if any) carry anchors in the middle once joined.
    return "/" + route.replace("^", "").replace("$", "")


def find_routes(targets: dict) -> dict:
    """The optional URLs (API, CSV export, PDF report) if they exist, as paths."""
    routes = targets["routes"]
    found: dict[str, str] = {}
    api = [
        r
        for r, _name in routes
        if r.startswith("api/v1/")
        and "<" not in r
        and "(" not in r
        and r not in ("api/v1/",)
        and "schema" not in r
        and "." not in r
    ]
    api.sort(key=lambda r: (not any(w in r for w in ("measure", "tiltak")), r))
    if api:
        found["api"] = route_to_path(api[0])
    csv_routes = [(r, n) for r, n in routes if r.endswith(".csv")]
    # The export of all status updates: a route without parameters that names
    # updates, else any CSV route without parameters.
    plain = [(r, n) for r, n in csv_routes if "<" not in r]
    updates = [
        (r, n)
        for r, n in plain
        if any(w in (r + n).lower() for w in ("update", "oppdater", "status"))
    ]
    if updates or plain:
        found["csv_all"] = route_to_path((updates or plain)[0][0])
    per_plan = [r for r, _n in csv_routes if r.startswith("planer/<")]
    if per_plan:
        found["csv_plan"] = per_plan[0]
    pdf = [r for r, _n in routes if r.endswith(".pdf") and r.startswith("planer/<")]
    if pdf:
        found["pdf_plan"] = pdf[0]
    return found


def fill(route: str, slug: str) -> str:
    return route_to_path(re.sub(r"<[^>]+>", slug, route, count=1))


class Server:
    """gunicorn with the repository's gunicorn.conf.py on a free loopback port."""

    def __init__(self, env: dict, *, workers: int, label: str, timeout: int = 30):
        self.port = free_port()
        self.label = label
        self.env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_TIMEOUT": str(timeout),
            # No worker is replaced during a measurement.
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.log_path = BASE_DIR / "var" / f"bench-gunicorn-{label}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        (BASE_DIR / "var").mkdir(exist_ok=True)
        self._log = open(self.log_path, "w")
        command = [GUNICORN]
        if (BASE_DIR / "gunicorn.conf.py").exists():
            command += ["-c", "gunicorn.conf.py"]
        else:
            command += [
                "rusplan.wsgi:application",
                "--bind",
                self.env["GUNICORN_BIND"],
                "--workers",
                self.env["WEB_CONCURRENCY"],
                "--preload",
                "--timeout",
                self.env["GUNICORN_TIMEOUT"],
            ]
        # gunicorn.conf.py logs every request (JSON lines, as in production) to
        # stdout: kept in var/ to look into a figure afterwards.
        self.process = subprocess.Popen(
            command, cwd=BASE_DIR, env=self.env, stdout=self._log, stderr=self._log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, headers, _ = get(self.port, "/healthz")
                if status == 200 and headers.get("Server", "").startswith("gunicorn"):
                    return self
            time.sleep(0.2)
        self.stop()
        raise SystemExit(
            f"gunicorn did not answer /healthz in 60 s; see {self.log_path}"
        )

    def workers(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        with contextlib.suppress(AttributeError):
            self._log.close()

    def __exit__(self, *exc) -> None:
        self.stop()


def get(port: int, path: str, timeout: float = 60):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(
            "GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- Load -------------------------------------------------------------------------


def ab(port: int, path: str, args) -> dict:
    """One page under load from ApacheBench: `connections` concurrent clients for
    `seconds`. Percentiles come from its per-request log (-g; whole milliseconds):
    its own percentile CSV (-e) is off by one and reads zeros near the top."""
    with tempfile.NamedTemporaryFile("r", suffix=".tsv") as per_request:
        result = subprocess.run(
            [
                "ab",
                "-q",
                "-t",
                str(args.seconds),
                "-n",
                "10000000",
                "-c",
                str(args.connections),
                "-s",
                "30",
                "-H",
                "X-Forwarded-Proto: https",
                "-g",
                per_request.name,
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=args.seconds + 90,
            check=False,
        )
        # Columns: starttime, seconds, ctime, dtime, ttime (total ms), wait.
        totals = sorted(
            int(line.split("\t")[4]) for line in per_request.read().splitlines()[1:]
        )
    if not totals:
        raise SystemExit(
            f"ab made no request to {path}:\n{result.stdout}{result.stderr}"
        )

    def percentile(share: float) -> float:
        # Nearest rank: the smallest time that `share` % of the requests met.
        return float(totals[max(math.ceil(share / 100 * len(totals)) - 1, 0)])

    out = result.stdout

    def number(label: str, default: float | None = None) -> float:
        found = re.search(rf"^{label}:\s+([\d.]+)", out, re.MULTILINE)
        if found is None:
            if default is None:
                raise SystemExit(f"ab failed for {path}:\n{out}{result.stderr}")
            return default
        return float(found.group(1))

    failed = re.search(
        r"\(Connect: (\d+), Receive: (\d+), Length: (\d+), Exceptions: (\d+)\)", out
    )
    # ab counts a response whose length differs from the first as failed; pages
    # whose length varies are not errors. Connect, receive and exceptions are.
    errors = 0
    if failed:
        errors = int(failed.group(1)) + int(failed.group(2)) + int(failed.group(4))
    return {
        "requests": int(number("Complete requests")),
        "rps": number("Requests per second"),
        "p50_ms": percentile(50),
        "p95_ms": percentile(95),
        "p99_ms": percentile(99),
        "max_ms": float(totals[-1]),
        "non_2xx": int(number("Non-2xx responses", 0)),
        "errors": errors,
    }


def run_round(label: str, env: dict, pages: list, args) -> dict:
    log(f"Round {label}: gunicorn with {args.workers} workers")
    figures: dict[str, dict] = {}
    with Server(env, workers=args.workers, label=label) as server:
        for name, path in pages:
            for _ in range(args.warmup):
                status, headers, _body = get(server.port, path)
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
            cache = headers.get("X-Rusplan-Cache", "")
            result = ab(server.port, path, args)
            result["cache"] = cache
            figures[name] = result
            log(
                f"  {name:<28} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:5.0f}"
                f" ms  p95 {result['p95_ms']:5.0f} ms  non-2xx {result['non_2xx']}"
                f"  errors {result['errors']}  {cache}"
            )
    return figures


# --- Exports ------------------------------------------------------------------------


def vm_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure_download(port: int, path: str, timeout: float) -> dict:
    """Stream one response to the end; count its lines."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request(
            "GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"}
        )
        response = connection.getresponse()
        status = response.status
        first_byte = time.monotonic() - started
        lines = size = 0
        while chunk := response.read(1 << 16):
            size += len(chunk)
            lines += chunk.count(b"\n")
        return {
            "status": status,
            "content_type": response.getheader("Content-Type", ""),
            "seconds": time.monotonic() - started,
            "first_byte_s": first_byte,
            "bytes": size,
            "lines": lines,
        }
    finally:
        connection.close()


def run_exports(env: dict, routes: dict, targets: dict, args) -> dict:
    results: dict[str, dict] = {}
    if "csv_all" not in routes and "pdf_plan" not in routes:
        log("No CSV export of all updates and no PDF report URL: skipped")
        return results
    log("Exports: gunicorn with one worker")
    # One worker, so that its peak memory is the export's; a long timeout, because a
    # sync worker that streams for longer than GUNICORN_TIMEOUT is killed.
    with Server(env, workers=1, label="exports", timeout=args.export_timeout) as srv:
        (worker,) = srv.workers()
        if "csv_all" in routes:
            path = routes["csv_all"]
            get(srv.port, "/healthz")
            before = vm_kib(worker, "VmHWM")
            download = measure_download(srv.port, path, args.export_timeout + 30)
            alive = worker in srv.workers()
            peak = vm_kib(worker, "VmHWM") if alive else None
            rows = max(download["lines"] - 1, 0)  # less the header
            results["csv"] = {
                "path": path,
                **download,
                "rows": rows,
                "rows_per_s": rows / download["seconds"] if download["seconds"] else 0,
                "worker_hwm_before_mb": before / 1024,
                "worker_hwm_mb": peak / 1024 if peak is not None else None,
                "worker_survived": alive,
                "updates_published": targets["updates_published"],
            }
            log(f"  CSV {path}: {json.dumps(results['csv'])}")
        if "pdf_plan" in routes:
            slug, n = targets["plan_small"]
            path = fill(routes["pdf_plan"], slug) + "?per=" + args.report_date
            times = []
            # The first report in a fresh worker also loads WeasyPrint's fonts.
            for _ in range(1 + args.pdf_runs):
                download = measure_download(srv.port, path, 120)
                if download["status"] != 200:
                    raise SystemExit(f"{path} answered {download['status']}")
                times.append(download["seconds"])
            cold, times = times[0], times[1:]
            results["pdf"] = {
                "path": path,
                "measures": n,
                "runs": len(times),
                "cold_s": cold,
                "median_s": statistics.median(times),
                "max_s": max(times),
                "bytes": download["bytes"],
                "content_type": download["content_type"],
            }
            log(f"  PDF {path}: {json.dumps(results['pdf'])}")
    return results


# --- Report -------------------------------------------------------------------------


def machine(env: dict) -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"

    def first_line(*command, **kw) -> str:
        result = subprocess.run(
            command, capture_output=True, text=True, check=False, **kw
        )
        return ((result.stdout or result.stderr).strip().splitlines() or ["?"])[0]

    server_version = first_line(
        PYTHON,
        "manage.py",
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW server_version'); print(c.fetchone()[0])",
        cwd=BASE_DIR,
        env=env,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": first_line(PYTHON, "--version"),
        "postgresql": f"PostgreSQL {server_version}",
        "redis": first_line("redis-server", "--version"),
        "gunicorn": first_line(GUNICORN, "--version"),
        "ab": first_line("ab", "-V"),
    }


def load_average() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().split()[0]
    return "?"


def verdicts(report: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each target of issue 7; met None: not measured."""
    out = []
    uncached, cached = report["uncached"], report["cached"]
    # HTML pages; the API is a public endpoint but not a page (not page-cached).
    pages = [name for name in uncached if name not in ("/healthz", API)]
    api = ""
    if API in uncached:
        api = (
            f" ({API}, not a page: p95 {uncached[API]['p95_ms']:.0f} ms uncached, "
            f"{cached[API]['rps'] / cached['/healthz']['rps']:.2f} × /healthz in the "
            "cached round)"
        )
    worst = max(pages, key=lambda name: uncached[name]["p95_ms"])
    out.append(
        (
            f"p95 ≤ {TARGET_P95_MS:.0f} ms uncached, every public page",
            f"worst: {worst} {uncached[worst]['p95_ms']:.0f} ms; over: "
            + (
                ", ".join(
                    f"{n} {uncached[n]['p95_ms']:.0f} ms"
                    for n in pages
                    if uncached[n]["p95_ms"] > TARGET_P95_MS
                )
                or "none"
            )
            + api,
            uncached[worst]["p95_ms"] <= TARGET_P95_MS,
        )
    )
    health = cached["/healthz"]["rps"]
    weakest = min(pages, key=lambda name: cached[name]["rps"])
    share = cached[weakest]["rps"] / health if health else 0
    out.append(
        (
            "cached pages ≥ ½ of /healthz's requests/s",
            f"weakest: {weakest} {cached[weakest]['rps']:.0f} req/s = "
            f"{share:.2f} × /healthz ({health:.0f} req/s); below ½: "
            + (
                ", ".join(
                    f"{n} {cached[n]['rps'] / health:.2f}"
                    for n in pages
                    if cached[n]["rps"] < TARGET_CACHED_SHARE * health
                )
                or "none"
            ),
            share >= TARGET_CACHED_SHARE,
        )
    )
    csv = report["exports"].get("csv")
    if csv is None:
        out.append(
            (f"CSV export of all updates < {TARGET_EXPORT_MB:.0f} MB", "no URL", None)
        )
    else:
        peak = csv["worker_hwm_mb"]
        out.append(
            (
                f"CSV export of all updates < {TARGET_EXPORT_MB:.0f} MB peak",
                f"{csv['rows']:,} rows in {csv['seconds']:.1f} s "
                f"({csv['rows_per_s']:,.0f} rows/s), worker peak "
                + (f"{peak:.0f} MB" if peak is not None else "unknown (worker died)"),
                peak is not None
                and peak < TARGET_EXPORT_MB
                and csv["status"] == 200
                and csv["rows"] >= csv["updates_published"],
            )
        )
    pdf = report["exports"].get("pdf")
    if pdf is None:
        out.append((f"PDF report, 60 measures < {TARGET_PDF_S:.0f} s", "no URL", None))
    else:
        out.append(
            (
                f"PDF report, 60 measures < {TARGET_PDF_S:.0f} s",
                f"{pdf['measures']} measures: median {pdf['median_s']:.2f} s, "
                f"max {pdf['max_s']:.2f} s of {pdf['runs']} (first in a fresh "
                f"worker {pdf['cold_s']:.2f} s)",
                pdf["max_s"] < TARGET_PDF_S,
            )
        )
    return out


def table(report: dict) -> list[str]:
    uncached, cached = report["uncached"], report["cached"]
    h_u, h_c = uncached["/healthz"]["rps"], cached["/healthz"]["rps"]
    lines = [
        "| page | uncached req/s | p50 ms | p95 ms | × /healthz | cached req/s "
        "| p50 ms | p95 ms | × /healthz |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, u in uncached.items():
        c = cached[name]
        lines.append(
            f"| {name} | {u['rps']:.0f} | {u['p50_ms']:.0f} | {u['p95_ms']:.0f} | "
            f"{u['rps'] / h_u:.2f} | {c['rps']:.0f} | {c['p50_ms']:.0f} | "
            f"{c['p95_ms']:.0f} | {c['rps'] / h_c:.2f} |"
        )
    return lines


def markdown(report: dict) -> str:
    m = report["machine"]
    a = report["args"]
    t = report["targets"]
    scale = report["scale"]
    lines = [
        f"Run on {report['date']} ({report['elapsed_min']:.0f} min in all): "
        f"{m['cores']} cores ({m['cpu']}), {m['memory']} RAM, {m['os']}; "
        f"{m['python']}, {m['postgresql']}, {m['redis']}, {m['gunicorn']}, "
        f"{m['ab']}. Load average (1 min) of the machine before the run "
        f"{report['load_before']}, after it {report['load_after']}: above 0.5 before, "
        "something else was using the cores and the figures are low.",
        "",
        "Data: the Bergen plans plus demo data ("
        + ", ".join(f"{k} {v}" for k, v in scale.items())
        + "). "
        f"gunicorn with {a['workers']} sync workers; ab with {a['connections']} "
        f"concurrent clients, {a['seconds']} s a page after "
        f"{a['warmup']} warm-up requests; every page and /healthz in the same run. "
        "Pages: "
        + "; ".join(f"{name} = `{path}`" for name, path in report["pages"])
        + ".",
        "",
        f"Plan pages: the median plan has {t['plan_median'][1]} measures, the largest "
        f"{t['plan_largest'][1]}; the measure has {t['measure'][1]} updates; the "
        f"partner has {t['partner'][1]} measure roles, the district "
        f"{t['district'][1]} measures.",
        "",
        *table(report),
        "",
        "Not served from the page cache in the cached round (no `X-Rusplan-Cache: "
        "hit`): "
        + ", ".join(n for n, f in report["cached"].items() if f["cache"] != "hit")
        + ".",
        "",
        "Errors (non-2xx responses, connection errors, timeouts): "
        + (
            ", ".join(
                f"{rnd} {name}: {f['non_2xx']} non-2xx, {f['errors']} errors"
                for rnd in ("uncached", "cached")
                for name, f in report[rnd].items()
                if f["non_2xx"] or f["errors"]
            )
            or "none"
        )
        + ".",
        "",
    ]
    exports = report["exports"]
    if "csv" in exports:
        c = exports["csv"]
        lines.append(
            f"CSV export `{c['path']}`: status {c['status']}, {c['rows']:,} rows "
            f"({c['bytes'] / 1e6:.0f} MB) in {c['seconds']:.1f} s = "
            f"{c['rows_per_s']:,.0f} rows/s, first byte after "
            f"{c['first_byte_s']:.2f} s; the worker's peak resident memory (VmHWM) "
            f"{c['worker_hwm_before_mb']:.0f} MB before, "
            + (
                f"{c['worker_hwm_mb']:.0f} MB after"
                if c["worker_hwm_mb"] is not None
                else "unknown: the worker did not survive the export"
            )
            + f" ({c['updates_published']:,} published updates in the database)."
        )
    else:
        lines.append("CSV export of all status updates: no such URL when this ran.")
    lines.append("")
    if "pdf" in exports:
        p = exports["pdf"]
        lines.append(
            f"PDF report `{p['path']}` ({p['measures']} measures): median "
            f"{p['median_s']:.2f} s, max {p['max_s']:.2f} s over {p['runs']} runs "
            f"after the first in a fresh worker ({p['cold_s']:.2f} s, which also "
            f"loads the fonts), {p['bytes'] / 1024:.0f} KiB."
        )
    else:
        lines.append("PDF report: no such URL when this ran.")
    lines += ["", "| target (issue 7) | measured | met |", "|---|---|---|"]
    for target, measured, met in report["verdicts"]:
        mark = "not measured" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {target} | {measured} | {mark} |")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks and reliability\n"
    if MARK_START in doc and MARK_END in doc:
        head, rest = doc.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1]
        doc = head + block + tail
    else:
        section = f"## Benchmark\n\n### Last run\n\n{block}\n\n"
        if "\n## Reliability" in doc:
            head, tail = doc.split("\n## Reliability", 1)
            doc = head.rstrip("\n") + "\n\n" + section + "## Reliability" + tail
        else:
            doc = doc.rstrip("\n") + "\n\n" + section
    DOC.write_text(doc)


# --- Main ---------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE_URL)
    parser.add_argument("--seconds", type=int, default=10, help="load per page")
    parser.add_argument("--connections", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--warmup", type=int, default=5, help="requests per page")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--export-timeout", type=int, default=600)
    parser.add_argument("--pdf-runs", type=int, default=3)
    parser.add_argument("--report-date", default="2025-06-30")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="leave the doc alone")
    parser.add_argument("--json", help="also write the figures to this file")
    for key, value in NATIONAL.items():
        parser.add_argument(f"--{key}", type=int, default=value)
    args = parser.parse_args()
    args.scale = {key: getattr(args, key.replace("-", "_")) for key in NATIONAL}
    return args


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    load_before = load_average()
    for tool in ("ab", "createdb", "pg_isready", "redis-cli"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (make bench installs ab)")
    if subprocess.run(["pg_isready", "-h", HOST, "-q"], check=False).returncode:
        raise SystemExit("PostgreSQL is not running on 127.0.0.1:5432")
    redis = subprocess.run(
        ["redis-cli", "-h", HOST, "ping"], capture_output=True, text=True, check=False
    )
    if redis.stdout.strip() != "PONG":
        raise SystemExit("Redis is not running on 127.0.0.1:6379")
    env = base_environment(args)
    targets = prepare(args, env)
    routes = find_routes(targets)
    pages = [
        ("home", "/"),
        ("plan (median)", f"/planer/{targets['plan_median'][0]}/"),
        ("plan (largest)", f"/planer/{targets['plan_largest'][0]}/"),
        ("measure", f"/tiltak/{targets['measure'][0]}/"),
        ("partner (most measures)", f"/partnere/{targets['partner'][0]}/"),
        ("district (most measures)", f"/bydeler/{targets['district'][0]}/"),
        ("measure list", "/tiltak/"),
        ("measure list, filtered", "/tiltak/?phase=in_progress&category=housing"),
        ("accessibility", "/tilgjengelighet/"),
    ]
    if "api" in routes:
        pages.append((API, routes["api"]))
    pages.append(("/healthz", "/healthz"))
    uncached = run_round(
        "uncached", {**env, "RUSPLAN_PAGE_CACHE_SECONDS": "0"}, pages, args
    )
    cached = run_round("cached", env, pages, args)
    exports = run_exports(env, routes, targets, args)
    report = {
        "date": datetime.date.today().strftime("%d.%m.%Y"),  # noqa: DTZ011
        "machine": machine(env),
        "args": {
            k: getattr(args, k) for k in ("workers", "connections", "seconds", "warmup")
        },
        "scale": args.scale,
        "targets": {k: v for k, v in targets.items() if k != "routes"},
        "pages": pages,
        "routes": routes,
        "uncached": uncached,
        "cached": cached,
        "exports": exports,
    }
    report["load_before"] = load_before
    report["load_after"] = load_average()
    report["verdicts"] = verdicts(report)
    report["elapsed_min"] = (time.monotonic() - started) / 60
    text = markdown(report)
    print()
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if not args.no_write:
        write_doc(text)
        log(f"Wrote the figures to {DOC.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
