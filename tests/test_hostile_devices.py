"""Chassis that misbehave on the wire in ways the lab's scenarios do not: a healthy lab chassis
served over real SSH on 127.0.0.1, one of its outputs sent as a hostile device would send it
(bytes that are not text, a character cut between two packets, control characters), inspected
through the CLI a user runs. What the record says, and what the evidence holds, is checked
against what the device sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from mock_devices import ChassisSpec, get_profile, running_lab, server
from tests.lab_run import inspector, records
from tests.test_resilience import FAST_POLICY

pytestmark = pytest.mark.lab

PROFILE = "cat9300"
HOSTNAME = f"{PROFILE}-1"
ENVIRONMENT = "show_environment_all"  # the slug of the output each attack changes
FAN_ROW = b"  1  \t  1\t5440\t  OK\t Front to Back"  # the first fan row of its healthy output
LAST_FAN_ROW = b"  1  \t  3\t5440\t  OK\t Front to Back"

# What the device does in place of printing an output: given the session and the healthy
# output's bytes (CRLF line ends, as sent), it writes what it likes.
Attack = Callable[[server.CliSession, bytes], Awaitable[None]]


def _serve_hostile(monkeypatch: pytest.MonkeyPatch, slug: str, attack: Attack) -> None:
    healthy_show = server.CliSession.show

    async def show(self: server.CliSession, key: str, pipe: str) -> bool:
        if key != slug:
            return await healthy_show(self, key, pipe)
        await attack(self, self.chassis.output(key).replace("\n", "\r\n").encode())
        await self.flush()
        return True

    monkeypatch.setattr(server.CliSession, "show", show)


def _inspect(tmp_path: Path) -> tuple[dict[str, Any], Path]:
    """The lab chassis inspected, no show tech: its record and its evidence folder."""
    spec = ChassisSpec(hostname=HOSTNAME, profile=PROFILE, scenario="healthy", index=1,
                       serial=get_profile(PROFILE).serial(1))
    (tmp_path / "policy.yaml").write_text(FAST_POLICY)
    with running_lab([spec], inventory_out=tmp_path / "inventory"):
        done = inspector("run", "--inventory", str(tmp_path / "inventory"), "--out",
                         str(tmp_path / "out"), "--run-id", "hostile", "--no-show-tech",
                         "--policy", str(tmp_path / "policy.yaml"),
                         env={"INSPECTOR_KEY": str(tmp_path / "key.pem")}, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    run_dir = tmp_path / "out" / "hostile"
    return records(run_dir)[HOSTNAME], run_dir / "evidence" / HOSTNAME


def _check(record: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in record["checks"] if c["id"] == check_id)


def test_bytes_that_are_not_text_and_a_character_cut_between_packets_are_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """netmiko decoded each read alone and dropped what was not UTF-8: a fan state sent as
    `O\\xffK` was saved, and passed, as `OK`; an `ä` whose two bytes came in two packets
    vanished from the evidence."""
    async def attack(session: server.CliSession, output: bytes) -> None:
        output = output.replace(FAN_ROW, FAN_ROW.replace(b"OK", b"O\xffK").replace(
            b"Back", "Bäck".encode()), 1)
        cut = output.index("ä".encode()) + 1
        session.process.stdout.write(output[:cut])
        await session.flush()
        await asyncio.sleep(0.3)  # the second byte of `ä` comes in a packet of its own
        session.process.stdout.write(output[cut:])

    _serve_hostile(monkeypatch, ENVIRONMENT, attack)
    record, evidence = _inspect(tmp_path)
    saved = (evidence / f"{ENVIRONMENT}.txt").read_text(encoding="utf-8")
    assert "  1  \t  1\t5440\t  O\ufffdK\t Front to Bäck\n" in saved
    assert _check(record, "hw.fan.status")["status"] != "PASS"


@pytest.mark.parametrize("control", [b"\x00", b"\x07", b"\x08"],
                         ids=["NUL", "bell", "backspace"])
def test_a_control_character_before_a_failed_fans_row_makes_the_output_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, control: bytes) -> None:
    """The parsers read past a row that does not start as a row should: a failed fan's row
    behind a NUL went unseen, and the chassis passed on its four other fans. A backspace was
    deleted from the output as it was read (netmiko's echo stripping), and the row judged as
    if the device had not sent it."""
    async def attack(session: server.CliSession, output: bytes) -> None:
        session.process.stdout.write(output.replace(
            LAST_FAN_ROW, control + LAST_FAN_ROW[1:].replace(b"OK", b"BAD"), 1))

    _serve_hostile(monkeypatch, ENVIRONMENT, attack)
    record, evidence = _inspect(tmp_path)
    saved = (evidence / f"{ENVIRONMENT}.txt").read_bytes()
    assert control + b" 1  \t  3\t5440\t  BAD" in saved  # kept as the device sent it
    for check_id in ("hw.fan.status", "hw.psu.status", "hw.temperature.status"):
        check = _check(record, check_id)
        assert check["status"] == "ERROR", (check_id, check["message"])
        assert "control character" in check["message"], check["message"]
    assert record["verdict"] == "ERROR"


MALLOC_FAIL = ("*Dec  7 10:00:02.123: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes "
               "failed\n")


@pytest.mark.parametrize("slug", ["show_logging", "show_interface_summary"],
                         ids=["an output in the middle", "the session's last output"])
def test_an_output_that_goes_on_after_two_prompt_lines_and_a_pause_is_not_collected(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slug: str) -> None:
    """Two lines equal to the prompt, then a pause, looked like the end (the prompt, then the
    one answering the empty line typed ahead): the log was judged on its first 11 messages,
    the rest was thrown away before the next command's echo, and the memory allocation
    failure logged after them was never seen: the chassis passed."""
    async def attack(session: server.CliSession, output: bytes) -> None:
        lines = output.decode().splitlines(keepends=True)
        if slug == "show_logging":
            lines.append(MALLOC_FAIL.replace("\n", "\r\n"))
        cut = len(lines) * 3 // 4
        session.write("".join(lines[:cut]) + f"{session.prompt}\r\n" * 2)
        await session.flush()
        await asyncio.sleep(2.0)  # longer than the read's wait before it asks again
        session.write("".join(lines[cut:]))

    _serve_hostile(monkeypatch, slug, attack)
    record, evidence = _inspect(tmp_path)
    if slug == "show_logging":
        check = _check(record, "op.logging.critical")
        assert check["status"] == "ERROR", check["message"]
        assert "went on after two lines equal to the prompt" in check["message"]
    index = json.loads((evidence / "index.json").read_text())
    command = " ".join(slug.split("_"))
    (entry,) = [e for e in index["commands"] if e["command"] == command]
    assert entry.get("error") == ("not collected: the output went on after two lines equal to "
                                  "the prompt, taken for its end")
    assert "file" not in entry and not (evidence / f"{slug}.txt").exists()
    # Every other output was read whole, in step: only what read the cut one is not judged.
    errored = {c["id"] for c in record["checks"] if c["status"] == "ERROR"}
    assert errored <= {"op.logging.critical"}, errored


def test_a_privileged_prompt_other_than_the_user_one_is_not_a_refused_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """netmiko gives up on `enable` when the prompt after the secret is not the one it knows;
    the chassis was recorded as refusing a secret it had accepted, and not inspected."""
    user_prompt = server.CliSession.prompt

    def prompt(session: server.CliSession) -> str:
        return "Switch(priv)#" if session.privileged else user_prompt.fget(session)

    monkeypatch.setattr(server.CliSession, "prompt", property(prompt))
    record, _ = _inspect(tmp_path)
    assert record["session"]["error"] is None, record["session"]
    assert record["session"]["privileged"] and record["session"]["prompt"] == "Switch(priv)#"
    assert record["verdict"] == "PASS", record["verdict_reason"]


async def _hang_up(session: server.CliSession) -> None:
    await session.flush()
    session.process.channel.get_connection().abort()
    raise server.SessionClosed


@pytest.mark.parametrize("moment", ["mid-line", "after the header", "before the prompt"])
def test_a_session_cut_at_any_moment_of_an_output_leaves_it_unjudged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """Every session of the chassis hangs up during `show environment all`: mid-line, after
    its first line, or once the whole output is sent but before the prompt that would show
    it had ended. No check reads what arrived."""
    async def attack(session: server.CliSession, output: bytes) -> None:
        sent = {"mid-line": output[:output.index(FAN_ROW) + 10],
                "after the header": output[:output.index(b"\n", 2) + 1],
                "before the prompt": output}[moment]
        session.process.stdout.write(sent)
        await _hang_up(session)

    _serve_hostile(monkeypatch, ENVIRONMENT, attack)
    record, evidence = _inspect(tmp_path)
    assert not (evidence / f"{ENVIRONMENT}.txt").exists()
    for check_id in ("hw.fan.status", "hw.psu.status", "hw.temperature.status"):
        check = _check(record, check_id)
        assert check["status"] == "ERROR", (check_id, check["message"])
        assert "connection lost during `show environment all`" in check["message"]
    assert not [c["id"] for c in record["checks"] if c["status"] == "FAIL"]


def test_a_refused_terminal_length_leaves_every_paged_output_unread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`terminal length 0` answered `% Invalid input`: the refusal is not taken for an output,
    and the first output long enough to page stops the session at `--More--`."""
    set_terminal = server.CliSession.terminal

    def terminal(session: server.CliSession, command: str) -> None:
        if command.startswith("terminal length"):
            session.write(session.error(session.traits.invalid_input, 9).replace("\n", "\r\n"))
        else:
            set_terminal(session, command)

    monkeypatch.setattr(server.CliSession, "terminal", terminal)
    record, evidence = _inspect(tmp_path)
    assert record["verdict"] == "ERROR"
    assert "stopped at --More--: the device kept paging" in record["session"]["error"]
    assert not [c["id"] for c in record["checks"] if c["status"] in ("PASS", "FAIL")
                and c["id"] != "op.session.access"]
    assert not [p.name for p in evidence.glob("*.txt") if "Invalid input" in p.read_text()]


def test_a_session_dropped_out_of_enable_mode_reads_nothing_more_as_privileged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After its fifth output, every session of the chassis is back in user mode: the outputs
    asked after that never end at the privileged prompt, and none is judged."""
    healthy_show = server.CliSession.show

    async def show(session: server.CliSession, key: str, pipe: str) -> bool:
        answered = getattr(session, "answered", 0)
        session.answered = answered + 1  # type: ignore[attr-defined]
        if answered == 5:
            session.privileged = False
        return await healthy_show(session, key, pipe)

    monkeypatch.setattr(server.CliSession, "show", show)
    record, _ = _inspect(tmp_path)
    assert record["verdict"] == "ERROR"
    assert record["session"]["error"].startswith("timed out after 8 s during `")
    # The user mode's refusals (`% Invalid input`) were never taken for outputs, nor judged.
    assert not [c["id"] for c in record["checks"] if c["status"] == "FAIL"]
    assert any(c["status"] == "ERROR" and "timed out" in c["message"] for c in record["checks"])


def test_a_line_of_a_megabyte_is_read_and_kept_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_line = b"x" * 1_000_000

    async def attack(session: server.CliSession, output: bytes) -> None:
        session.process.stdout.write(output + long_line + b"\r\n")

    _serve_hostile(monkeypatch, "show_logging", attack)
    record, evidence = _inspect(tmp_path)
    saved = (evidence / "show_logging.txt").read_bytes()
    assert saved.endswith(b"\n" + long_line)
    assert record["session"]["error"] is None
