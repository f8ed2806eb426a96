# ruff: noqa: S603, S607 - an operations module: it runs the machine's own tools
"""The harness that scripts/bench.py and scripts/reliability.py run Rusplan in.

What both need to run the site as in production and to put load on it, and none of
what either measures or reports:

- services: PostgreSQL and Redis on 127.0.0.1, checked, or started as .ci/run starts
  them; `pg_ctlcluster` to start or restart PostgreSQL;
- the database: created if missing, migrated, the Bergen plans loaded, static files
  collected; `manage.py` commands and `manage.py shell` scripts (which answer JSON);
- the environment of production settings (DJANGO_DEBUG=false, a throwaway secret
  key, loopback only);
- `Server`: gunicorn with gunicorn.conf.py on a loopback port, waited for until it
  answers /healthz, stopped on leaving, with its worker processes;
- HTTP: one request as nginx would forward it; load from Python threads (figures
  per request) and from ab (ApacheBench, figures parsed from its output);
- the machine a run was made on, and the generated block of a docs page, which
  scripts/export_memory.py writes with it too.

The scripts are run as files (`python scripts/bench.py`), so Python finds this module
beside them.
"""

import contextlib
import http.client
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
# As nginx would send them: the site is HTTPS in production.
FORWARDED = {"Host": HOST, "X-Forwarded-Proto": "https"}
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


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Services ------------------------------------------------------------------------


def require_tools(*tools: str, hint: str = "") -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed{hint}")


def pg_ctlcluster(action: str, **run) -> subprocess.CompletedProcess:
    """`pg_ctlcluster` on cluster main of the first PostgreSQL version installed."""
    version = sorted(os.listdir("/etc/postgresql"))[0]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action]
    run.setdefault("check", False)
    return subprocess.run(command, **run)


def pg_ready() -> bool:
    command = ["pg_isready", "-h", HOST, "-p", "5432", "-q"]
    return subprocess.run(command, check=False).returncode == 0


def redis_ready() -> bool:
    result = subprocess.run(
        ["redis-cli", "-h", HOST, "ping"], capture_output=True, text=True, check=False
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
        pg_ctlcluster("start")
        wait_for(pg_ready, 30)
    if not redis_ready():
        log("Redis is down: starting it")
        start_redis()
        wait_for(redis_ready, 10)
    if not (pg_ready() and redis_ready()):
        raise SystemExit("PostgreSQL or Redis is not running")


# --- The database and the environment ----------------------------------------------


def environment(
    database_url: str, cache_url: str, *, name: str, conn_max_age: int = 60
) -> dict:
    """Production settings for manage.py and gunicorn, on loopback only."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": f"{name}-" + secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "DJANGO_CONN_MAX_AGE": str(conn_max_age),
        "DJANGO_LOG_LEVEL": "WARNING",
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


def shell(env: dict, script: str):
    """Run a script in `manage.py shell`; its last line of output, read as JSON."""
    out = manage(env, "shell", "-v", "0", "-c", script)
    return json.loads(out.strip().splitlines()[-1])


def create_database(database_url: str) -> str:
    """The database of the URL, created if missing; returns its name."""
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    created = subprocess.run(
        ["createdb", "-h", HOST, "-U", "postgres", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise SystemExit(f"createdb {name} failed: {created.stderr}")
    return name


def load_plans(env: dict) -> None:
    manage(env, "migrate", "--no-input")
    manage(env, "load_bergen_plans")


def collectstatic(env: dict) -> None:
    manage(env, "collectstatic", "--no-input", "-v", "0")


# --- gunicorn ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the repository's gunicorn.conf.py on a loopback port (a free one
    unless given); entering waits until it answers /healthz, leaving stops it."""

    def __init__(
        self,
        env: dict,
        *,
        workers: int,
        log_name: str,
        port: int = 0,
        timeout: int = 30,
        log_level: str | None = None,
    ):
        self.port = port or free_port()
        self.env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_TIMEOUT": str(timeout),
            # No worker is replaced during a run: no measurement pays for a new one,
            # and an unchanged set of worker processes shows that nothing restarted.
            "GUNICORN_MAX_REQUESTS": "0",
        }
        if log_level:
            self.env["GUNICORN_LOG_LEVEL"] = log_level
        self.log_path = BASE_DIR / "var" / f"{log_name}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        (BASE_DIR / "var").mkdir(exist_ok=True)
        self._log = open(self.log_path, "w")
        # gunicorn.conf.py logs every request (JSON lines, as in production) to
        # stdout: kept in var/ to look into a figure afterwards.
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "gunicorn.conf.py"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=self._log,
        )
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log_path}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, headers, _ = get(self.port, "/healthz")
                # Something else may answer on the port: never measure another server.
                if status == 200 and headers.get("Server", "").startswith("gunicorn"):
                    return
            time.sleep(0.2)
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


# The shared cache of docs/deploy.md, as Debian's nginx runs it: the same two files.
NGINX_DOCS = BASE_DIR / "docs" / "nginx"
NGINX_CACHE_DIR = "/var/cache/nginx/rusplan"


