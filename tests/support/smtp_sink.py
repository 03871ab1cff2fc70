"""A real SMTP server on loopback that keeps what it receives (aiosmtpd), for end-to-end mail."""

import asyncio
import email
import socket
import threading
import time
from email.message import Message

from aiosmtpd.controller import Controller


class _Collect:
    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        if self.delay:
            # Kept before "250" is answered, like a server that queued the message and is slow to
            # say so: a client that dies now has had its email delivered without knowing it.
            await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """Stopped and started again, it listens on the same port and keeps what it had received
    (a fault drill takes the server down for a while)."""

    def __init__(self, *, delay: float = 0.0) -> None:
        """DELAY seconds between receiving each message and accepting it (0: answer at once)."""
        self.port = free_port()
        self._handler = _Collect(delay)
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        with self._handler.lock:
            return list(self._handler.messages)

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> "SmtpSink":
        if self._controller is None:
            # A controller's event loop is closed when it stops: each start needs a new one.
            controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller
        return self

    def stop(self) -> None:
        """Close the port: clients are refused until `start`; a message mid-DATA is cut off."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.1)
        raise AssertionError(f"expected {count} emails, the sink received {len(self.messages)}")


def body_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            # A text/plain part decodes to bytes (mypy only knows the union of every payload).
            return payload.decode() if isinstance(payload, bytes) else str(payload)
    return ""
