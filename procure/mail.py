"""Outgoing e-mail: printed to the console by default, SMTP when ``MAIL_URL`` says so."""

from __future__ import annotations

import smtplib
import sys
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from flask import current_app


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class ConsoleBackend:
    """Prints each message; keeps the last ones so the demo and tests can read them."""

    def __init__(self, keep: int = 200):
        self.sent: deque[Mail] = deque(maxlen=keep)

    def send(self, mail: Mail, sender: str) -> None:
        self.sent.append(mail)
        print(
            f"\n----- mail from {sender} to {mail.to} -----\nSubject: {mail.subject}\n\n"
            f"{mail.body}\n----- end of mail -----",
            file=sys.stdout,
            flush=True,
        )


class SMTPBackend:
    """``smtp://user:password@host:port?starttls=1`` or ``smtps://…``."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.host = parsed.hostname or "localhost"
        self.ssl = parsed.scheme == "smtps"
        self.port = parsed.port or (465 if self.ssl else 25)
        self.user = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.starttls = parse_qs(parsed.query).get("starttls", ["0"])[0] in ("1", "true")

    def send(self, mail: Mail, sender: str) -> None:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.body)
        smtp_class = smtplib.SMTP_SSL if self.ssl else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=10) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def backend_from_url(url: str):
    scheme = urlparse(url).scheme
    if scheme == "console":
        return ConsoleBackend()
    if scheme in ("smtp", "smtps"):
        return SMTPBackend(url)
    raise ValueError(f"MAIL_URL scheme {scheme!r} is not supported (console, smtp, smtps)")


def init_app(app) -> None:
    app.extensions["mail"] = backend_from_url(app.config["SETTINGS"].mail_url)


def send(to: str, subject: str, body: str) -> None:
    settings = current_app.config["SETTINGS"]
    current_app.extensions["mail"].send(Mail(to, subject, body), settings.mail_from)
