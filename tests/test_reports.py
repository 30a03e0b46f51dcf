"""Every report format rendered from generated records: PASS, FAIL and ERROR chassis, skipped
checks, rerun attempts, program sections, and hostnames and outputs written to break markup.

`fabricate_records` builds the records through `inspector.records.build_record`, so they follow
the record contract; the browser test and `bench/report_open.py` reuse it.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import reports
from inspector import store
from inspector.evidence import Session, sha256_text
from inspector.policy import load_policy
from inspector.records import build_record
from inspector.store import read_records, write_record
from reports.junit import VERDICT_CASE
from reports.markdown import write_markdown

JUNIT_XSD = Path(__file__).parent / "junit.xsd"
HOSTILE = 'evil"><script>document.title="pwned"</script><img src=x onerror=alert(1)>'
SITES = ("NYC-DC1", "LON-LAB", "FRA-2")
MODELS = (  # (platform, os, pid, tier)
    ("cisco_xe", "IOS-XE", "C9300-48UXM", "low"),
    ("cisco_xe", "IOS-XE", "ISR4431/K9", "high"),
    ("cisco_nxos", "NX-OS", "N9K-C93180YC-EX", "high"),
    ("cisco_ios", "IOS", "WS-C2960X-48TS-L", "low"),
    ("cisco_asa", "ASA", "ASA5525", "high"),
    ("tl1", None, "15454-M6", "not_in_program"),
)
CHECKS = (  # (id, title, severity, command)
    ("hw.chassis.identity", "Chassis PID, serial number and OS version can be read", "critical",
     "show inventory"),
    ("hw.psu.status", "Every installed power supply is ok", "major", "show environment all"),
    ("hw.fan.status", "Every fan is ok", "major", "show environment all"),
    ("hw.temperature.status", "Every temperature sensor is within the device's thresholds",
     "critical", "show environment all"),
    ("lic.smart.registration", "Smart licensing is registered and authorized", "critical",
     "show license status"),
)


def _render(run_dir: Path, fmt: str, output: Path | None = None) -> Path:
    """One report of a run folder's records, by default into the folder, as the store draws."""
    return store.write_report(run_dir, fmt, output or store.report_path(run_dir, fmt))


def _check(index: int, spec: tuple[str, str, str, str], status: str, message: str,
           evidence: list[dict[str, Any]]) -> dict[str, Any]:
    check_id, title, severity, command = spec
    captured = status not in ("ERROR", "SKIP")
    return {
        "id": check_id, "title": title, "domain": check_id.split(".")[0], "version": 1,
        "status": status, "severity": severity, "message": message, "evidence": evidence,
        "commands": [] if status == "SKIP" else [{
            "command": command,
            "sha256": sha256_text(f"{index}{command}") if captured else None,
            "parser": "genie" if captured else None,
        }],
    }


def _results(index: int, kind: str,
             model: tuple[str, str | None, str, str]) -> list[dict[str, Any]]:
    platform, os_name, pid, _ = model
    serial = f"FCW{2200 + index:04d}G{index:03d}"
    identity = _check(index, CHECKS[0], "PASS", f"{pid} serial {serial} running {os_name} 17.9.4",
                      [{"path": "inventory/chassis/pid", "actual": pid},
                       {"path": "inventory/chassis/serial", "actual": serial}])
    identity["identity"] = {"os": os_name, "version": "17.9.4", "pid": pid, "serial": serial}
    psu_ok = [{"path": f"power supplies/PS{n}", "actual": "ok"} for n in (1, 2)]
    results = [identity,
               _check(index, CHECKS[1], "PASS", "2 power supplies ok", psu_ok),
               _check(index, CHECKS[2], "PASS", "3 fans ok",
                      [{"path": f"fans/fan {n}", "actual": "ok"} for n in (1, 2, 3)]),
               _check(index, CHECKS[3], "PASS", "4 sensors within range",
                      [{"path": "temperature/inlet", "actual": "green 24 C"}]),
               _check(index, CHECKS[4], "PASS", "registered and authorized",
                      [{"path": "license/registration", "actual": "registered"}])]
    if platform != "cisco_xe":
        results[4] = _check(index, CHECKS[4], "SKIP", "does not apply to this platform", [])
    if kind == "fail":
        results[1] = _check(index, CHECKS[1], "FAIL", "1 of 2 power supplies is not ok",
                            [{"path": "power supplies/PS2", "actual": "faulty",
                              "expected": "ok"}, psu_ok[0]])
        results[2] = _check(index, CHECKS[2], "ERROR", "show environment all: not captured", [])
    elif kind == "error":
        results[3] = _check(index, CHECKS[3], "ERROR",
                            "output unparsable: \x1b[31m<garbage>\x00 ]]> & \ud800", [])
        # As a rerun writes them: the original result, then each attempt.
        results[3]["attempts"] = [
            {"at": "2026-03-02T10:00:00Z", "mode": "original", "status": "ERROR",
             "message": "timed out after 30 s", "evidence": [], "commands": [],
             "evidence_dir": "evidence/x"},
            {"at": "2026-03-02T11:00:00Z", "mode": "offline", "status": "ERROR",
             "message": "output unparsable", "evidence": [],
             "commands": [{"command": "show version", "sha256": sha256_text("garbage")}],
             "evidence_dir": "evidence/x"},
        ]
    elif kind == "minor":  # a minor failure is shown but does not fail the chassis
        results[2] = _check(index, CHECKS[2], "FAIL", "fan 3 runs slow",
                            [{"path": "fans/fan 3", "actual": "slow", "expected": "ok"}])
        results[2]["severity"] = "minor"
    return results


