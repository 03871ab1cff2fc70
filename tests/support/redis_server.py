"""A private `redis-server` on a free loopback port, which a test may stop and start again.

Fault tests stop Redis; the machine's Redis on 6379 is shared with other runs and other people,
so it is never touched. This server keeps nothing on disk (`--save "" --appendonly no`), so a
restart comes back empty, as a Redis that lost its memory would.

    with redis_server() as redis:
        redis.url        # redis://127.0.0.1:<port>/0
        redis.stop()     # terminate and wait: connections are refused from here on
        redis.start()    # the same port again
"""

import atexit
import shutil
import socket
import tempfile
from pathlib import Path

from tests.support.processes import ServerProcess
from tests.support.smtp_sink import free_port


class RedisServer(ServerProcess):
    what = "redis-server"

    def __init__(self, port: int | None = None) -> None:
        if port == 6379:
            raise ValueError("6379 is the machine's shared Redis; a test never runs its own there")
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.executable = executable
        super().__init__(
            port=port or free_port(), folder=Path(tempfile.mkdtemp(prefix="test-redis-"))
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _command(self) -> list[str]:
        options = {
            "port": str(self.port),
            "bind": "127.0.0.1",
            "save": "",  # no snapshots
            "appendonly": "no",
            "dir": str(self._folder),
            "daemonize": "no",
            "loglevel": "warning",
        }
        return [
            self.executable,
            *(arg for key, value in options.items() for arg in (f"--{key}", value)),
        ]

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def redis_server() -> RedisServer:
    """A private Redis for `with redis_server() as server:`: started on entry, stopped and its
    folder removed on exit, however the test ends."""
    return RedisServer()


_worker_redis: RedisServer | None = None


def worker_redis_url() -> str:
    """This test process's own Redis (one per pytest-xdist worker), started on first use and
    stopped when the process exits (or with it, if it is killed: see `die_with_parent`)."""
    global _worker_redis
    if _worker_redis is None:
        _worker_redis = RedisServer().start()
        atexit.register(_worker_redis.close)
    return _worker_redis.url
