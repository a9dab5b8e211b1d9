"""Email over SMTP from configuration, or printed to the console in local runs without SMTP_HOST.

A send succeeds, or raises:

- ``MailNotSent`` when the message certainly did not go: the server could not be reached
  (``MailServerUnavailable``) or answered that it would not take it;
- ``MailOutcomeUnknown`` when the connection failed while the message was being handed over,
  so the server may have accepted it. A caller that must never send twice treats this as
  "maybe sent" and does not try again.

Only the standard library: smtplib and email.message.EmailMessage.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from types import TracebackType
from typing import Any, Protocol, TextIO

from registry.dates import utcnow

TIMEOUT_SECONDS = 30


class MailError(Exception):
    pass


class MailNotConfigured(MailError):
    pass


class MailNotSent(MailError):
    """The message certainly did not go."""


class MailServerUnavailable(MailNotSent):
    """Connecting, TLS or signing in failed: no other message will go either."""


class MailOutcomeUnknown(MailError):
    """The connection broke while the message was handed over: it may have been accepted."""


def compose(*, sender: str, to: list[str], subject: str, body: str) -> EmailMessage:
    """A plain-text message. Headers are single lines; the body is UTF-8, quoted-printable."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies are not sent back
    message.set_content(body, cte="quoted-printable")
    return message


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> dict[str, Any]: ...
    def close(self) -> None: ...


class _Closing:
    def __enter__(self) -> Any:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        pass


@dataclass
class SmtpMailer(_Closing):
    """One connection for many messages, opened on the first send and checked before each later one."""

    host: str
    port: int
    starttls: bool = True
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = TIMEOUT_SECONDS

    def __post_init__(self) -> None:
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.starttls:
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            if smtp is not None:
                _quietly_close(smtp)
            raise MailServerUnavailable(f"Could not use the mail server {self.host}:{self.port}: {error}") from error
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            try:
                self._smtp.noop()  # an idle connection the server dropped: reconnect before sending anything
            except (OSError, smtplib.SMTPException):
                _quietly_close(self._smtp)
                self._smtp = None
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def send(self, message: EmailMessage) -> dict[str, Any]:
        """Hand the message to the server; returns the recipients it refused (if it took it for the others)."""
        smtp = self._connection()
        try:
            return dict(smtp.send_message(message))
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            raise MailNotSent(f"The mail server refused the message: {error}") from error
        except (OSError, smtplib.SMTPException) as error:
            _quietly_close(smtp)
            self._smtp = None
            raise MailOutcomeUnknown(f"The connection failed while sending: {error}") from error

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(self._smtp)
            self._smtp = None


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


@dataclass
class ConsoleMailer(_Closing):
    """For local runs: the message is printed, not sent."""

    stream: TextIO | None = None

    def send(self, message: EmailMessage) -> dict[str, Any]:
        out = self.stream or sys.stdout
        out.write("----- Email (not sent: SMTP_HOST is not set, so it is shown here) -----\n")
        for header in ("From", "To", "Subject"):
            out.write(f"{header}: {message[header]}\n")
        body = message.get_body(("plain",))
        out.write("\n" + (body.get_content() if body is not None else "") + "----- End of email -----\n")
        out.flush()
        return {}


def mailer_for(config: Mapping[str, Any]) -> SmtpMailer | ConsoleMailer:
    """SMTP when SMTP_HOST is set; the console for local runs without it; production refuses."""
    if config.get("SMTP_HOST"):
        return SmtpMailer(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            starttls=bool(config["SMTP_STARTTLS"]),
            use_ssl=bool(config["SMTP_USE_SSL"]),
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
        )
    if config.get("ENV_NAME") == "production":
        raise MailNotConfigured("No mail server is configured: set SMTP_HOST (and MAIL_FROM) to send email.")
    return ConsoleMailer()


def sender(config: Mapping[str, Any]) -> str:
    return config.get("MAIL_FROM") or f"{config['SERVICE_NAME']} <registry@localhost>"
