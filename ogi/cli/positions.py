"""What this terminal last wrote, so that its next read reflects it (ogi.freshness): each write
command remembers the position its service returned, each read asks to reflect those.

Kept in a small file per system (the services' addresses from the environment, the data
directory, and the address called if it is another one, name it), under
$OGI_STATE_DIR (default $XDG_STATE_HOME/ogi or ~/.local/state/ogi), and forgotten after
FORGET_AFTER_SECONDS: positions of a system since emptied would otherwise be waited for in vain."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from ogi.freshness import merged

FORGET_AFTER_SECONDS = 600.0
_SYSTEM = ("OGI_INTAKE_ADDR", "OGI_HANDLING_ADDR", "OGI_ARCHIVE_ADDR", "OGI_DATA_DIR")


def _file(address: str) -> Path:
    state = os.environ.get("OGI_STATE_DIR") or str(
        Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "ogi"
    )
    named = [os.environ.get(name, "") for name in _SYSTEM]
    system = "\n".join(named if address in named else [*named, address])
    return Path(state) / f"positions-{hashlib.sha256(system.encode()).hexdigest()[:16]}"


def recent(address: str) -> str:
    """The positions this terminal's writes to this system returned lately ("" if none);
    `address`: the service about to be called."""
    path = _file(address)
    try:
        if time.time() - path.stat().st_mtime > FORGET_AFTER_SECONDS:
            return ""
        return merged(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""  # none, or unreadable: the read then answers without waiting


def remember(position: str, address: str) -> None:
    """Add the position a write to the service at `address` returned; a read of it later
    reflects that write."""
    if not position:
        return
    path = _file(address)
    with contextlib.suppress(OSError):  # remembering is a convenience, never a failure
        path.parent.mkdir(parents=True, exist_ok=True)
        combined = merged(recent(address), position)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(combined, encoding="utf-8")
        temporary.replace(path)
