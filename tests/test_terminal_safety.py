"""Text a device or an inventory supplies never acts on the inspector's terminal."""

from __future__ import annotations

import io
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from rich.console import Console

from reports.terminal import print_record_detail, print_summary, shown
from tests.lab_run import inspector

HOSTILE = "C9300\x1b[2J\x1b]0;owned\x07[bold red]FAKE PASS[/]\x9b31m"


def _console() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    # No colour system: every escape sequence in the output would be the device's.
    return Console(file=buffer, color_system=None, width=300), buffer


def _record() -> dict[str, object]:
    return {
        "chassis": {"hostname": HOSTILE, "pid": HOSTILE, "serial": HOSTILE, "os": "IOS-XE",
                    "version": HOSTILE},
        "verdict": "FAIL", "verdict_reason": HOSTILE,
        "checks": [{"id": "hw.psu.status", "status": "FAIL", "severity": "major",
                    "message": HOSTILE, "evidence": [{"path": HOSTILE, "actual": HOSTILE}],
                    "commands": [{"command": "show environment all", "sha256": None,
                                  "parser": "own"}]}],
    }


def test_control_characters_and_markup_are_spelled_out() -> None:
    assert shown("a\x1bb\x07c\x9bd\te\nf") == "a\\x1bb\\x07c\\x9bd\te\nf"
    assert shown("[bold]x[/]") == "\\[bold]x\\[/]"


