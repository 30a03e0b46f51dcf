"""Writing files so that a crash never leaves half a record or half an output on disk."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync it, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_digests: dict[tuple[str, int, int, int], str] = {}


def sha256_file(path: Path) -> str:
    """The file's sha256, hashed once per process while the file stays as it was: a rerun
    checks the records against the signed manifest, and the reports need the same hashes.
    (Every write of ours replaces a file, a new inode, so a rewritten file is hashed anew.)"""
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _digests:
        with path.open("rb") as handle:
            _digests[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return _digests[key]


def write_json(path: Path, document: Any) -> None:
    atomic_write(path, (json.dumps(document, indent=2, sort_keys=False) + "\n").encode())


def read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def safe_name(name: str) -> str:
    """A host name usable as one file name: no separators, no leading dot."""
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
    return cleaned.lstrip(".") or "_"
