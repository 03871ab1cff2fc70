"""Smoke test of the README's first command on the embedded default (SQLite, tasks in-process).

    uv run python .ci/smoke_embedded.py

Starts `EMBEDDED=1 bin/run` on a free port with a fresh SQLite file, waits until it answers,
logs in as the demo hire through the real login form (CSRF cookie and token), opens home and
the first day, then stops bin/run with TERM and checks that none of its processes is left.
Exits non-zero, with bin/run's log, on any failure.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HIRE = ("hire@example.com", "demo-onboarding-2026")  # onboarding/demo.py
START_TIMEOUT = 600  # seconds: install, migrate and seed_demo on a busy CI machine
ITEM_LINK = re.compile(r'<a [^>]*href="(/journey/\d+/items/\d+/)"[^>]*>(.*?)</a>', re.S)


class SmokeFailure(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_processes(sid: int) -> list[int]:
    """Processes still in bin/run's session (it was started as a session leader)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, session; zombies are already gone for good.
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


class Browser:
    """Just enough of a browser: cookies, redirects, and Django's CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str, str]:
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path,
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()


def wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SmokeFailure(f"bin/run exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1)
    raise SmokeFailure(f"bin/run did not answer within {START_TIMEOUT} s")


def journey(base: str) -> list[str]:
    browser = Browser(base)
    status, _, page = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SmokeFailure(f"login page: {status}, CSRF token found: {token is not None}")
    status, landed, page = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "login": HIRE[0], "password": HIRE[1]},
    )
    if status != 200 or urllib.parse.urlparse(landed).path.startswith("/accounts/login"):
        raise SmokeFailure(f"login as the demo hire failed: {status} at {landed}")
    status, _, home = browser.get("/")
    items = ITEM_LINK.findall(home)
    first = next((link for link, text in items if "Day 01" in text), None)
    if status != 200 or first is None:
        raise SmokeFailure(f"home: {status}, {len(items)} links to days, none to Day 01")
    status, _, day = browser.get(first)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", day, re.S)
    if status != 200 or title is None or "Day 01" not in day:
        raise SmokeFailure(f"first day {first}: {status}, heading {title and title.group(1)!r}")
    return [f"home: 200, {len(items)} links to days", f"first day {first}: 200, {title.group(1)}"]


def main() -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="smoke-embedded-") as tmp:
        env = {
            **os.environ,
            "EMBEDDED": "1",
            "PORT": str(port),
            "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
            "DJANGO_SETTINGS_MODULE": "onboarding.settings.local",
        }
        log_path = Path(tmp) / "bin-run.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(  # noqa: S603 - the repo's own script
                [str(REPO / "bin" / "run")],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own session: what is left of it can be found
            )
        began = time.monotonic()
        lines: list[str] = []
        failure: Exception | None = None
        try:
            wait_until_up(base, process)
            lines.append(f"bin/run answered on port {port} after {time.monotonic() - began:.0f} s")
            lines += journey(base)
        except (SmokeFailure, urllib.error.URLError, OSError) as exc:
            failure = exc
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    failure = failure or SmokeFailure("bin/run did not stop within 30 s of TERM")
            time.sleep(0.5)
            left = session_processes(process.pid)
            if left:
                failure = failure or SmokeFailure(f"bin/run left processes behind: {left}")
                os.killpg(process.pid, signal.SIGKILL)
        if failure is not None:
            print(log_path.read_text()[-6000:], file=sys.stderr)
            print(f"embedded smoke test FAILED: {failure}", file=sys.stderr)
            return 1
    lines.append("stopped with TERM, no process left behind")
    print("embedded smoke test passed:\n  " + "\n  ".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
