"""Outgoing e-mail. With MAIL_SERVER configured, messages go through SMTP (STARTTLS when MAIL_USE_TLS);
without it each message is written to instance/outbox/ as a .eml file, for development and demos.

Nothing here logs a message's body: it may hold a single-use link.
"""
from __future__ import annotations

import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


def send(to: str, subject: str, body: str) -> None:
    config = current_app.config
    msg = EmailMessage()
    msg["From"] = config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="muni-assess.invalid")
    msg.set_content(body)
    if config.get("MAIL_SERVER"):
        _smtp(msg, config)
    else:
        _outbox(msg)
    current_app.logger.info("Mail sent: %r to a recipient (%d characters)", subject, len(body))


def _smtp(msg: EmailMessage, config) -> None:
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(msg)


def outbox_dir() -> str:
    return os.path.join(current_app.config.get("OUTBOX_DIR") or os.path.join(current_app.instance_path, "outbox"))


def _outbox(msg: EmailMessage) -> None:
    folder = outbox_dir()
    os.makedirs(folder, mode=0o700, exist_ok=True)
    path = os.path.join(folder, f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-"
                                f"{uuid.uuid4().hex[:8]}.eml")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(bytes(msg))
