"""Writing the files mlquiz hands to the user: :func:`atomic_write_text`.

An exported scorecard or progress file is either the old file or the whole new one, never half
written, even when the disk fills up or the machine stops midway.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, replacing the file if it exists.

    The text goes to a temporary file in the same folder, which is flushed and synced to disk,
    then moved over ``path`` in one step; the folder is synced too where the system allows it.
    The new file's permissions are those of any file the user creates (the umask decides).
    On any failure the temporary file is removed and the error is raised as it came: an
    ``OSError`` for the file system, ``UnicodeEncodeError`` (before any file is created) for
    text that UTF-8 cannot encode.
    """
    target = Path(path)
    data = text.encode("utf-8")
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; nothing happens where a folder cannot be opened or
    synced (Windows, some network file systems): the file is in place either way."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


__all__ = ["atomic_write_text"]
