"""Child processes that never outlive the test or drill that started them."""

import contextlib
import ctypes
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Self

_PR_SET_PDEATHSIG = 1
_libc = None
with contextlib.suppress(OSError):  # not glibc/Linux: the context managers still clean up
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)  # loaded here, never in the forked child


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A `preexec_fn`: the kernel sends SIG to the child if the parent dies first (killed by a
    timeout, say), so no server outlives its run. It runs after a `user=` switch, which would
    otherwise clear the setting."""

    def preexec() -> None:
        if _libc is not None:
            _libc.prctl(_PR_SET_PDEATHSIG, sig)

    return preexec


class ServerProcess:
    """A server run as a child process on its own loopback port, which a test or drill may stop
    and start again on the same port and files. A subclass says how to run it (`_command`) and
    how to tell that it answers (`_answers`); its output goes to `server.log` in its folder."""

    what = "server"
    stop_signal = signal.SIGTERM
    kill_signal = signal.SIGKILL  # when it does not stop in time

    def __init__(self, *, port: int, folder: Path, user: str | None = None) -> None:
        self.port = port
        self._folder = folder
        self._user = user
        self._process: subprocess.Popen | None = None

    def _command(self) -> list[str]:
        raise NotImplementedError

    def _answers(self) -> bool:
        raise NotImplementedError

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 30) -> Self:
        if self.running:
            return self
        with open(self._folder / "server.log", "a") as log:
            self._process = subprocess.Popen(
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self._user,
                preexec_fn=die_with_parent(self.stop_signal),
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"{self.what} on port {self.port} exited:\n{self.log_tail()}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.what} on port {self.port} did not answer in {timeout} s")

    def stop(self, timeout: float = 30) -> None:
        """Send the stop signal and wait: nothing listens on the port once this returns."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(self.stop_signal)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(self.kill_signal)
            process.wait(timeout=timeout)

    def close(self) -> None:
        """Stop it and remove its folder."""
        self.stop()
        shutil.rmtree(self._folder, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc) -> None:
        self.close()

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = (self._folder / "server.log").read_text(errors="replace")
        except OSError:
            return ""
        return "".join(text.splitlines(keepends=True)[-lines:])