class Nginx:
    """Debian's nginx on a loopback port in front of a gunicorn, with the cache
    configuration of docs/nginx/ (its cache directory moved to a temporary one),
    as behind TLS (X-Forwarded-Proto: https). Entering waits until it answers
    /healthz, leaving stops it and removes its directory."""

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.directory = Path(tempfile.mkdtemp(prefix="rusplan-nginx-"))

    def _config(self) -> Path:
        http = (NGINX_DOCS / "rusplan-cache-http.conf").read_text()
        if NGINX_CACHE_DIR not in http:
            raise SystemExit(f"{NGINX_CACHE_DIR} is no longer in the nginx config")
        http = http.replace(NGINX_CACHE_DIR, str(self.directory / "cache"))
        (self.directory / "cache-http.conf").write_text(http)
        kinds = ("cache", "client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        for kind in kinds:
            (self.directory / kind).mkdir()
        self.directory.chmod(0o755)
        if os.geteuid() == 0:
            # nginx started as root runs its workers as nobody: they write the
            # cache and the temporary files.
            for kind in kinds:
                shutil.chown(self.directory / kind, "nobody", "nogroup")
        temp = "\n".join(
            f"    {kind}_temp_path {self.directory / kind};" for kind in kinds[1:]
        )
        config = self.directory / "nginx.conf"
        config.write_text(
            f"""worker_processes auto;
pid {self.directory / "nginx.pid"};
error_log {self.directory / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp}
    include {self.directory / "cache-http.conf"};
    upstream rusplan {{
        server {HOST}:{self.upstream_port};
        keepalive 16;
    }}
    server {{
        listen {HOST}:{self.port};
        location / {{
            proxy_pass http://rusplan;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_redirect off;
            include {NGINX_DOCS / "rusplan-cache-location.conf"};
        }}
    }}
}}
"""
        )
        return config

    def __enter__(self) -> "Nginx":
        config = self._config()
        checked = subprocess.run(
            ["nginx", "-t", "-q", "-c", str(config), "-p", str(self.directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        if checked.returncode != 0:
            raise SystemExit(f"nginx -t failed:\n{checked.stderr}")
        self.process = subprocess.Popen(
            [
                "nginx",
                "-c",
                str(config),
                "-p",
                str(self.directory),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise SystemExit("nginx exited at start")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, headers, _ = get(self.port, "/healthz")
                if status == 200 and headers.get("Server", "").startswith("nginx"):
                    return self
            time.sleep(0.1)
        self.stop()
        raise SystemExit("nginx did not answer /healthz in 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.stop()


def vm_kib(pid: int, field: str) -> int:
    """A process's memory figure from /proc (VmHWM: its peak resident memory)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


# --- HTTP ----------------------------------------------------------------------------


def request(port, method, path, *, body=None, headers=None, timeout=30):
    """One request on a new connection (gunicorn's sync workers close each one):
    status, the list of headers (Set-Cookie may come more than once) and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        all_headers = {**FORWARDED, **(headers or {})}
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def get(port: int, path: str, timeout: float = 60):
    """A GET: status, the headers as a dict and the body."""
    status, headers, body = request(port, "GET", path, timeout=timeout)
    return status, dict(headers), body


def measure_download(port: int, path: str, timeout: float) -> dict:
    """A GET streamed to the end: status, type, seconds, seconds to the first
    byte, bytes and lines."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("GET", path, headers=FORWARDED)
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


# --- Load from Python threads ------------------------------------------------------


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


def timed_get(port: int, path: str) -> Result:
    started = time.monotonic()
    try:
        status, headers, _ = request(port, "GET", path)
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


def run_load(port, paths, clients, seconds, *, during=None, extra_threads=()):
    """`clients` readers for `seconds`; `during(started)` runs in this thread
    meanwhile and may return figures. Returns (recorder, figures, elapsed)."""
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


# --- Load from ab --------------------------------------------------------------------


def ab(port: int, path: str, *, seconds: int, connections: int) -> dict:
    """One page under load from ApacheBench: `connections` concurrent clients for
    `seconds`. Percentiles come from its per-request log (-g; whole milliseconds):
    its own percentile CSV (-e) is off by one and reads zeros near the top."""
    with tempfile.NamedTemporaryFile("r", suffix=".tsv") as per_request:
        result = subprocess.run(
            [
                "ab",
                "-q",
                "-t",
                str(seconds),
                "-n",
                "10000000",
                "-c",
                str(connections),
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
            timeout=seconds + 90,
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


# --- The machine and the docs --------------------------------------------------------


def first_line(*command, **run) -> str:
    """The first line a command prints (its version, say), or "?"."""
    result = subprocess.run(command, capture_output=True, text=True, check=False, **run)
    return ((result.stdout or result.stderr).strip().splitlines() or ["?"])[0]


def machine(*, python: str, postgresql: str, **more: str) -> dict:
    """The machine a run was made on, with the versions of what served it."""
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
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": python,
        "postgresql": postgresql,
        "redis": first_line("redis-server", "--version"),
        "gunicorn": first_line(GUNICORN, "--version"),
        **more,
    }


def load_average() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/loadavg").read_text().split()[0]
    return "?"


def replace_block(doc: str, start: str, end: str, body: str) -> str | None:
    """The text of a docs page with the generated block between the markers `start`
    and `end` (which stay) replaced by `body`; None when the page has no such block."""
    head, found, rest = doc.partition(start)
    if not found or end not in rest:
        return None
    return f"{head}{start}\n{body}\n{end}{rest.split(end, 1)[1]}"
