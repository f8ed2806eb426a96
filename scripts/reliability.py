#!/usr/bin/env python3
# ruff: noqa: S603, S607 - an operations script: it runs the machine's own tools
"""Reliability under load and faults (`make reliability`; not part of `make test`).

Starts Rusplan under gunicorn with production settings (DJANGO_DEBUG=false) on
PostgreSQL with Redis as the cache, on loopback only, and runs three phases:

1. load:   16 concurrent clients for 60 s on the public pages and /healthz;
           the target is 0 errors.
2. redis:  the same load while Redis is stopped (`redis-cli shutdown nosave`) and
           started again with the command .ci/run uses; pages must still be
           served (the cache fails soft, rusplan/cache.py).
3. pg:     the same load plus caseworkers submitting status updates through the
           form while PostgreSQL is restarted (`pg_ctlcluster ... restart`); the
           app must recover within 5 s without a process restart (same gunicorn
           master and workers) and lose no acknowledged update.

It prints the figures and a Markdown table for docs/benchmarks.md. Every phase is
bounded in time; PostgreSQL and Redis are checked (and started if need be) before
it exits, whatever happened. Phases 2 and 3 interrupt every other user of this
machine's Redis and PostgreSQL for a few seconds: skip them with --phases load.

The clients are Python threads on plain http.client: this measures errors and
recovery, not peak throughput (the benchmark, `make bench`, does that with a real
load tool).
"""

import argparse
import contextlib
import http.client
import http.cookies
import json
import multiprocessing
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rusplan_reliability"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
HOST = "127.0.0.1"
# The command .ci/run and the machine's notes use to start Redis.
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
RECOVERY_TARGET_SECONDS = 5.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Services ------------------------------------------------------------------------


def pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[0]


def pg_ready() -> bool:
    return (
        subprocess.run(
            ["pg_isready", "-h", HOST, "-p", "5432", "-q"], check=False
        ).returncode
        == 0
    )


