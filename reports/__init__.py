"""Renderers that read inspection records only; none of them contacts a device.

`render(run_dir, "html")` turns a run folder's records into `<run_dir>/report.html`; formats:
html (self-contained, for the buyer), junit (for CI), csv (spreadsheets, quotes), md (tickets).
Each renderer is also callable on any iterable of records, which it reads once, streaming.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Renderer = Callable[[Iterable[dict[str, Any]], Path], Path]

# format name -> file extension of its default output; renderers load on use so that
# importing `reports.terminal` for the CLI stays cheap.
EXTENSIONS = {"html": "html", "junit": "xml", "csv": "csv", "md": "md"}
DEFAULT_FORMATS = ("html", "junit")


def renderer(fmt: str) -> Renderer:
    if fmt == "html":
        from reports.html import write_html

        return write_html
    if fmt == "junit":
        from reports.junit import write_junit

        return write_junit
    if fmt == "csv":
        from reports.csv_report import write_csv

        return write_csv
    if fmt == "md":
        from reports.markdown import write_markdown

        return write_markdown
    raise ValueError(f"unknown report format {fmt!r}: choose one of {', '.join(EXTENSIONS)}")


def default_output(run_dir: Path, fmt: str) -> Path:
    if fmt not in EXTENSIONS:
        renderer(fmt)  # raises the one clear error
    return run_dir / f"report.{EXTENSIONS[fmt]}"


def render(run_dir: Path, fmt: str, output: Path | None = None) -> Path:
    """Write one report of a run folder's records; returns the file written."""
    from inspector.records import read_records

    write = renderer(fmt)
    return write(read_records(run_dir), output or default_output(run_dir, fmt))


# Each chassis's pieces of the default reports, kept beside its record so that a rerun of one
# chassis redraws one chassis, not the whole run. Bump the version when the markup changes.
PIECES = "report-parts"
PIECES_VERSION = 1


def write_default_reports(run_dir: Path) -> list[Path]:
    """The reports every run leaves in its folder, HTML for people and JUnit for CI.

    A chassis's kept pieces serve while they name the sha256 of its record as it is on disk
    (and their place in the run); otherwise they are drawn again from the record and kept.
    """
    from inspector.files import sha256_file
    from inspector.records import record_paths
    from reports.html import HtmlAssembly, html_piece
    from reports.junit import JunitAssembly, junit_piece

    paths = record_paths(run_dir)
    with HtmlAssembly() as html, JunitAssembly() as junit:
        for index, path in enumerate(paths):
            stamp = {"version": PIECES_VERSION, "record_sha256": sha256_file(path), "index": index}
            kept_path = run_dir / PIECES / path.name
            pieces = _kept(kept_path, stamp)
            if pieces is None:
                record = json.loads(path.read_bytes())
                pieces = {"html": html_piece(index, record), "junit": junit_piece(index, record)}
                _keep(kept_path, stamp, pieces)
            html.add(pieces["html"])
            junit.add(pieces["junit"])
        written = [html.write(default_output(run_dir, "html")),
                   junit.write(default_output(run_dir, "junit"))]
    # Reports drawn into the run on request (`report --into-run`) follow the records too.
    extra = [fmt for fmt in EXTENSIONS
             if fmt not in DEFAULT_FORMATS and default_output(run_dir, fmt).is_file()]
    return written + [render(run_dir, fmt) for fmt in extra]


# A kept file is one line of JSON (the stamp, each piece's small fields, and the length of each
# of its markup blobs) followed by the blobs as UTF-8: the markup, nearly all of the bytes,
# goes into the reports without being decoded.

def _keep(path: Path, stamp: dict[str, Any], pieces: dict[str, dict[str, Any]]) -> None:
    blobs = [(fmt, key, value) for fmt, piece in pieces.items()
             for key, value in piece.items() if isinstance(value, bytes)]
    head = {**stamp, "blobs": [[fmt, key, len(value)] for fmt, key, value in blobs],
            "pieces": {fmt: {k: v for k, v in piece.items() if not isinstance(v, bytes)}
                       for fmt, piece in pieces.items()}}
    # Not fsynced: a piece lost to a crash is only drawn again, its record being the truth.
    path.parent.mkdir(exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"".join([json.dumps(head).encode(), b"\n", *(v for _, _, v in blobs)]))
    os.replace(tmp, path)


def _kept(path: Path, stamp: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The pieces kept at `path` if they were drawn from the record `stamp` names."""
    try:
        data = path.read_bytes()
        end = data.index(b"\n")
        head = json.loads(data[:end])
        if any(head.get(key) != value for key, value in stamp.items()):
            return None
        pieces: dict[str, dict[str, Any]] = head["pieces"]
        offset = end + 1
        for fmt, key, length in head["blobs"]:
            pieces[fmt][key] = data[offset:offset + length]
            offset += length
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none yet, cut short, or not ours: drawn again
    return pieces if offset == len(data) else None
