"""A private PostgreSQL cluster on a free loopback port, which a drill may stop and start again.

The machine's PostgreSQL on 5432 is shared with other runs and other people, so it is never
stopped: a drill that restarts the database runs its own cluster (`initdb` in a temporary
folder, trust authentication for the `postgres` user, loopback only). PostgreSQL refuses to
run as root, so as root the cluster's files and processes belong to the `postgres` user.

    with postgres_server() as postgres:
        postgres.url("drills")   # postgres://postgres@127.0.0.1:<port>/drills
        postgres.stop()          # a fast shutdown, as `pg_ctl stop -m fast`
        postgres.start()         # the same port and data again
"""

import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.support.processes import ServerProcess
from tests.support.smtp_sink import free_port


def _bindir() -> Path:
    """The newest installed server's programs (Debian keeps them out of PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL's server programs (initdb) are not installed")
    return Path(initdb).parent


class PostgresServer(ServerProcess):
    what = "postgres"
    # A fast shutdown (what `pg_ctl stop -m fast` sends): open transactions are rolled back and
    # clients disconnected. A smart one (SIGTERM) would wait for the clients to leave.
    stop_signal = signal.SIGINT
    kill_signal = signal.SIGQUIT  # an immediate shutdown

    def __init__(self, port: int | None = None) -> None:
        if port == 5432:
            raise ValueError("5432 is the machine's shared PostgreSQL; a drill never stops it")
        folder = Path(tempfile.mkdtemp(prefix="drill-postgres-"))
        # initdb and postgres refuse root; a normal user runs them as themselves.
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            account = pwd.getpwnam(user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        super().__init__(port=port or free_port(), folder=folder, user=user)
        self._bin = _bindir()
        subprocess.run(
            [
                str(self._bin / "initdb"),
                f"--pgdata={folder / 'data'}",
                "--username=postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
            user=user,
            check=True,
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _command(self) -> list[str]:
        options = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self._folder),
            # A clean shutdown writes everything anyway; fsync only slows a shared machine.
            "fsync": "off",
        }
        return [
            str(self._bin / "postgres"),
            "-D",
            str(self._folder / "data"),
            *(arg for key, value in options.items() for arg in ("-c", f"{key}={value}")),
        ]

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False


def postgres_server() -> PostgresServer:
    """A private cluster for `with postgres_server() as server:`: started on entry, stopped
    and its folder removed on exit, however the run ends."""
    return PostgresServer()