def test_a_record_and_a_summary_print_inert() -> None:
    console, buffer = _console()
    print_record_detail(console, _record())
    print_summary(console, [{"hostname": HOSTILE, "platform": "cisco_xe", "pid": HOSTILE,
                             "serial": HOSTILE, "verdict": "ERROR", "failed": [],
                             "reason": HOSTILE}], run_dir=Path("run"),
                  records=Path("run/records"))
    printed = buffer.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\\x1b[2J" in printed and "[bold red]FAKE PASS[/]" in printed


def _row(hostname: str, verdict: str = "PASS", **more: object) -> dict[str, object]:
    return {"hostname": hostname, "platform": "cisco_xe", "pid": "C9300-48P",
            "serial": "FOC2115SRPE", "verdict": verdict, "failed": [], "reason": "", **more}


def test_the_summary_is_one_aligned_line_a_chassis_whatever_its_cells_hold() -> None:
    console, buffer = _console()
    rows = [_row("sw1"), _row("core\nsw2\tb", "FAIL", failed=["hw.psu.status", "op.cpu.load"]),
            _row("edge-3", "ERROR", reason="timed out\nconnecting"),
            _row("sw4", failed=["op.install.committed"])]  # a minor finding, not failing it
    print_summary(console, rows, run_dir=Path("site-a"), records=Path("site-a/records"))
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "Inspection site-a"
    header, body = lines[1], lines[2:6]
    assert header.split() == ["chassis", "platform", "PID", "serial", "verdict", "findings"]
    assert [line.split()[0] for line in body] == ["sw1", "core\\x0asw2\\x09b", "edge-3", "sw4"]
    assert body[1].endswith("FAIL     hw.psu.status, op.cpu.load")
    assert body[2].endswith("ERROR    timed out\\x0aconnecting")
    assert body[0].endswith("PASS")  # nothing trails a row without findings
    assert body[3].endswith("PASS     op.install.committed")  # a PASS's findings are named
    # Every column starts where its header does.
    for name in ("platform", "PID", "serial", "verdict"):
        at = header.index(name)
        assert all(line[at - 2:at] == "  " and line[at] != " " for line in body), name
    assert lines[6] == "4 chassis: 2 passed, 1 failed, 1 errored"


def test_a_very_long_cell_runs_on_without_widening_every_row() -> None:
    console, buffer = _console()
    print_summary(console, [_row("x" * 500), _row("sw1")], run_dir=Path("r"),
                  records=Path("r/records"))
    lines = buffer.getvalue().splitlines()
    assert len(lines[1]) < 120 and len(lines[3]) < 120
    assert lines[2].startswith("x" * 500 + "  cisco_xe")


def test_the_progress_line_and_the_run_s_last_lines_print_names_and_paths_inert(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal the progress line names the chassis at work: a name in brackets (`mk[/]`)
    was read as markup and ended the run with a traceback after it was sealed, and an escape
    sequence in it reached the terminal. So did a run folder's path on the `report:` lines."""
    from inspector import cli
    from inspector import run as run_module
    from inspector.run import RunSummary

    buffer = io.StringIO()  # on a terminal, as the progress line is drawn on a terminal only
    console = Console(file=buffer, color_system=None, width=300, force_terminal=True)
    run_dir = tmp_path / "o[/]x" / "t1"
    names = ["mk[/]", HOSTILE]

    def inspected(*, on_done: Any, on_progress: Any, **_: Any) -> RunSummary:
        for name in names:
            on_progress(name, "connecting")
            time.sleep(0.15)  # the progress line is drawn by its own thread, 10 times a second
            on_done({"hostname": name, "verdict": "PASS"})
        return RunSummary(run_id="t1", run_dir=run_dir, reports=[run_dir / "report.html"],
                          rows=[_row(name) for name in names], not_judged=[HOSTILE],
                          interrupted=True, missing=[HOSTILE])

    monkeypatch.setattr(cli, "_console", lambda: console)
    monkeypatch.setattr(run_module, "run_inspection", inspected)
    nornir = SimpleNamespace(inventory=SimpleNamespace(hosts=dict.fromkeys(names)))
    cli._run_with_progress(nornir, run_dir=run_dir)
    printed = buffer.getvalue()
    assert "\x1b[2J" not in printed and "\x1b]0;" not in printed and "\x07" not in printed
    assert "mk[/]: connecting" in printed and "\\x1b[2J\\x1b]0;owned\\x07[bold red]FAKE PASS[/]" \
        in printed
    assert f"report: {run_dir}/report.html" in printed
    assert f"inspector run --resume {run_dir}" in printed


def test_preflight_prints_names_and_sites_inert_even_into_a_pipe() -> None:
    from inspector.program import print_preflight

    console, buffer = _console()
    print_preflight(console, {
        "chassis": [{"hostname": HOSTILE, "tier": "high", "eligible": False,
                     "reasons": [f"site {HOSTILE}", "on hold"]}],
        "sites": {HOSTILE: {"tiers": {"low": 0, "high": 1, "not_in_program": 0},
                            "fee_waived": 0, "earliest_inspection_date": "2024-06-12",
                            "notice_business_days": 5,
                            "notice_basis": "fixed by the program"}}})
    printed = buffer.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "site C9300\\x1b[2J\\x1b]0;owned\\x07[bold red]FAKE PASS[/]\\x9b31m: quote" \
        in printed


def test_a_host_without_credentials_is_named_on_the_error_s_one_line(tmp_path: Path) -> None:
    (tmp_path / "hosts.yaml").write_text(yaml.safe_dump({
        "evil\x1b]0;owned\x07\nFAKE: all chassis passed": {
            "hostname": "127.0.0.1", "port": 22, "platform": "cisco_xe"}}))
    done = inspector("run", "--inventory", str(tmp_path), "--out", str(tmp_path / "out"),
                     env={"INSPECTOR_USERNAME": "", "INSPECTOR_PASSWORD": ""}, stdin="")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "inspector: no credentials for 'evil\\x1b]0;owned\\x07\\nFAKE: all chassis passed': "
        "set them in the inventory or INSPECTOR_USERNAME / INSPECTOR_PASSWORD"]
    assert not (tmp_path / "out").exists()


def test_history_and_diff_print_a_device_s_text_inert() -> None:
    """`inspector history` and `inspector diff` print serials, PIDs, versions, units' names and
    license values as the devices gave them: an escape sequence in one reached the terminal,
    and a carriage return could draw a line of its own over the one printed."""
    from inspector.fleet.inspection import Inspection, diff
    from reports.fleet import diff_lines, history_lines

    def inspection(unit_serial: str) -> Inspection:
        return Inspection(
            run_id="r1", site=HOSTILE, hostname="sw1", serial=HOSTILE, pid=HOSTILE,
            platform="cisco_xe", os="IOS-XE", version="17.9.4a\x1b[2K\rFAKE",
            inspected_at="2026-03-02T10:00:00Z", verdict="PASS", verdict_reason="ok",
            tier="low", eligible=True, checks={"hw.inventory.serials": "PASS"},
            frus={HOSTILE: f"C9300-48P SN {unit_serial}"}, license={})

    printed = "\n".join([*history_lines([inspection("FOC1")]),
                         *diff_lines(diff(inspection("FOC1"), inspection("FOC2\x1b]0;x\x07")))])
    assert "\x1b" not in printed and "\x07" not in printed and "\x9b" not in printed
    assert "\r" not in printed
    assert "serial C9300\\x1b[2J\\x1b]0;owned\\x07[bold red]FAKE PASS[/]\\x9b31m" in printed
    assert "SN FOC1 -> C9300-48P SN FOC2\\x1b]0;x\\x07" in printed