def fabricate_records(count: int = 12, *, program: bool = True) -> list[dict[str, Any]]:
    """`count` records cycling through PASS, FAIL, ERROR, unreached, all-skipped and hostile
    chassis, over three sites and every program tier."""
    policy = load_policy(None)
    records = []
    for index in range(count):
        kind = ("pass", "fail", "pass", "error", "unreached", "minor", "pass", "skipped",
                "hostile", "pass", "internal", "pass")[index % 12]
        model = MODELS[5] if kind == "skipped" else MODELS[index % len(MODELS)]
        hostname = f"{SITES[index % 3].lower()}-sw{index:04d}.example.net"
        session: Session | None = Session(connected=True, privileged=True, prompt="sw#")
        if kind == "unreached":
            session = Session(connected=False, privileged=False,
                              error="TCP connection to 10.0.0.9:22 timed out")
            results = [_check(index, spec, "ERROR", "chassis not inspected: timed out", [])
                       for spec in CHECKS]
        elif kind == "skipped":  # gear without an SSH CLI is not contacted: no session
            session = None
            results = [_check(index, spec, "SKIP", "not run: platform 'tl1' has no SSH CLI the "
                              "inspector can parse", []) for spec in CHECKS]
        elif kind == "internal":
            session = Session(connected=False, privileged=False, error="internal error: bug")
            results = []
        else:
            results = _results(index, kind, model)
        if kind == "hostile":
            hostname = HOSTILE + str(index)
            results[1] = _check(index, CHECKS[1], "FAIL", "=HYPERLINK(\"http://x\") <b>bold</b>",
                                [{"path": "<i>path</i>", "actual": {"state": "<bad> & \"q\""},
                                  "expected": ["ok"]}])
        record = build_record(
            run_id="20260302T100000Z", hostname=hostname, platform=model[0], results=results,
            session=session, policy=policy, started_at=f"2026-03-02T10:{index % 60:02d}:00Z",
            finished_at=f"2026-03-02T10:{index % 60:02d}:{7 + index % 50:02d}Z",
            site=SITES[index % 3], address=f"10.0.{index // 250}.{index % 250 + 1}")
        if program:
            tier = model[3]
            record["program"] = {
                "tier": tier,
                "eligible_for_support": record["verdict"] == "PASS" and tier != "not_in_program",
                "reasons": [] if record["verdict"] == "PASS" else [
                    f"inspection verdict is {record['verdict']}"],
            }
        records.append(record)
    return records


@pytest.fixture()
def records() -> list[dict[str, Any]]:
    return fabricate_records(12)


