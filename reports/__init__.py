"""Renderers that read inspection records only; none of them contacts a device.

`render(records, "html", path)` draws any iterable of records, read once, streaming; formats:
html (self-contained, for the buyer), junit (for CI), csv (spreadsheets, quotes), md (tickets).
The renderers know no run folder: the run store (inspector.store) feeds them records and paths.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Renderer = Callable[[Iterable[dict[str, Any]], Path], Path]

# format name -> file extension of its default output; renderers load on use so that
# importing `reports.terminal` for the CLI stays cheap.
EXTENSIONS = {"html": "html", "junit": "xml", "csv": "csv", "md": "md"}


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


def render(records: Iterable[dict[str, Any]], fmt: str, output: Path) -> Path:
    """Write one report of `records`; returns the file written."""
    return renderer(fmt)(records, output)


# Each chassis's pieces of the default reports, kept beside its record so that a rerun of one
# chassis redraws one chassis, not the whole run, and a batch draws them as each record is
# written rather than all at its end. Bump the version when the markup changes.
PIECES_VERSION = 6


def keep_pieces(path: Path, pieces_dir: Path) -> dict[str, dict[str, Any]]:
    """Draw the pieces of the record at `path` and keep them in `pieces_dir`, stamped with
    the record's sha256. The record's file name anchors its section, so a piece is the same
    wherever the chassis stands in the report. Drawn from the file, not from the record in
    memory, so they are what a redraw from the run folder would give."""
    from reports.html import html_piece
    from reports.junit import junit_piece

    record = json.loads(path.read_bytes())
    pieces = {"html": html_piece(path.stem, record), "junit": junit_piece(path.stem, record)}
    _keep(pieces_dir / path.name, _stamp(path), pieces)
    return pieces


def _stamp(path: Path) -> dict[str, Any]:
    """What a kept piece must name to serve for the record at `path` as it is on disk."""
    from inspector.files import sha256_file

    return {"version": PIECES_VERSION, "record_sha256": sha256_file(path)}


def write_default_reports(paths: list[Path], pieces_dir: Path, *, html_path: Path,
                          junit_path: Path) -> list[Path]:
    """The reports every run leaves in its folder, HTML for people and JUnit for CI, from the
    record files at `paths`.

    A chassis's kept pieces (in `pieces_dir`, one file per record) serve while they name the
    sha256 of its record as it is on disk; otherwise they are drawn again and kept.
    """
    from reports.html import HtmlAssembly
    from reports.junit import JunitAssembly

    with HtmlAssembly() as html, JunitAssembly() as junit:
        for path in paths:
            pieces = _kept(pieces_dir / path.name, _stamp(path)) or keep_pieces(path, pieces_dir)
            html.add(pieces["html"])
            junit.add(pieces["junit"])
        return [html.write(html_path), junit.write(junit_path)]


# A kept file is one line of JSON (the stamp, each piece's small fields, and the length of each
# of its markup blobs) followed by the blobs as UTF-8: the markup, nearly all of the bytes,
# goes into the reports without being decoded.

def _keep(path: Path, stamp: dict[str, Any], pieces: dict[str, dict[str, Any]]) -> None:
    from inspector.files import atomic_write

    blobs = [(fmt, key, value) for fmt, piece in pieces.items()
             for key, value in piece.items() if isinstance(value, bytes)]
    head = {**stamp, "blobs": [[fmt, key, len(value)] for fmt, key, value in blobs],
            "pieces": {fmt: {k: v for k, v in piece.items() if not isinstance(v, bytes)}
                       for fmt, piece in pieces.items()}}
    # Not fsynced: a piece lost to a crash is only drawn again, its record being the truth.
    atomic_write(path, b"".join([json.dumps(head).encode(), b"\n", *(v for _, _, v in blobs)]),
                 sync=False)


def _kept(path: Path, stamp: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The pieces kept at `path` if they were drawn from the record `stamp` names."""
    try:
        kept = read_kept(path.read_bytes())
    except OSError:
        return None  # none yet: drawn
    return kept[1] if kept is not None and kept[0] == stamp else None


def read_kept(data: bytes) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
    """The stamp and the pieces of a kept file's bytes; None for one cut short or not ours."""
    try:
        end = data.index(b"\n")
        head = json.loads(data[:end])
        pieces: dict[str, dict[str, Any]] = head["pieces"]
        offset = end + 1
        for fmt, key, length in head["blobs"]:
            pieces[fmt][key] = data[offset:offset + length]
            offset += length
        stamp = {key: head[key] for key in ("version", "record_sha256")}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return (stamp, pieces) if offset == len(data) else None


def serves(stamp: dict[str, Any], record_sha256: str) -> bool:
    """Whether pieces of this stamp serve for the record of that sha256: the next report drawn
    would show them (any other is drawn again first)."""
    return stamp == {"version": PIECES_VERSION, "record_sha256": record_sha256}


class ShownVerdicts:
    """What a report of these `formats` (html, junit), or a chassis's pieces of them, shows of
    each chassis's verdict, read from its markup a block of whole lines at a time: by the
    chassis's anchor (its record file's stem) and place (`places`), each time it is shown, the
    verdicts it shows there; and the HTML summary's count of each verdict."""

    def __init__(self, *formats: str) -> None:
        from reports.html import SHOWN_VERDICTS as HTML
        from reports.junit import SHOWN_VERDICTS as JUNIT

        self._patterns = {fmt: {"html": HTML, "junit": JUNIT}[fmt] for fmt in formats}
        self.places = sorted(place for patterns in self._patterns.values() for place in patterns)
        self.shown: dict[str, dict[str, list[set[str]]]] = {}
        self.counts: dict[str, int] = {}  # verdict: how many chassis the summary counts

    def read(self, lines: bytes, *, fmt: str, piece: str | None = None) -> None:
        """A block of whole lines of markup of the format `fmt`; `piece`: the key of the one
        piece of a chassis they are (`html_piece`, `junit_piece`)."""
        from reports.html import SHOWN_COUNTS

        for place, (key, pattern) in self._patterns[fmt].items():
            if piece not in (None, key):
                continue
            for found in pattern.finditer(lines):
                shown = self.shown.setdefault(found["anchor"].decode(errors="replace"), {})
                shown.setdefault(place, []).append({
                    found[name].decode(errors="replace") for name in ("verdict", "badge")
                    if name in pattern.groupindex})
        if fmt == "html" and piece is None:
            for found in SHOWN_COUNTS.finditer(lines):
                self.counts[found["verdict"].decode()] = int(found["count"])
