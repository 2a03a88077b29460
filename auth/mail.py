"""Outgoing mail: over SMTP when a server is configured, otherwise one `.eml` file per
message in the outbox folder (the demo reads its sign-in links from there)."""

from __future__ import annotations

import asyncio
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def compose(sender: str, recipient: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message.set_content(text)
    return message


class OutboxMailer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: EmailMessage) -> None:
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(self._write, self.folder / name, message.as_bytes())

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class SmtpMailer:
    def __init__(self, host: str, port: int, username: str, password: str) -> None:
        self._host, self._port = host, port
        self._username, self._password = username or None, password or None

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self._host,
            port=self._port,
            username=self._username,
            password=self._password,
            start_tls=self._port == 587,
            timeout=10,
        )
