#!/usr/bin/env python
"""Fuzz the JSON API against its own OpenAPI schema with schemathesis, as each role (issue #10).

What it does, in order, and exits non-zero when any step fails or schemathesis finds anything:

1. drops and re-creates the database named by FUZZ_DATABASE_URL (default ganbu_fuzz: never the
   test or CI database — the fuzzer writes hundreds of rows), migrates it and loads the demo data;
2. starts the server (gunicorn, DEBUG off, so errors answer as in production) on FUZZ_PORT and
   waits for `/api/schema/`;
3. signs in each demo user once with the right password (the sign-in limit counts failures only)
   and runs schemathesis per role — and once without a token, for the public endpoints and the
   401s — with the checks below and a bounded number of examples per operation, FUZZ_LANES runs
   side by side;
4. the token endpoint is left out of those runs (random passwords would lock the demo accounts
   and the address, API.md 429) and gets its own tiny run at the very end, after every token
   is in hand;
5. stops the server.

Environment: FUZZ_DATABASE_URL, FUZZ_REDIS_URL (a Redis database of its own; flushed first, so
earlier runs' rate-limit counters do not leak in), FUZZ_PORT (8102), FUZZ_EXAMPLES (examples per
operation and role, 2; each run adds its own boundary and negative cases), FUZZ_SEED (1; fixed, so
a failure in CI replays on a laptop), FUZZ_REPORT_DIR (artifacts/fuzz), FUZZ_LANES (2).
Wall time: 259 s on the shared 2-core machine at load 8 (setup 114 s of it), well under on an idle one.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

DATABASE_URL = os.environ.get("FUZZ_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ganbu_fuzz")
REDIS_URL = os.environ.get("FUZZ_REDIS_URL", "")
PORT = int(os.environ.get("FUZZ_PORT", "8102"))
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "2")
SEED = os.environ.get("FUZZ_SEED", "1")
LANES = int(os.environ.get("FUZZ_LANES", "2"))  # schemathesis runs side by side (the server has LANES + 1 workers)
REPORT_DIR = Path(os.environ.get("FUZZ_REPORT_DIR", ROOT / "artifacts" / "fuzz"))
BASE = f"http://127.0.0.1:{PORT}"

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
# The demo users of cadre/management/commands/load_demo.py, one per role.
PASSWORD = "demo-12345"
ROLES = {
    "org_staff": "staff1",
    "inspector": "inspector1",
    "committee_member": "member1",
    "supervisor": "supervisor1",
    "admin": "admin",
}
TOKEN_PATH = "/api/v1/auth/token/"


def log(message: str) -> None:
    print(f"[fuzz] {message}", flush=True)


def env() -> dict:
    values = dict(os.environ, DATABASE_URL=DATABASE_URL, DJANGO_DEBUG="0", PYTHONUNBUFFERED="1")
    values.pop("DJANGO_ENV", None)
    if REDIS_URL:
        values["REDIS_URL"] = REDIS_URL
    else:
        values.pop("REDIS_URL", None)
    return values


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env(), check=True)


def recreate_database() -> None:
    """DROP and CREATE through the server's `postgres` database, with psycopg (a dependency)."""
    import psycopg

    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    if not name or name in ("postgres", "ganbu_ci") or name.startswith("test_"):
        sys.exit(f"[fuzz] refusing to drop the database {name!r}: FUZZ_DATABASE_URL must name a database of its own")
    admin_url = urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis() -> None:
    if REDIS_URL:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def start_server() -> subprocess.Popen:
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    out = open(REPORT_DIR / "server.log", "w")  # noqa: SIM115 — the server's whole lifetime
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}", "--workers", str(LANES + 1)]
        + ["--timeout", "120", "--access-logfile", "-"],
        cwd=ROOT,
        env=env(),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"[fuzz] the server exited ({server.returncode}); see {REPORT_DIR / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{BASE}/api/schema/?format=json", timeout=5) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(1)
    stop_server(server)
    sys.exit("[fuzz] the server did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def token(username: str) -> str:
    request = urllib.request.Request(
        f"{BASE}{TOKEN_PATH}",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def schemathesis(name: str, *args: str) -> bool:
    """One schemathesis run; its JUnit report and output go to REPORT_DIR/<name>.*."""
    command = [
        SCHEMATHESIS,
        "run",
        f"{BASE}/api/schema/?format=json",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--phases",
        "examples,fuzzing",
        "--request-timeout",
        "60",
        "--report",
        "junit",
        "--report-junit-path",
        str(REPORT_DIR / f"{name}.xml"),
        "--no-color",
        *args,
    ]
    started = time.monotonic()
    # Its example database (.hypothesis/) and cache stay in the report directory, out of the tree.
    with open(REPORT_DIR / f"{name}.txt", "w") as out:
        result = subprocess.run(command, cwd=REPORT_DIR, stdout=out, stderr=subprocess.STDOUT, check=False)
    summary = (REPORT_DIR / f"{name}.txt").read_text().strip().splitlines()[-1:]
    log(f"{name}: exit {result.returncode} in {time.monotonic() - started:.0f} s — {' '.join(summary)}")
    if result.returncode != 0:
        print((REPORT_DIR / f"{name}.txt").read_text()[-20000:], flush=True)
    return result.returncode == 0


def run_lanes(runs: list[tuple]) -> bool:
    """The runs, LANES at a time: each role's run is independent of the others'."""
    with ThreadPoolExecutor(max_workers=LANES) as pool:
        return all(list(pool.map(lambda run: schemathesis(*run), runs)))


def main() -> int:
    started = time.monotonic()
    log(f"database {urlsplit(DATABASE_URL).path.lstrip('/')}: re-create, migrate, load the demo data")
    recreate_database()
    flush_redis()
    manage("migrate", "--noinput", "-v0")
    manage("load_demo")
    server = start_server()
    log(f"server up on port {PORT} after {time.monotonic() - started:.0f} s")
    ok = True
    try:
        tokens = {role: token(username) for role, username in ROLES.items()}
        no_token = ("--exclude-path", TOKEN_PATH)
        runs = [(role, "--header", f"Authorization: Token {key}", *no_token) for role, key in tokens.items()]
        ok &= run_lanes([*runs, ("anonymous", *no_token)])
        # Last, when no token is needed any more: a few sign-ins with generated credentials.
        ok &= schemathesis("token", "--include-operation-id", "v1_auth_token_create", "--max-examples", "3")
    finally:
        stop_server(server)
    log(f"{'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s; reports in {REPORT_DIR}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