@pytest.fixture()
def run_dir(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "20260302T100000Z"
    for record in records:
        write_record(folder, record)
    return folder


def test_generated_records_cover_every_verdict_and_status(records: list[dict[str, Any]]) -> None:
    assert {r["verdict"] for r in records} == {"PASS", "FAIL", "ERROR"}
    assert {c["status"] for r in records for c in r["checks"]} == {"PASS", "FAIL", "ERROR", "SKIP"}


# --- JUnit -------------------------------------------------------------------------------------

def _expected_outcomes(record: dict[str, Any]) -> dict[str, int]:
    """What the JUnit file must count for one record, derived from the record alone."""
    statuses = [c["status"] for c in record["checks"]]
    counts = {"tests": len(statuses), "failures": statuses.count("FAIL"),
              "errors": statuses.count("ERROR"), "skipped": statuses.count("SKIP")}
    if record["verdict"] == "FAIL" and not counts["failures"]:
        counts["tests"] += 1
        counts["failures"] += 1
    elif record["verdict"] == "ERROR" and not counts["failures"] + counts["errors"]:
        counts["tests"] += 1
        counts["errors"] += 1
    return counts


def test_junit_counts_match_the_records(run_dir: Path, records: list[dict[str, Any]]) -> None:
    path = _render(run_dir, "junit")
    assert path == run_dir / "report.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    by_name = {s.get("name"): s for s in suites}
    assert len(suites) == len(by_name) == len(records)
    for record in records:
        suite = by_name[record["chassis"]["hostname"].replace("\ud800", "")]
        cases = suite.findall("testcase")
        expected = _expected_outcomes(record)
        found = {"tests": len(cases),
                 "failures": sum(c.find("failure") is not None for c in cases),
                 "errors": sum(c.find("error") is not None for c in cases),
                 "skipped": sum(c.find("skipped") is not None for c in cases)}
        assert found == expected, record["chassis"]["hostname"]
        assert {k: int(suite.get(k, "-1")) for k in expected} == expected
        assert all(c.get("classname") == suite.get("name") for c in cases)
        check_ids = [c["id"] for c in record["checks"]]
        assert [c.get("name") for c in cases][:len(check_ids)] == check_ids
    for key in ("tests", "failures", "errors"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in suites)


def test_junit_failure_carries_message_and_evidence(run_dir: Path) -> None:
    root = ET.parse(_render(run_dir, "junit")).getroot()
    failure = root.find("testsuite[@name='lon-lab-sw0001.example.net']"
                        "/testcase[@name='hw.psu.status']/failure")
    assert failure is not None
    assert failure.get("message") == "1 of 2 power supplies is not ok"
    assert failure.get("type") == "major"
    assert "power supplies/PS2: faulty (expected ok)" in (failure.text or "")
    assert "sha256 " in (failure.text or "")
    skipped = root.find("testsuite/testcase[@name='lic.smart.registration']/skipped")
    assert skipped is not None and skipped.get("message")


def test_junit_never_shows_a_chassis_green_that_did_not_pass(run_dir: Path) -> None:
    root = ET.parse(_render(run_dir, "junit")).getroot()
    for suite in root.findall("testsuite"):
        verdict = suite.find("properties/property[@name='verdict']")
        assert verdict is not None
        if verdict.get("value") != "PASS":
            assert int(suite.get("failures", "0")) + int(suite.get("errors", "0")) > 0
    synthetic = root.findall(f"testsuite/testcase[@name='{VERDICT_CASE}']")
    assert len(synthetic) == 2  # the all-skipped chassis and the one with no checks at all


def test_junit_is_valid_against_the_schema(run_dir: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(JUNIT_XSD)))
    document = etree.parse(str(_render(run_dir, "junit")))
    assert schema.validate(document), schema.error_log


def test_junit_drops_characters_xml_forbids(tmp_path: Path) -> None:
    record = fabricate_records(4)[3]  # its message holds ESC, NUL and a lone surrogate
    path = reports.renderer("junit")([record], tmp_path / "r.xml")
    raw = path.read_bytes()
    assert b"\x1b" not in raw and b"\x00" not in raw
    error = ET.parse(path).getroot().find(
        "testsuite/testcase[@name='hw.temperature.status']/error")
    assert error is not None
    assert error.get("message") == "output unparsable: [31m<garbage> ]]> & "


# --- CSV ---------------------------------------------------------------------------------------

