"""How long a 500-chassis HTML report takes to open: `python bench/report_open.py [COUNT]`.

Renders COUNT generated chassis (tests/test_reports.py's generator), then times headless
Chromium loading, laying out and painting the report to a screenshot, against the same
browser doing so for an empty page; the difference is the report's own opening time.
Prints the figures; it asserts nothing (the target is under 3 s for 500 chassis).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

from reports.html import write_html
from tests.test_report_browser import find_chromium, run_chromium
from tests.test_reports import fabricate_records

RUNS = 5


def open_seconds(chromium: str, page: Path, folder: Path) -> float:
    """Median wall time for a fresh browser to load `page` and paint it to a PNG."""
    times = []
    for run in range(RUNS):
        began = time.perf_counter()
        run_chromium(chromium, page.as_uri(), f"--screenshot={folder / f'{run}.png'}",
                     "--window-size=1280,900", profile=folder / f"profile-{page.stem}-{run}")
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    chromium = find_chromium()
    if chromium is None:
        sys.exit("headless Chromium is not installed (Debian package `chromium`)")
    with tempfile.TemporaryDirectory(prefix="report-bench-") as tmp:
        folder = Path(tmp)
        records = fabricate_records(count)
        began = time.perf_counter()
        report = write_html(records, folder / "report.html")
        rendered = time.perf_counter() - began
        blank = folder / "blank.html"
        blank.write_text("<!DOCTYPE html><title>blank</title>", encoding="utf-8")
        baseline = open_seconds(chromium, blank, folder)
        total = open_seconds(chromium, report, folder)
        checks = sum(len(r["checks"]) for r in records)
        print(f"{count} chassis, {checks} checks: report.html "
              f"{report.stat().st_size / 1e6:.1f} MB, written in {rendered:.2f} s")
        print(f"headless Chromium, median of {RUNS}: report {total:.2f} s, empty page "
              f"{baseline:.2f} s -> the report opens in {max(0.0, total - baseline):.2f} s "
              "(load, layout and first paint, browser start-up excluded)")


if __name__ == "__main__":
    main()
