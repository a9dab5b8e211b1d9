"""A real SMTP server on loopback for tests (aiosmtpd), collecting what it is sent.

It listens on a port the system picks (port 0), so parallel runs never collide. ``mode``
makes it misbehave on purpose: ``refuse`` answers 554 to the message (certainly not taken),
``drop`` takes the message and then hangs up before answering (taken, but the sender cannot
know).
"""

from __future__ import annotations

import email
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(("plain",))
        return part.get_content() if part is not None else ""


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.mode = "accept"
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "refuse":
            return "554 Transaction failed: refused for the test"
        message = email.message_from_bytes(envelope.content, policy=default)
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        if self.mode == "drop":
            server.transport.close()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def subjects(self) -> list[str]:
        return sorted(received.subject for received in self.messages)


class _AnyPortController(Controller):
    """aiosmtpd checks the server by connecting to self.port: learn the real one first when given 0."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    inbox: Inbox


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    inbox = Inbox()
    controller = _AnyPortController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, inbox)
    finally:
        controller.stop()
