"""The HTML report as a buyer sees it: opened from disk by a real, offline, headless Chromium.

Skips, saying why, where no Chromium is installed (Debian package `chromium`; .ci/run installs
it). Each launch gets a fresh profile and every background network feature turned off.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from reports.html import write_html
from tests.browser import run_chromium
from tests.test_reports import HOSTILE, fabricate_records

WINDOW = (1280, 2000)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    records = fabricate_records(12)
    path = write_html(records, tmp_path_factory.mktemp("report") / "report.html")
    return path, records


def _dom(chromium: str, url: str, profile: Path) -> Any:
    return lxml_html.fromstring(run_chromium(chromium, url, "--dump-dom", profile=profile).stdout)


def _text(node: Any) -> str:
    return " ".join(node.text_content().split())


def test_rendered_page_shows_the_summary_and_a_failed_checks_evidence(
        chromium: str, report: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, records = report
    dom = _dom(chromium, path.as_uri(), tmp_path / "profile")
    for verdict in ("PASS", "FAIL", "ERROR"):
        shown = dom.xpath(f"//span[@data-count='{verdict}']")
        assert [_text(s) for s in shown] == [str(sum(r["verdict"] == verdict for r in records))]
    assert _text(dom.xpath("//span[@data-count='total']")[0]) == str(len(records))
    # Our script ran (the page's policy let it): the filter bar is shown, counting every chassis.
    bar = dom.get_element_by_id("filters")
    assert bar.get("hidden") is None
    assert (_text(dom.get_element_by_id("shown"))
            == f"Showing {len(records)} of {len(records)} chassis")
    failed = next(r for r in records if r["verdict"] == "FAIL")
    section = dom.xpath("//section[@class='chassis'][@data-verdict='FAIL']")[0]
    assert _text(section.xpath(".//h2")[0]) == failed["chassis"]["hostname"]
    row = section.xpath(".//tr[@class='st-FAIL']")[0]
    assert "1 of 2 power supplies is not ok" in _text(row)
    assert "power supplies/PS2 faulty (expected ok)" in _text(row)
    assert failed["checks"][1]["commands"][0]["sha256"] in _text(row)
    # The hostile hostname stayed text: no element it spelt exists, its script never ran.
    assert "pwned" not in _text(dom.xpath("//title")[0])
    assert not dom.xpath("//img")
    assert len(dom.xpath("//script")) == 1
    assert any(_text(h) == HOSTILE + "8" for h in dom.xpath("//section//h2"))


def test_filter_chosen_in_the_address_applies(
        chromium: str, report: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, records = report
    dom = _dom(chromium, path.as_uri() + "#show=FAIL", tmp_path / "profile")
    assert dom.get("data-show") == "FAIL"
    failed = sum(r["verdict"] == "FAIL" for r in records)
    assert _text(dom.get_element_by_id("shown")) == f"Showing {failed} of {len(records)} chassis"
    assert _text(dom.get_element_by_id("filter-note")) == "Filtered view: Failed only."


def test_screenshot_is_a_png_of_the_window(
        chromium: str, report: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    path, _ = report
    shot = tmp_path / "report.png"
    run_chromium(chromium, path.as_uri(), f"--screenshot={shot}",
                 f"--window-size={WINDOW[0]},{WINDOW[1]}", profile=tmp_path / "profile")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == WINDOW  # IHDR: width, height
    assert len(data) > 50_000  # a rendered page, not a blank one


def test_without_javascript_nothing_is_hidden(
        chromium: str, report: tuple[Path, list[dict[str, Any]]], tmp_path: Path) -> None:
    """The page's script blocked by its own policy, as with JavaScript off (Chromium's
    `--dump-dom` itself needs scripting, so it cannot simply be switched off)."""
    path, records = report
    text = path.read_text(encoding="utf-8")
    blocked = tmp_path / "no-script.html"
    blocked.write_text(re.sub(r"script-src '[^']+'", "script-src 'none'", text), encoding="utf-8")
    dom = _dom(chromium, blocked.as_uri() + "#show=FAIL", tmp_path / "profile")
    assert dom.get("data-show") is None  # the only switch the CSS hides chassis by
    assert dom.get_element_by_id("filters").get("hidden") is not None  # no dead controls
    assert len(dom.xpath("//section[@class='chassis']")) == len(records)
