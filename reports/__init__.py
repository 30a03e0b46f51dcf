"""Renderers that read inspection records only; none of them contacts a device.

`render(run_dir, "html")` turns a run folder's records into `<run_dir>/report.html`; formats:
html (self-contained, for the buyer), junit (for CI), csv (spreadsheets, quotes), md (tickets).
Each renderer is also callable on any iterable of records, which it reads once, streaming.
"""

from __future__ import annotations

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


def write_default_reports(run_dir: Path) -> list[Path]:
    """The reports every run leaves in its folder: HTML for people, JUnit for CI."""
    return [render(run_dir, fmt) for fmt in DEFAULT_FORMATS]
