"""The one gate every command passes before it may reach a device.

The inspector works on equipment it does not own, so it must be unable to change it. Only
commands that display state are allowed, and nothing that could redirect output into a file
on the device (`show run | redirect flash:x`) or chain a second command.
"""

from __future__ import annotations

import re

# `admin show` is IOS-XR's read-only view of the admin plane.
_READ_ONLY = re.compile(r"^(show|dir|admin show)( [A-Za-z0-9_.:/\-]+)*")


class NotReadOnly(ValueError):
    """A command that the inspector refuses to send."""


def require_read_only(command: str) -> str:
    """Return the command if it is a plain read-only command, else raise NotReadOnly."""
    if command != command.strip() or not _READ_ONLY.fullmatch(command):
        raise NotReadOnly(f"refused to send {command!r}: only plain show/dir commands are allowed")
    return command
