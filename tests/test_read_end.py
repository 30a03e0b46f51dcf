"""A read ends at the real end of an output, never at a prompt-like line inside it, and a read
that ended early is an error, never a shorter output judged as complete.

Unit tests drive `_send_command` with a scripted device (what arrives, and when); the lab test
serves, over real SSH on 127.0.0.1, a log whose middle holds the chassis's own prompt on a line
of its own, a pause, and a %SYS-2-MALLOCFAIL after it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from netmiko.exceptions import ReadTimeout

from inspector.collect import _NUDGE_AFTER, _send_command
from inspector.evidence import command_slug
from mock_devices import plan_lab, running_lab
from tests.lab_run import inspector, records

PROMPT = "sw1#"
COMMAND = "show logging"
HEAD = "Syslog logging: enabled\nLog Buffer (8192 bytes):\n*Dec  5 10:00:00: %SYS-5-CONFIG_I: x"
TAIL = "*Dec  5 10:00:02: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed"


class ScriptedDevice:
    """Just enough of a netmiko connection for `_send_command`: what the device sends after
    the command (`script`: seconds after it, text), and, if `answers_typed_ahead`, a prompt
    for every empty line typed, once the output is done, as a Cisco CLI does."""

    RETURN = "\n"
    read_timeout_override = None

    def __init__(self, script: list[tuple[float, str | None]], *,
                 answers_typed_ahead: bool = True, answers_later_lines: bool = True) -> None:
        self.remote_conn = SimpleNamespace(
            in_buffer=SimpleNamespace(set_event=self._watch), closed=False, eof_received=False)
        self._script = script
        self._answers = answers_typed_ahead
        self._answers_later = answers_later_lines
        self._lock = threading.Lock()
        self._buffer = ""
        self._event: threading.Event | None = None
        self.written: list[str] = []
        self._timers: list[threading.Timer] = []
        self._output_done = 0.0  # when the last of the script is sent (monotonic)

    def _watch(self, event: threading.Event) -> None:
        self._event = event

    def _arrive(self, text: str | None) -> None:
        with self._lock:
            if text is None:  # the session drops
                self.remote_conn.closed = True
            else:
                self._buffer += text
            assert self._event is not None
            self._event.set()

    def _later(self, seconds: float, text: str | None) -> None:
        timer = threading.Timer(seconds, self._arrive, (text,))
        self._timers.append(timer)
        timer.start()

    def normalize_cmd(self, command: str) -> str:
        return command.rstrip() + "\n"

    def strip_command(self, sent: str, output: str) -> str:
        lines = output.split("\n")
        return "\n".join(lines[1:]) if output.startswith(sent.strip()) else output

    def write_channel(self, data: str) -> None:
        self.written.append(data)
        if len(self.written) == 1:
            typed_ahead = data.count("\n") - 1
            self._arrive(data.split("\n")[0] + "\n")  # the echo
            last = max((at for at, _ in self._script), default=0.0)
            self._output_done = time.monotonic() + last
            for at, text in self._script:
                self._later(at, text)
            if self._answers:
                self._later(last + 0.01, f"\n{PROMPT}" * typed_ahead)
        elif data == self.RETURN and self._answers_later:
            # Answered once the output is done, after any line typed before it.
            self._later(max(0.0, self._output_done - time.monotonic()) + 0.02, f"\n{PROMPT}")

    def read_channel(self) -> str:
        with self._lock:
            text, self._buffer = self._buffer, ""
            if self._event is not None and not self.remote_conn.closed:
                self._event.clear()
            return text

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()


def _read(device: ScriptedDevice, timeout: float = 5.0) -> tuple[str, float]:
    began = time.monotonic()
    try:
        return _send_command(device, COMMAND, PROMPT, timeout), time.monotonic() - began
    finally:
        device.stop()


@pytest.mark.parametrize("pause", [0.4, _NUDGE_AFTER + 0.3])
def test_a_prompt_line_inside_an_output_followed_by_a_pause_does_not_end_the_read(
        pause: float) -> None:
    # A pause longer than the quiet window gets an empty line typed again: its prompt, after
    # the output's own two, is not output either.
    device = ScriptedDevice([(0.0, f"{HEAD}\n{PROMPT}\n"), (pause, f"{TAIL}\n{PROMPT}")])
    text, _ = _read(device)
    assert text == f"{HEAD}\n{PROMPT}\n{TAIL}"


def test_an_output_ends_at_once_when_the_device_answers_the_line_typed_ahead() -> None:
    device = ScriptedDevice([(0.0, f"{HEAD}\n{PROMPT}")])
    text, seconds = _read(device)
    assert text == HEAD
    assert seconds < 0.3  # no quiet window is waited out
    assert device.written == [f"{COMMAND}\n\n"]  # the command, one empty line typed ahead


def test_a_device_that_drops_the_line_typed_ahead_is_asked_once_more() -> None:
    device = ScriptedDevice([(0.0, f"{HEAD}\n{PROMPT}")], answers_typed_ahead=False)
    text, seconds = _read(device)
    assert text == HEAD
    assert device.written[1:] == ["\n"]
    assert _NUDGE_AFTER <= seconds < _NUDGE_AFTER + 1.0


@pytest.mark.parametrize("script, reason", [
    ([(0.0, f"{HEAD}\n"), (0.2, None)], "session dropped mid-output"),
    ([(0.0, f"{HEAD}\n{PROMPT}\n")], "prompt-like line, then silence"),
])
def test_a_read_that_ended_early_raises_instead_of_returning_a_shorter_output(
        script: list[tuple[float, str | None]], reason: str) -> None:
    device = ScriptedDevice(script, answers_typed_ahead=False, answers_later_lines=False)
    with pytest.raises(ReadTimeout, match="the end of the output .* did not come"):
        _read(device, timeout=1.5)


@pytest.mark.lab
def test_a_log_with_the_prompt_mid_output_is_read_whole_and_its_failure_found(
        tmp_path: Path) -> None:
    specs = plan_lab(6, "prompt_mid_output")  # one chassis of every platform
    with running_lab(specs, inventory_out=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "mid", "--no-show-tech",
                         "--check", "op.logging.critical", "--workers", "6",
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")})
    assert done.returncode == 1, done.stdout + done.stderr
    found = records(tmp_path / "out" / "mid")
    for spec in specs:
        record = found[spec.hostname]
        (check,) = record["checks"]
        assert check["status"] == "FAIL", (spec.hostname, check["message"])
        assert "%SYS-2-MALLOCFAIL" in check["message"]
        command = check["commands"][0]["command"]
        saved = (tmp_path / "out" / "mid" / "evidence" / spec.hostname
                 / f"{command_slug(command)}.txt").read_text().splitlines()
        # The prompt line stands in the middle, and everything after it was read too.
        prompt = record["session"]["prompt"]
        at = next(i for i, line in enumerate(saved) if line.strip() == prompt)
        assert 0 < at < len(saved) - 1, spec.hostname
        assert "%SYS-2-MALLOCFAIL" in saved[-1], spec.hostname
        assert len(saved) - at - 1 >= at, spec.hostname  # the second half, whole


def test_the_end_is_found_where_the_plain_pattern_finds_it() -> None:
    """`_output_end` looks for line ends first, for speed; on every text below and from every
    start, it finds the end (or none) where the plain pattern, trying each character, does."""
    import random
    import re

    from inspector.collect import _output_end

    plain = re.compile(rf"(?:^|\n)(?P<end>{re.escape(PROMPT)}(?:[ \t]*\n\s*{re.escape(PROMPT)})+)"
                       r"\s*$|--More--\s*$")
    pieces = [PROMPT, "\n", "\r\n", " ", "\t", "\n\n", "--More--", "x", "sw1#x", "line\n",
              f"{PROMPT} show version", "#"]
    rng = random.Random(5)
    end = _output_end(PROMPT)
    texts = [f"{HEAD}\n{PROMPT}\n{PROMPT}", f"{PROMPT}\n{PROMPT}", f"{PROMPT}\n{PROMPT} \n",
             f"{HEAD}\n{PROMPT}", f"{HEAD} --More-- ", ""]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    found_ends = 0
    for text in texts:
        for start in {0, 1, len(text) // 2, max(0, len(text) - 3)}:
            expected = plain.search(text, start)
            cut = None if expected is None else (
                max(0, expected.start("end") - 1) if expected.group("end") is not None
                else len(text))
            assert end.ended_at(text, start) == cut, (text, start)
            found_ends += cut is not None
    assert found_ends > 500  # the texts do end, often
