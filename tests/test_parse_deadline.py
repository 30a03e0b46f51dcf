"""A parse that would never finish is stopped at its deadline. Some of Genie's patterns
backtrack without end on a long line: IOS-XE `show platform` with a line of 100,000 digits
would hold its parser for years, and the run's judge worker, which judges one chassis after
the other, with it. Stopped, the parse is a failure that says why, naming the output's longest
line; the check reads the output another way where it has one (here our own reading of the
`show platform` rows) or errors; and the worker goes on to the next chassis."""

from __future__ import annotations

import json
import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector import parsing
from inspector.catalogue import load_catalogue
from inspector.cli import join_worker_processes
from inspector.evaluate import evaluate_chassis
from inspector.evidence import RawOutput, utc_now
from inspector.policy import load_policy
from inspector.program import HostContext
from inspector.run import Judgement, judge_pool
from mock_devices.lab import render_output
from tests.worker_judges import SHORT_DEADLINE, judge_hastily

PROFILE, PLATFORM = "cat9300", "cisco_xe"
RUNAWAY = "1" * 100_000  # Genie's IOS-XE `show platform` slot pattern backtracks on it for ever
REFUSED = "% Invalid input detected at '^' marker."


def _outputs(poisoned: bool) -> dict[str, RawOutput]:
    outputs = {}
    for command in {c for check in load_catalogue().all()
                    for c in check.commands(PLATFORM)}:
        try:
            text = render_output(PROFILE, command)
        except KeyError:  # not a command this chassis answers: refused, as the lab does
            outputs[command] = RawOutput(command=command, text=None,
                                         error=f"rejected by the device: {REFUSED}")
            continue
        if poisoned and command == "show platform":
            text += RUNAWAY + "\n"
        outputs[command] = RawOutput.from_text(command, text, platform=PLATFORM)
    return outputs


def _reader(outputs: dict[str, RawOutput]) -> Callable[[str], RawOutput]:
    def output(command: str) -> RawOutput:
        return outputs.get(command) or RawOutput(command=command, text=None,
                                                 error="not collected")
    return output


def _statuses(outputs: dict[str, RawOutput]) -> dict[str, dict[str, Any]]:
    results = evaluate_chassis(platform=PLATFORM, outputs=_reader(outputs), session=None,
                               checks=load_catalogue().all(), policy=load_policy())
    return {r["id"]: r for r in results}


def _same_statuses(clean: dict[str, Any], stopped: dict[str, Any]) -> None:
    assert {check: r["status"] for check, r in stopped.items()} == {
        check: r["status"] for check, r in clean.items()}
    assert set(r["status"] for r in clean.values()) <= {"PASS", "SKIP"}


def test_a_genie_parse_past_its_deadline_is_a_failure_that_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PARSE_DEADLINE", SHORT_DEADLINE)
    text = render_output(PROFILE, "show platform") + RUNAWAY + "\n"
    started = time.monotonic()
    with pytest.raises(parsing.ParseFailure) as failure, parsing.parse_deadline(text):
        parsing.genie_parse("iosxe", "show platform", text)
    assert time.monotonic() - started < 5
    assert str(failure.value) == (f"did not finish within {SHORT_DEADLINE:g} s (the output's "
                                  f"longest line is {len(RUNAWAY):,} characters)")
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL  # left as it was found
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _stubborn(text: str) -> str:
    """A parser that catches everything, the interruption too, and reads on."""
    for line in text.splitlines():
        try:
            re.match(r"^(\d+)*x$", line)  # backtracks without end on a line of digits
        except BaseException:  # noqa: BLE001, S112 - the parser's fault this test is about
            continue
    return "read"


def test_a_parse_that_catches_the_interruption_is_stopped_and_fails_all_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PARSE_DEADLINE", SHORT_DEADLINE)
    text = f"{RUNAWAY}\n{RUNAWAY}\n"
    started = time.monotonic()
    with pytest.raises(parsing.ParseFailure, match="did not finish"), \
            parsing.parse_deadline(text):
        _stubborn(text)
    assert time.monotonic() - started < 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_check_whose_genie_parse_is_stopped_reads_the_output_its_other_way(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parsing, "PARSE_DEADLINE", SHORT_DEADLINE)
    clean = _statuses(_outputs(poisoned=False))
    started = time.monotonic()
    stopped = _statuses(_outputs(poisoned=True))
    assert time.monotonic() - started < 30  # a deadline or two, not the parser's years
    _same_statuses(clean, stopped)
    assert stopped["op.modules.state"]["status"] == "PASS"


def test_a_judge_worker_stops_the_parse_and_goes_on_to_the_next_chassis(
        tmp_path: Path) -> None:
    def job(hostname: str, outputs: dict[str, RawOutput]) -> Judgement:
        return Judgement(
            run_id="r", hostname=hostname, platform=PLATFORM,
            check_ids=tuple(c.id for c in load_catalogue().all()), outputs=outputs,
            evidence=None, session=None, policy=load_policy(),
            context=HostContext(hostname=hostname, declaration=None, hold_list=None),
            started_at=utc_now(), site=None, address=None, redactions={}, show_tech=None,
            judged_with=None)

    with judge_pool(1, ["iosxe"]) as pool:  # one worker: it judges both, one after the other
        assert pool is not None
        stopped, _ = pool.pools[-1].submit(judge_hastily, job("runaway", _outputs(poisoned=True)),
                                 tmp_path).result(timeout=120)
        after, _ = pool.pools[-1].submit(judge_hastily, job("next", _outputs(poisoned=False)),
                               tmp_path).result(timeout=120)
    join_worker_processes()
    assert stopped["verdict"] == after["verdict"] == "PASS", (stopped, after)
    _same_statuses(_checks(tmp_path / "records" / "next.json"),
                   _checks(tmp_path / "records" / "runaway.json"))


def _checks(record: Path) -> dict[str, Any]:
    return {c["id"]: c for c in json.loads(record.read_text())["checks"]}


def test_outside_the_main_thread_a_parse_runs_without_a_deadline() -> None:
    failures: list[BaseException] = []

    def parse() -> None:
        try:
            with parsing.parse_deadline("Chassis type: C9300-48P"):
                time.sleep(0.01)
        except BaseException as exc:  # signal.signal refuses every thread but the main one
            failures.append(exc)

    thread = threading.Thread(target=parse)
    thread.start()
    thread.join()
    assert failures == []
