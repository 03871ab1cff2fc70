"""A private `redis-server` on a free loopback port, which a test may stop and start again.

Fault tests stop Redis; the machine's Redis on 6379 is shared with other runs and other people,
so it is never touched. This server keeps nothing on disk (`--save "" --appendonly no`), so a
restart comes back empty, as a Redis that lost its memory would.

    with redis_server() as redis:
        redis.url        # redis://127.0.0.1:<port>/0
        redis.stop()     # terminate and wait: connections are refused from here on
        redis.start()    # the same port again
"""

import contextlib
import ctypes
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.support.smtp_sink import free_port

_PR_SET_PDEATHSIG = 1
_libc = None
with contextlib.suppress(OSError):  # not glibc/Linux: the context manager still cleans up
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here, never in the forked child


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends SIGTERM to redis-server if the test process
    dies first (killed by a timeout, say), so no server outlives its run."""
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class RedisServer:
    def __init__(self, port: int | None = None) -> None:
        if port == 6379:
            raise ValueError("6379 is the machine's shared Redis; a test never runs its own there")
        self.executable = shutil.which("redis-server")
        if self.executable is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.port = port or free_port()
        self._dir = tempfile.mkdtemp(prefix="test-redis-")
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10) -> "RedisServer":
        if self.running:
            return self
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "save": "",  # no snapshots
            "appendonly": "no",
            "dir": self._dir,
            "daemonize": "no",
            "loglevel": "warning",
        }
        self._process = subprocess.Popen(
            [
                self.executable,
                *(arg for key, value in options.items() for arg in (f"--{key}", value)),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                output = self._process.stdout.read() if self._process.stdout else ""
                self._process = None
                raise RuntimeError(f"redis-server on port {self.port} exited:\n{output}")
            if self._ping():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer PING in {timeout} s")

    def stop(self, timeout: float = 10) -> None:
        """Terminate the server and wait for it: nothing listens on the port afterwards."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=timeout)
        if process.stdout:
            process.stdout.close()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A started private Redis, stopped and its directory removed on exit, however the test ends."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.close()
