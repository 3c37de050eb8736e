"""Writing a document to a file from the command line: owner-only, like the backup.

Roadmaps, grant drafts, regional exports and funding lists describe towns' security weaknesses, so a file the
command line writes is readable by its owner alone (mode 0600), whatever the umask, and an existing file it
replaces loses any wider permissions it had.
"""
from __future__ import annotations

import os
from pathlib import Path


def write_private(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` with mode 0600 and return the path."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # a file that existed keeps its old mode through O_CREAT
        handle.write(data)
    return path
