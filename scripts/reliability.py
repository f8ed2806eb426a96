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
load tool). What it runs in (services, the database, gunicorn, the clients' load) is
scripts/harness.py, shared with scripts/bench.py.
"""

import argparse
import http.client
import http.cookies
import json
import os
import platform
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from harness import (
    HOST,
    Result,
    Server,
    collectstatic,
    create_database,
    ensure_services,
    environment,
    first_line,
    load_plans,
    log,
    machine,
    pg_ctlcluster,
    pg_ready,
    redis_ready,
    request,
    require_tools,
    run_load,
    shell,
    start_redis,
    summarise,
    timed_get,
    wait_for,
    window,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/rusplan_reliability"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/14"
RECOVERY_TARGET_SECONDS = 5.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')

# --- The application ----------------------------------------------------------------


SETUP_SCRIPT = """
import json
from django.contrib.auth import get_user_model
from django.urls import reverse
from measures.models import District, Measure, Plan
from partners.models import Membership, Partner
from partners.actors import SystemActor
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
        membership_create(
            actor=SystemActor("reliability"), user=user, partner=lead, role="caseworker"
        )
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
    create_database(args.database_url)
    load_plans(env)
    collectstatic(env)
    return shell(
        env, SETUP_SCRIPT.format(submitters=args.submitters, password=password)
    )


def stored_summaries(env: dict, prefix: str) -> list[str]:
    return shell(env, COUNT_SCRIPT.format(prefix=prefix))


def gunicorn_processes(server: Server) -> tuple[int, frozenset[int]]:
    return server.process.pid, frozenset(server.workers())


# --- HTTP clients -------------------------------------------------------------------


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
        status, headers, body = request(self.port, "GET", path, headers=self._headers())
        self._keep_cookies(headers)
        return status, body.decode()

    def _post(self, path, data):
        headers = self._headers(referer=path)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, body = request(
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


def phase_pg(port, paths, args, env, setup, password, server) -> dict:
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
    before = gunicorn_processes(server)
    samples: list[Result] = []

    def during(started):
        time.sleep(8)
        restart_at = time.monotonic()
        pg_ctlcluster("restart", check=True, capture_output=True, timeout=120)
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
    after = gunicorn_processes(server)
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
    require_tools("pg_isready", "redis-cli", "redis-server", "psql", "createdb")
    ensure_services()
    password = secrets.token_urlsafe(24)
    env = environment(
        args.database_url,
        args.cache_url,
        name="reliability",
        conn_max_age=args.conn_max_age,
    )
    # The caseworkers log in with a password only: this measures concurrent writes,
    # and has no authenticator app to read a second factor from (decision 53).
    env["RUSPLAN_REQUIRE_OTP"] = "false"
    setup = prepare(args, env, password)
    report = {
        "date": time.strftime("%d.%m.%Y"),
        "machine": machine(
            python=platform.python_version(),
            postgresql=first_line("psql", "--version"),
        ),
        "workers": args.workers,
        "clients": args.clients,
        "seconds": args.seconds,
        "conn_max_age": args.conn_max_age,
    }
    server = Server(
        env, workers=args.workers, log_name="reliability-gunicorn", port=args.port
    )
    port, paths = server.port, setup["paths"]
    try:
        with server:
            log(
                f"gunicorn up (pid {server.process.pid}, {args.workers} workers) on "
                f"port {port}; {len(paths)} public paths"
            )
            for path in paths:  # warm the page cache
                timed_get(port, path)
            if "load" in phases:
                report["load"] = phase_load(port, paths, args)
            if "redis" in phases:
                report["redis"] = phase_redis(port, paths, args)
            if "pg" in phases:
                report["pg"] = phase_pg(port, paths, args, env, setup, password, server)
    finally:
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