def test_csv_has_one_row_per_chassis(run_dir: Path, records: list[dict[str, Any]]) -> None:
    path = _render(run_dir, "csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(records)
    by_host = {row["hostname"]: row for row in rows}
    failed = next(r for r in records if r["verdict"] == "FAIL")
    row = by_host[failed["chassis"]["hostname"]]
    assert row["failed_checks"] == "hw.psu.status"
    assert row["errored_checks"] == "hw.fan.status"
    assert row["pid"] == failed["chassis"]["pid"] and row["serial"] == failed["chassis"]["serial"]
    assert row["tier"] == failed["program"]["tier"] and row["eligible_for_support"] == "no"
    assert {r["site"] for r in rows} == set(SITES)


def test_csv_cells_never_start_a_spreadsheet_formula(tmp_path: Path) -> None:
    record = fabricate_records(1)[0]
    record["chassis"]["hostname"] = '=HYPERLINK("http://evil","x")'
    record["chassis"]["serial"] = "@SUM(A1)"
    path = reports.renderer("csv")([record], tmp_path / "r.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["hostname"] == "'" + record["chassis"]["hostname"]
    assert row["serial"] == "'@SUM(A1)"


# --- Markdown ----------------------------------------------------------------------------------

def test_markdown_counts_and_lists_the_chassis_that_did_not_pass(
        run_dir: Path, records: list[dict[str, Any]]) -> None:
    text = _render(run_dir, "md").read_text(encoding="utf-8")
    counts = {v: sum(r["verdict"] == v for r in records) for v in ("PASS", "FAIL", "ERROR")}
    assert f"**{len(records)} chassis**: {counts['PASS']} PASS, {counts['FAIL']} FAIL, " \
           f"{counts['ERROR']} ERROR." in text
    not_passing = [r for r in records if r["verdict"] != "PASS"]
    table = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(table) == len(not_passing)
    failed = next(r for r in records if r["verdict"] == "FAIL")
    assert any(failed["chassis"]["hostname"] in line and "`hw.psu.status`" in line
               for line in table)
    # Code spans show the hostile hostname literally: nothing in it renders as markup.
    assert f"| `{HOSTILE}8` |" in text
    assert all(line.count(" | ") == 4 for line in table)  # no pipe from data split a row


def test_markdown_shows_a_device_s_words_as_code_that_nothing_links(tmp_path: Path) -> None:
    """GitHub's Markdown links a bare `http://...`, `www.` or email address in text, and
    backslashes do not stop it (cmark-gfm finds addresses once the escapes are read): a
    banner's or an inventory's words in a reason, shown backslash-escaped, became links in
    a ticket. They are code spans, which nothing links or marks up, holding the text whole
    (its backticks too, within a longer fence)."""
    from markdown_it import MarkdownIt

    said = "pay at http://evil.example/x or www.evil.example, ops@evil.example `rm` *now*"
    records = fabricate_records(5)
    unreached, excluded = records[4], records[0]
    unreached["session"]["error"] = "banner: " + said
    excluded["verdict"], excluded["verdict_reason"] = "FAIL", "declared by " + said
    text = write_markdown(records, tmp_path / "r.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| `")}
    for record, why in ((unreached, f"not reached: ``banner: {said}``"),
                        (excluded, f"``declared by {said}``")):
        chassis = record["chassis"]
        pid, serial = (f"`{chassis[k]}`" if chassis.get(k) else "-" for k in ("pid", "serial"))
        assert rows[f"| `{chassis['hostname']}`"] == (
            f"| `{chassis['hostname']}` | {pid} | {serial} | {record['verdict']} | {why} |")
    cells = [token.children or [] for token in MarkdownIt("commonmark").enable("table")
             .parse(text) if token.type == "inline"]
    shown = [child for children in cells for child in children]
    assert sorted(c.content for c in shown if c.type == "code_inline" and said in c.content) == [
        "banner: " + said, "declared by " + said]
    assert not [c for c in shown if c.type != "code_inline" and (
        "evil" in c.content or c.type in ("link_open", "html_inline", "em_open"))]


def test_markdown_caps_long_lists(tmp_path: Path) -> None:
    records = fabricate_records(24)
    path = write_markdown(records, tmp_path / "r.md", limit=3)
    not_passing = sum(r["verdict"] != "PASS" for r in records)
    assert f"...and {not_passing - 3} more" in path.read_text(encoding="utf-8")


# --- HTML --------------------------------------------------------------------------------------

def test_html_is_self_contained(run_dir: Path) -> None:
    text = _render(run_dir, "html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.IGNORECASE)
    assert "@import" not in text
    assert not re.search(r"url\(", text, re.IGNORECASE)
    assert not re.search(r"<(link|iframe|object|embed|img)\b", text, re.IGNORECASE)
    assert text.count("<script>") == 1  # ours, inline; the hostile hostname's is escaped
    assert "Content-Security-Policy" in text and "default-src 'none'" in text


def test_html_policy_allows_exactly_its_own_style_and_script(run_dir: Path) -> None:
    """A browser runs the inline CSS and JS only if their hashes are in the page's policy."""
    text = _render(run_dir, "html").read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
    assert policy is not None
    for tag in ("style", "script"):
        (body,) = re.findall(rf"<{tag}>(.*?)</{tag}>", text, re.DOTALL)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in policy.group(1)


def test_html_shows_summary_table_and_every_check(run_dir: Path,
                                                  records: list[dict[str, Any]]) -> None:
    text = _render(run_dir, "html").read_text(encoding="utf-8")
    for verdict in ("PASS", "FAIL", "ERROR"):
        count = sum(r["verdict"] == verdict for r in records)
        assert f'data-count="{verdict}">{count}<' in text
    assert f'data-count="total">{len(records)}<' in text
    assert text.count("<section class=\"chassis\"") == len(records)
    assert text.count("<tr data-verdict=") == len(records)
    assert text.count('<tr class="st-') == sum(len(r["checks"]) for r in records)
    assert 'power supplies/PS2</span> <span class="bad">faulty</span>' in text
    assert "evidence/" in text and sha256_text("1show environment all") in text
    assert "By tier" in text and "High complexity" in text
    assert "timed out after 30 s" in text  # a rerun attempt
    assert f"show version: {sha256_text('garbage')}" in text  # what the attempt read
    assert "<svg" in text


def test_html_escapes_untrusted_text(run_dir: Path) -> None:
    text = _render(run_dir, "html").read_text(encoding="utf-8")
    assert "<script>document.title" not in text and "<img src=x" not in text
    assert "&lt;script&gt;document.title=&quot;pwned&quot;" in text
    assert "<i>path</i>" not in text and "&lt;i&gt;path&lt;/i&gt;" in text
    assert "\x00" not in text and "\x1b" not in text


def test_html_without_program_section_has_no_tier_chart(tmp_path: Path) -> None:
    records = fabricate_records(6, program=False)
    text = reports.renderer("html")(records, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "By tier" not in text and "no-tier" in text


def test_renderers_read_the_records_once_as_a_stream(tmp_path: Path) -> None:
    consumed: list[int] = []

    def stream() -> Any:
        for index, record in enumerate(fabricate_records(12)):
            consumed.append(index)
            yield record

    for fmt in ("html", "junit", "csv", "md"):
        consumed.clear()
        reports.renderer(fmt)(stream(), tmp_path / f"r.{fmt}")
        assert consumed == list(range(12)), fmt


def test_empty_run_renders(tmp_path: Path) -> None:
    (tmp_path / "records").mkdir()
    for fmt in ("html", "junit", "csv", "md"):
        assert _render(tmp_path, fmt).stat().st_size > 0
    assert ET.parse(tmp_path / "report.xml").getroot().get("tests") == "0"


def test_write_default_reports_and_errors(run_dir: Path, tmp_path: Path) -> None:
    written = store.draw_reports(run_dir)
    assert written == [run_dir / "report.html", run_dir / "report.xml"]
    assert all(p.stat().st_size > 0 for p in written)
    assert not list(run_dir.glob(".*.tmp"))  # the atomic writes left nothing behind
    out = _render(run_dir, "csv", tmp_path / "elsewhere" / "chassis.csv")
    assert out.is_file()
    assert len(list(read_records(run_dir))) == 12  # the records were only read
    with pytest.raises(ValueError, match="unknown report format"):
        _render(run_dir, "pdf")
    with pytest.raises(FileNotFoundError):
        _render(tmp_path / "not-a-run", "html")


def test_kept_pieces_are_redrawn_exactly_when_their_record_changed(
        run_dir: Path, tmp_path: Path) -> None:
    store.draw_reports(run_dir)
    kept = {p.name: p.read_bytes() for p in (run_dir / store.REPORT_PARTS).iterdir()}
    assert len(kept) == 12
    first, second, third = sorted(kept)[:3]
    # One record changes, one piece is cut short (as by a crash), one is not ours at all.
    changed = run_dir / "records" / first
    record = json.loads(changed.read_text())
    record["verdict"], record["verdict_reason"] = "FAIL", "changed <b>on purpose</b>"
    changed.write_text(json.dumps(record))
    (run_dir / store.REPORT_PARTS / second).write_bytes(kept[second][:100])
    (run_dir / store.REPORT_PARTS / third).write_bytes(b"\x00not json\n" + kept[third])
    store.draw_reports(run_dir)
    after = {p.name: p.read_bytes() for p in (run_dir / store.REPORT_PARTS).iterdir()}
    assert {n for n in kept if after[n] != kept[n]} == {first}
    assert after[second] == kept[second] and after[third] == kept[third]  # drawn again
    # The reports from kept pieces are those drawn from the records alone.
    for fmt in ("html", "junit"):
        fresh = _render(run_dir, fmt, tmp_path / f"fresh.{fmt}")
        assert fresh.read_bytes() == store.report_path(run_dir, fmt).read_bytes(), fmt
    assert "changed &lt;b&gt;on purpose&lt;/b&gt;" in (run_dir / "report.html").read_text()


def test_bidirectional_controls_are_spelled_out_in_every_report(tmp_path: Path) -> None:
    """A right-to-left override is invisible and reverses what follows it: a serial printed
    `FOC<U+202E>4321` read FOC1234 in every report, and in the fleet report's table of
    chassis whose inspections disagree."""
    from inspector.fleet.db import FleetFilter, FleetSummary
    from reports.fleet import fleet_html

    record = fabricate_records(1)[0]
    record["chassis"]["serial"] = "FOC\u202e4321"
    record["verdict"], record["verdict_reason"] = "ERROR", "unit \u2067B\u2069 said \u200fno"
    serial, reason = "FOC<U+202E>4321", "unit <U+2067>B<U+2069> said <U+200F>no"
    markup = [html.escape(serial), html.escape(reason)]
    # Markdown shows a serial and a reason in code spans, as they are.
    expected = {"html": markup, "junit": markup, "csv": [serial, reason],
                "md": [f"`{serial}`", f"`{reason}`"]}
    for fmt, spelled in expected.items():
        text = reports.renderer(fmt)([record], tmp_path / f"r.{fmt}").read_text("utf-8-sig")
        assert not re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", text), fmt
        assert all(s in text for s in spelled), fmt
    fleet = fleet_html(FleetSummary(
        filters=FleetFilter(), inspections=2, chassis=1, runs=2,
        by_site_month=[{"site": "lab\u202e", "month": "2026-03", "tier": "low",
                        "verdict": "FAIL", "count": 2}],
        failing_checks=[], disagreeing=[{"serial": "FOC\u202e4321", "pid": "C9300-48P",
                                         "inspections": []}]))
    assert "\u202e" not in fleet
    assert "<td>FOC&lt;U+202E&gt;4321</td>" in fleet and ">lab&lt;U+202E&gt;</text>" in fleet



def test_the_fleet_csv_cell_is_a_report_cell() -> None:
    """The fleet CSV's site names are the buyer's text, as a chassis report's cells are: a
    formula is kept text, what XML forbids is dropped, a bidirectional control spelled out.
    The fleet CSV kept its own formula guard, and passed a NUL and an override through."""
    from inspector.fleet.db import FleetFilter, FleetSummary
    from reports.fleet import fleet_csv

    text = fleet_csv(FleetSummary(
        filters=FleetFilter(), inspections=3, chassis=3, runs=1,
        by_site_month=[{"site": site, "month": "2026-03", "tier": "low", "verdict": "PASS",
                        "count": 1} for site in ("=HYPERLINK(\"x\")", "lab\x00a", "lab\u202eb")],
        failing_checks=[], disagreeing=[]))
    sites = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sites == ["'=HYPERLINK(\"x\")", "laba", "lab<U+202E>b"]