def redis_ready() -> bool:
    result = subprocess.run(
        ["redis-cli", "-h", HOST, "ping"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() == "PONG"


def wait_for(check, seconds: float) -> float | None:
    """Seconds until check() was true, or None if it never was."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():
            return time.monotonic() - start
        time.sleep(0.05)
    return None


def start_redis() -> None:
    os.makedirs("/var/lib/redis", exist_ok=True)
    os.makedirs("/var/log/redis", exist_ok=True)
    subprocess.run(REDIS_START, check=True, capture_output=True)


def ensure_services() -> None:
    """PostgreSQL and Redis up, as others on this machine expect them."""
    if not pg_ready():
        log("PostgreSQL is down: starting it")
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                pg_version(),
                "main",
                "start",
            ],
            check=False,
        )
        wait_for(pg_ready, 30)
    if not redis_ready():
        log("Redis is down: starting it")
        start_redis()
        wait_for(redis_ready, 10)
    if not (pg_ready() and redis_ready()):
        raise SystemExit("PostgreSQL or Redis is not running")


# --- The application ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def app_environment(args, port: int) -> dict:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "reliability-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "DJANGO_CONN_MAX_AGE": str(args.conn_max_age),
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        # Workers are never recycled during the run, so an unchanged set of worker
        # processes shows that nothing was restarted.
        "GUNICORN_MAX_REQUESTS": "0",
    }


def manage(env: dict, *arguments: str, timeout: int = 600) -> str:
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
        raise SystemExit(f"manage.py {arguments[0]} failed:\n{result.stderr}")
    return result.stdout


SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.urls import reverse
from measures.models import District, Measure, Plan
from partners.models import Membership, Partner
from partners.services import membership_create

open_phases = ("not_started", "in_progress")
plans = Plan.objects.exclude(status="draft")
measures = (
    Measure.objects.filter(plan__in=plans, current_phase__in=open_phases)
    .order_by("plan__slug", "slug")
)
users = []
chosen = []
for number, measure in enumerate(measures[:{submitters}], start=1):
    lead = measure.partner_roles.get(role="lead").partner
    user, _ = get_user_model().objects.get_or_create(
        username=f"reliability-caseworker-{{number}}"
    )
    user.set_password({password!r})
    user.save()
    if not Membership.objects.filter(user=user, partner=lead).exists():
        membership_create(user=user, partner=lead, role="caseworker")
    users.append(user.username)
    chosen.append(measure.slug)
paths = ["/", "/tilgjengelighet/", reverse("measures:measure-list"),
         reverse("measures:measure-list") + "?page=2"]
paths += [p.get_absolute_url() for p in plans]
paths += [m.get_absolute_url() for m in Measure.objects.filter(plan__in=plans)
          .order_by("slug")[:40]]
paths += [reverse("measures:partner-detail", kwargs={{"slug": p.slug}})
          for p in Partner.objects.filter(measure_roles__isnull=False).distinct()]
paths += [d.get_absolute_url() for d in District.objects.all()]
print(json.dumps({{"users": users, "measures": chosen, "paths": paths}}))
"""

COUNT_SCRIPT = """
import json
from measures.models import StatusUpdate
rows = StatusUpdate.objects.filter(summary__startswith={prefix!r})
print(json.dumps(list(rows.values_list("summary", flat=True))))
"""


def prepare(args, env: dict, password: str) -> dict:
    log("Preparing the database (migrate, load_bergen_plans) and static files")
    name = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    created = subprocess.run(
        ["createdb", "-h", HOST, "-U", "postgres", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise SystemExit(f"createdb {name} failed: {created.stderr}")
    manage(env, "migrate", "--no-input")
    manage(env, "load_bergen_plans")
    manage(env, "collectstatic", "--no-input")
    script = SETUP_SCRIPT.format(submitters=args.submitters, password=password)
    return json.loads(manage(env, "shell", "-v", "0", "-c", script).splitlines()[-1])


def stored_summaries(env: dict, prefix: str) -> list[str]:
    script = COUNT_SCRIPT.format(prefix=prefix)
    return json.loads(manage(env, "shell", "-v", "0", "-c", script).splitlines()[-1])


def gunicorn_processes(master: int) -> tuple[int, frozenset[int]]:
    children = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return master, frozenset(int(pid) for pid in children)


# --- HTTP clients -------------------------------------------------------------------


@dataclass
class Result:
    started: float
    seconds: float
    path: str
    status: int  # 0: no response at all
    cache: str = ""
    error: str = ""


@dataclass
class Recorder:
    results: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, result: Result) -> None:
        with self.lock:
            self.results.append(result)


def http_request(port, method, path, *, body=None, headers=None, timeout=30):
    """One request on a new connection (gunicorn's sync workers close each one)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        # As nginx would send them: the site is HTTPS in production.
        all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def timed_get(port: int, path: str) -> Result:
    started = time.monotonic()
    try:
        status, headers, _ = http_request(port, "GET", path)
        cache = dict(headers).get("X-Rusplan-Cache", "")
        return Result(started, time.monotonic() - started, path, status, cache)
    except (OSError, http.client.HTTPException) as error:
        return Result(
            started, time.monotonic() - started, path, 0, error=type(error).__name__
        )


def reader(port, paths, recorder, stop, seed):
    chooser = random.Random(seed)  # noqa: S311 - a load mix, not a secret
    while not stop.is_set():
        roll = chooser.random()
        if roll < 0.05:
            path = "/healthz"
        elif roll < 0.15:
            # A search nobody made before: never in the cache, always the database.
            path = f"/tiltak/?q={chooser.randrange(10**9)}"
        else:
            path = chooser.choice(paths)
        recorder.add(timed_get(port, path))


class Caseworker:
    """Logs in and submits status updates through the form, like a person would:
    a failed attempt is tried again with a freshly loaded form."""

    def __init__(self, port, username, password, measure, prefix):
        self.port = port
        self.username = username
        self.password = password
        self.measure = measure
        self.prefix = prefix
        self.cookies: dict[str, str] = {}
        self.acknowledged: list[str] = []
        self.failed_attempts: list[tuple[float, str]] = []
        self.sequence = 0

    def _headers(self, referer: str | None = None) -> dict:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if referer:
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{referer}"
        return headers

    def _keep_cookies(self, headers) -> None:
        for name, value in headers:
            if name.lower() == "set-cookie":
                cookie = http.cookies.SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value

    def _get(self, path):
        status, headers, body = http_request(
            self.port, "GET", path, headers=self._headers()
        )
        self._keep_cookies(headers)
        return status, body.decode()

    def _post(self, path, data):
        headers = self._headers(referer=path)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, body = http_request(
            self.port, "POST", path, body=urllib.parse.urlencode(data), headers=headers
        )
        self._keep_cookies(response_headers)
        return status, dict(response_headers), body

    def login(self) -> None:
        status, page = self._get("/logg-inn/")
        token = CSRF_INPUT.search(page).group(1)
        status, _, _ = self._post(
            "/logg-inn/",
            {
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token,
            },
        )
        if status != 302:
            raise SystemExit(f"{self.username} could not log in ({status})")

    def submit_once(self) -> bool:
        path = f"/tiltak/{self.measure}/oppdater/"
        summary = f"{self.prefix} {self.username} #{self.sequence}"
        try:
            status, page = self._get(path)
            if status != 200:
                raise RuntimeError(f"form {status}")
            status, _, _ = self._post(
                path,
                {
                    "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
                    "version": VERSION_INPUT.search(page).group(1),
                    "as_of": time.strftime("%d.%m.%Y"),
                    "phase": "in_progress",
                    "health": "on_track",
                    "progress": "50",
                    "summary": summary,
                    # Sending in needs a source; the same URL is the same source.
                    "new_source_url": "https://www.bergen.kommune.no/",
                    "new_source_publisher": "Bergen kommune",
                    "new_source_title": "Bergen kommune",
                    "new_source_kind": "municipal_page",
                    "submit": "Send til godkjenning",
                },
            )
            if status != 302:
                raise RuntimeError(f"submit {status}")
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            self.failed_attempts.append((time.monotonic(), str(error)))
            return False
        self.acknowledged.append(summary)
        self.sequence += 1
        return True

    def run(self, stop: threading.Event, pause: float) -> None:
        while not stop.is_set():
            self.submit_once()
            time.sleep(pause)


def health_poller(port, stop, samples):
    while not stop.is_set():
        result = timed_get(port, "/healthz")
        samples.append(result)
        time.sleep(0.1)


def run_load(port, paths, clients, seconds, *, during=None, extra_threads=()):
    """Load for `seconds`; `during(started)` runs in this thread meanwhile and may
    return figures. Returns (recorder, figures, elapsed)."""
    recorder = Recorder()
    stop = threading.Event()
    threads = [
        threading.Thread(target=reader, args=(port, paths, recorder, stop, n))
        for n in range(clients)
    ]
    for target in extra_threads:
        threads.append(threading.Thread(target=target, args=(stop,)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    figures = {}
    try:
        if during is not None:
            figures = during(started) or {}
        remaining = seconds - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return recorder, figures, time.monotonic() - started


# --- Figures ------------------------------------------------------------------------


def summarise(results: list[Result], elapsed: float) -> dict:
    ok = [r for r in results if 200 <= r.status < 400]
    errors = [r for r in results if not 200 <= r.status < 400]
    latencies = sorted(r.seconds * 1000 for r in ok) or [0.0]
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    return {
        "requests": len(results),
        "errors": len(errors),
        "requests_per_second": round(len(results) / elapsed, 1) if elapsed else 0,
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "max_ms": round(latencies[-1], 1),
        "cache_hits": sum(r.cache == "hit" for r in results),
        "error_kinds": sorted({f"{r.status or r.error}" for r in errors}),
    }


def window(results, start, end):
    return [r for r in results if start <= r.started < end]


# --- Phases -------------------------------------------------------------------------


def phase_load(port, paths, args) -> dict:
    log(f"Phase load: {args.clients} clients for {args.seconds} s")
    recorder, _, elapsed = run_load(port, paths, args.clients, args.seconds)
    figures = summarise(recorder.results, elapsed)
    figures["healthz"] = summarise(
        [r for r in recorder.results if r.path == "/healthz"], elapsed
    )
    log(f"  {json.dumps(figures)}")
    return figures


def phase_redis(port, paths, args) -> dict:
    down_for = 5.0
    log(f"Phase redis: {args.clients} clients, Redis stopped for {down_for:.0f} s")
    samples: list[Result] = []

    def during(started):
        time.sleep(5)
        stopped_at = time.monotonic()
        subprocess.run(
            ["redis-cli", "-h", HOST, "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        time.sleep(down_for)
        start_redis()
        wait_for(redis_ready, 10)
        back_at = time.monotonic()
        log(f"  Redis back after {back_at - stopped_at:.1f} s")
        return {"stopped_at": stopped_at, "back_at": back_at}

    recorder, marks, elapsed = run_load(
        port,
        paths,
        args.clients,
        25,
        during=during,
        extra_threads=[lambda stop: health_poller(port, stop, samples)],
    )
    results = [r for r in recorder.results if r.path != "/healthz"]
    stopped, back = marks["stopped_at"], marks["back_at"]
    first = min(r.started for r in results)
    end = max(r.started for r in results)
    first_hit_after = min(
        (r.started - back for r in results if r.started >= back and r.cache == "hit"),
        default=None,
    )
    figures = {
        "before": summarise(window(results, 0, stopped), stopped - first),
        "redis_down": summarise(window(results, stopped, back), back - stopped),
        "after": summarise(window(results, back, end + 1), end - back),
        "healthz_503_while_down": sum(
            1 for s in window(samples, stopped, back) if s.status == 503
        ),
        "healthz_samples_while_down": len(window(samples, stopped, back)),
        "healthz_ok_after": all(
            s.status == 200 for s in window(samples, back + 1, end)
        ),
        "first_cache_hit_after_s": round(first_hit_after, 2)
        if first_hit_after is not None
        else None,
        "elapsed_s": round(elapsed, 1),
    }
    log(f"  {json.dumps(figures)}")
    return figures


def phase_pg(port, paths, args, env, setup, password, master) -> dict:
    log(
        f"Phase pg: {args.clients} clients and {len(setup['users'])} caseworkers; "
        "PostgreSQL restarted"
    )
    prefix = f"Pålitelighetstest {secrets.token_hex(4)}"
    caseworkers = [
        Caseworker(port, user, password, measure, prefix)
        for user, measure in zip(setup["users"], setup["measures"], strict=True)
    ]
    for caseworker in caseworkers:
        caseworker.login()
    before = gunicorn_processes(master)
    samples: list[Result] = []

    def during(started):
        time.sleep(8)
        restart_at = time.monotonic()
        subprocess.run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                pg_version(),
                "main",
                "restart",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        wait_for(pg_ready, 30)
        ready_at = time.monotonic()
        log(
            f"  PostgreSQL accepting connections {ready_at - restart_at:.1f} s after "
            "the restart began"
        )
        return {"restart_at": restart_at, "ready_at": ready_at}

    extra = [lambda stop: health_poller(port, stop, samples)]
    extra += [lambda stop, c=c: c.run(stop, 0.05) for c in caseworkers]
    recorder, marks, elapsed = run_load(
        port, paths, args.clients, 30, during=during, extra_threads=extra
    )
    restart, ready = marks["restart_at"], marks["ready_at"]
    after = gunicorn_processes(master)
    failures = [r for r in recorder.results if not 200 <= r.status < 400]
    failure_times = [r.started for r in failures]
    failure_times += [t for c in caseworkers for t, _ in c.failed_attempts]
    last_failure = max(failure_times, default=None)
    first_healthy = min(
        (s.started for s in samples if s.started >= ready and s.status == 200),
        default=None,
    )
    recovery = None if last_failure is None else max(0.0, last_failure - ready)
    acknowledged = [s for c in caseworkers for s in c.acknowledged]
    stored = stored_summaries(env, prefix)
    figures = {
        "requests": summarise(recorder.results, elapsed),
        "pg_restart_s": round(ready - restart, 2),
        "failed_requests": len(failures),
        "failures_from_restart_s": round(min(failure_times) - restart, 2)
        if failure_times
        else None,
        "last_failure_after_pg_ready_s": round(recovery, 2)
        if recovery is not None
        else None,
        "healthz_ok_after_pg_ready_s": round(first_healthy - ready, 2)
        if first_healthy
        else None,
        "recovered_within_target": recovery is None
        or recovery <= RECOVERY_TARGET_SECONDS,
        "same_processes": before == after,
        "updates_acknowledged": len(acknowledged),
        "updates_stored": len(stored),
        "updates_lost": len(set(acknowledged) - set(stored)),
        "updates_duplicated": len(stored) - len(set(stored)),
        "update_attempts_failed": sum(len(c.failed_attempts) for c in caseworkers),
        "elapsed_s": round(elapsed, 1),
    }
    log(f"  {json.dumps(figures)}")
    return figures


# --- Main ---------------------------------------------------------------------------


def machine() -> dict:
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

    def version(*command):
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        return (result.stdout or result.stderr).strip().splitlines()[0]

    return {
        "cpu": cpu,
        "cores": multiprocessing.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": version("psql", "--version"),
        "redis": version("redis-server", "--version"),
        "gunicorn": version(GUNICORN, "--version"),
    }


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run on {report['date']}: {m['cores']} cores ({m['cpu']}), {m['memory']}, "
        f"{m['os']}; Python {m['python']}, {m['postgresql']}, {m['redis']}, "
        f"{m['gunicorn']}; {report['workers']} sync workers, "
        f"CONN_MAX_AGE={report['conn_max_age']}, {report['clients']} clients.",
        "",
    ]
    if "load" in report:
        f = report["load"]
        lines += [
            f"**Load** ({report['seconds']} s): {f['requests']} requests, "
            f"**{f['errors']} errors**, {f['requests_per_second']} requests/s, "
            f"p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms, max {f['max_ms']} ms; "
            f"{f['cache_hits']} served from the page cache.",
            "",
        ]
    if "redis" in report:
        f = report["redis"]
        lines += [
            "**Redis stopped during load** "
            "(`redis-cli shutdown nosave`, restarted after 5 s):",
            "",
            "| window | requests | errors | requests/s | p50 ms | p95 ms "
            "| cache hits |",
            "|---|---|---|---|---|---|---|",
        ]
        for name in ("before", "redis_down", "after"):
            w = f[name]
            lines.append(
                f"| {name.replace('_', ' ')} | {w['requests']} | {w['errors']} | "
                f"{w['requests_per_second']} | {w['p50_ms']} | {w['p95_ms']} | "
                f"{w['cache_hits']} |"
            )
        lines += [
            "",
            f"/healthz answered 503 to {f['healthz_503_while_down']} of "
            f"{f['healthz_samples_while_down']} probes while Redis was down, and 200 "
            f"afterwards: {f['healthz_ok_after']}. First page served from the cache "
            f"again {f['first_cache_hit_after_s']} s after Redis was back.",
            "",
        ]
    if "pg" in report:
        f = report["pg"]
        r = f["requests"]
        lines += [
            "**PostgreSQL restarted during load** (`pg_ctlcluster ... restart`, "
            "caseworkers submitting through the form meanwhile):",
            "",
            f"- restart took {f['pg_restart_s']} s until PostgreSQL accepted "
            "connections again;",
            f"- {r['requests']} requests, {f['failed_requests']} failed "
            f"({', '.join(r['error_kinds']) or 'none'}); last failure "
            f"{f['last_failure_after_pg_ready_s']} s after PostgreSQL was ready "
            f"(target ≤ {RECOVERY_TARGET_SECONDS:.0f} s: "
            f"{'met' if f['recovered_within_target'] else 'missed'}); /healthz 200 "
            f"{f['healthz_ok_after_pg_ready_s']} s after PostgreSQL was ready;",
            f"- same gunicorn master and workers before and after: "
            f"{f['same_processes']};",
            f"- updates acknowledged {f['updates_acknowledged']}, stored "
            f"{f['updates_stored']}, lost {f['updates_lost']}, duplicated "
            f"{f['updates_duplicated']} ({f['update_attempts_failed']} attempts "
            "failed during the restart and were tried again).",
            "",
        ]
    return "\n".join(lines)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default="load,redis,pg")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2 * os.cpu_count() + 1)
    parser.add_argument("--submitters", type=int, default=2)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cache-url", default=DEFAULT_CACHE_URL)
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    for tool in ("pg_isready", "redis-cli", "redis-server", "psql", "createdb"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed")
    ensure_services()
    if not args.port:
        args.port = free_port()
    password = secrets.token_urlsafe(24)
    env = app_environment(args, args.port)
    setup = prepare(args, env, password)
    report = {
        "date": time.strftime("%d.%m.%Y"),
        "machine": machine(),
        "workers": args.workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "conn_max_age": args.conn_max_age,
    }
    output = open(BASE_DIR / "var" / "reliability-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [GUNICORN, "-c", "gunicorn.conf.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        if wait_for(lambda: timed_get(args.port, "/healthz").status == 200, 60) is None:
            raise SystemExit("gunicorn did not answer /healthz within 60 s")
        server_header = dict(http_request(args.port, "GET", "/healthz")[1])
        if server.poll() is not None or server_header.get("Server") != "gunicorn":
            # Something else answered on the port: never measure another server.
            raise SystemExit(f"port {args.port} is not our gunicorn's")
        log(
            f"gunicorn up (pid {server.pid}, {args.workers} workers) on port "
            f"{args.port}; {len(setup['paths'])} public paths"
        )
        for path in setup["paths"]:  # warm the page cache
            timed_get(args.port, path)
        if "load" in phases:
            report["load"] = phase_load(args.port, setup["paths"], args)
        if "redis" in phases:
            report["redis"] = phase_redis(args.port, setup["paths"], args)
        if "pg" in phases:
            report["pg"] = phase_pg(
                args.port, setup["paths"], args, env, setup, password, server.pid
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        output.close()
        ensure_services()
        log("PostgreSQL and Redis are running")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print()
    print(markdown(report))
    failed = (
        report.get("load", {}).get("errors", 0) > 0
        or report.get("redis", {}).get("redis_down", {}).get("errors", 0) > 0
        or not report.get("pg", {}).get("recovered_within_target", True)
        or report.get("pg", {}).get("updates_lost", 0) > 0
        or not report.get("pg", {}).get("same_processes", True)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
