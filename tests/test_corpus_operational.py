"""Every corpus output of every command the operational checks read, judged through the engine.

For each operational check, platform and command, every corpus file of that command is judged
by the check (its other command, where it has one, answered by a fixed companion output), and
so are fragments cut from the file. Two properties must hold:
- nothing escapes: the engine returns a status, and neither our own parsers nor a check
  function fail with an unexpected exception (which the engine would hide as ERROR);
- a PASS only comes from output holding what the check needs, told by markers written here
  independently of the parsers. A fragment lacking them must not PASS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from inspector.catalogue import Check, load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, command_slug, sha256_text
from inspector.facts import FactResolver
from inspector.platforms import PLATFORMS
from inspector.policy import load_policy
from tests.corpus import COMPANIONS, CORPUS, companion_text

GENIE_OS = {name: platform.genie_os for name, platform in PLATFORMS.items()}

# The directory listings of the corpus are `dir` of the default file system; each platform's
# crash check lists another directory in the same format.
CORPUS_FOLDER = {
    ("cisco_ios", "dir flash:"): "dir",
    ("cisco_xe", "dir crashinfo:"): "dir",
    ("cisco_xe", "dir bootflash:"): "dir",
    ("cisco_xr", "dir harddisk:/dumper"): "dir",
    ("cisco_asa", "dir disk0:"): "dir",
}

_RELOAD_LINE = r"returned to ROM by|Last reload reason:|Last reset from|Reason:"

# What an output must hold for the check to PASS on it, per check and command.
MARKERS: dict[tuple[str, str], str] = {
    ("op.reload.reason", "show version"): _RELOAD_LINE,
    ("op.reload.reason", "show redundancy"): r"node reload",
    # A whole IOS-XE show version without a register (banner and uptime) defers to the ROM
    # monitor variables that replaced it on Catalyst 9000.
    ("op.config.register", "show version"): r"Configuration register|IOS XE Software[^\n]*"
                                            r"\n(?:.*\n)*.* uptime is ",
    ("op.config.register", "show bootvar"): r"Configuration register|CONFIG_FILE variable",
    ("op.config.register", "show romvar"): r"ROMMON variables",
    ("op.crash.files", "dir flash:"): r"bytes total",
    ("op.crash.files", "dir crashinfo:"): r"bytes total",
    ("op.crash.files", "dir bootflash:"): r"bytes total",
    ("op.crash.files", "dir harddisk:/dumper"): r"bytes total",
    ("op.crash.files", "dir disk0:"): r"bytes total",
    ("op.crash.files", "show cores"): r"Process-name",
    ("op.cpu.load", "show processes cpu sorted"): r"five minutes: *\d+%",
    ("op.cpu.load", "show processes cpu"): r"five minutes: *\d+%",
    ("op.cpu.load", "show system resources"): r"CPU states",
    ("op.cpu.load", "show cpu usage"): r"5 minutes: *\d+%",
    ("op.memory.free", "show memory statistics"): r"Processor\s+\S+\s+\d+",
    ("op.memory.free", "show system resources"): r"Memory usage:",
    ("op.memory.free", "show memory summary"): r"Physical Memory:",
    ("op.memory.free", "show memory"): r"Total memory:",
    ("op.modules.state", "show module"): r"Status",
    ("op.modules.state", "show platform"): r"State",
    ("op.redundancy.standby", "show redundancy"): r"Hardware Mode|Partner",
    ("op.redundancy.standby", "show redundancy status"): r"Other supervisor",
    ("op.redundancy.standby", "show failover"): r"This host",
    ("op.logging.critical", "show logging"): r"Log Buffer \(|Buffer logging: level",
    ("op.logging.critical", "show logging logfile"): r"%[A-Z]",
    # The table lists only error-disabled ports: even an empty output is a complete answer.
    ("op.interfaces.errdisabled", "show interfaces status err-disabled"): r"",
    ("op.interfaces.errdisabled", "show interface status err-disabled"): r"",
    ("op.interfaces.errors", "show interfaces"): r"input errors?",
    ("op.interfaces.errors", "show interface"): r"input errors?",
    ("op.software.boot", "show version"): r"image file",
    ("op.software.boot", "show bootvar"): r"BOOT variable",
    ("op.software.boot", "show boot"): r"BOOT path-list|variable =",
    ("op.software.boot", "show install active summary"): r"Active Packages",
    ("op.install.committed", "show version"): r"image file",
    ("op.install.committed", "show install summary"): r"Installed Package",
}

@dataclass(frozen=True)
class Sample:
    check_id: str
    platform: str
    command: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.check_id}-{self.platform}-{command_slug(self.command)}-{self.path.stem}"


def _operational_checks() -> list[Check]:
    return [c for c in load_catalogue().all() if c.id.startswith("op.")]


def _samples() -> list[Sample]:
    samples = []
    for check in _operational_checks():
        for platform in check.platforms:
            for command in check.commands(platform):
                folder = CORPUS_FOLDER.get((platform, command), command_slug(command))
                for path in sorted((CORPUS / GENIE_OS[platform] / folder).glob("*.txt")):
                    samples.append(Sample(check.id, platform, command, path))
    return samples


SAMPLES = _samples() if CORPUS.is_dir() else []


def companion(platform: str, command: str) -> str | None:
    """The other command's answer for a two-command check (tests/corpus.py COMPANIONS)."""
    value = COMPANIONS.get(platform, {}).get(command)
    return None if value is None else companion_text(value)


@cache
def _policy() -> Any:
    return load_policy()


# What a device prints for a command it will not run: the answer to the commands a fallback
# sample's command stands behind in its chain.
_REFUSAL = "                 ^\n% Invalid input detected at '^' marker.\n"


def judge(sample: Sample, text: str) -> dict[str, Any]:
    check = load_catalogue().get(sample.check_id)
    before = next((group[: group.index(sample.command)]
                   for group in check.command_groups(sample.platform)
                   if sample.command in group), ())

    def output(command: str) -> RawOutput:
        if command in before:
            return RawOutput.from_text(command, _REFUSAL, platform=sample.platform)
        body = text if command == sample.command else companion(sample.platform, command)
        if body is None:
            return RawOutput(command=command, text=None, error="not captured")
        return RawOutput(command=command, text=body, sha256=sha256_text(body))

    return evaluate_check(
        check,
        platform=sample.platform,
        resolver=FactResolver(sample.platform, output),
        session=Session(connected=True, privileged=True),
        policy=_policy(),
    )


def fragments(text: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line.strip()]
    return {
        "empty": "",
        "blank": "   \n",
        "first line": (lines[0] + "\n") if lines else "",
        "last line": (lines[-1] + "\n") if lines else "",
    }


def assert_sound(sample: Sample, text: str, what: str) -> None:
    result = judge(sample, text)
    where = f"{sample.path.name} ({what})"
    assert result["status"] in {"PASS", "FAIL", "ERROR", "SKIP"}, where
    # The engine turns a crash into ERROR; ours must not crash at all.
    assert not result["message"].startswith("check could not evaluate"), (
        f"{where}: {result['message']}"
    )
    assert "own: unexpected data" not in result["message"], f"{where}: {result['message']}"
    if result["status"] == "PASS":
        marker = MARKERS[(sample.check_id, sample.command)]
        assert re.search(marker, text), f"{where} PASSED without /{marker}/: {result['message']}"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
@pytest.mark.parametrize("sample", SAMPLES, ids=[s.id for s in SAMPLES])
def test_corpus_output_is_judged_soundly(sample: Sample) -> None:
    text = sample.path.read_text(encoding="utf-8", errors="replace")
    assert_sound(sample, text, "whole file")
    for name, fragment in fragments(text).items():
        assert_sound(sample, fragment, name)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is not at {CORPUS}")
def test_every_operational_command_with_corpus_outputs_is_covered() -> None:
    """The markers name every (check, command) pair, so no corpus command goes unjudged."""
    pairs = {
        (c.id, cmd) for c in _operational_checks() for p in c.platforms for cmd in c.commands(p)
    }
    assert pairs <= set(MARKERS), sorted(pairs - set(MARKERS))
    assert len(SAMPLES) > 300, "the corpus should hold a few hundred outputs of these commands"


def test_session_access_is_error_never_fail() -> None:
    """The case files can only say "privileged session" or "no session": the rest is here."""
    check = load_catalogue().get("op.session.access")
    resolver = FactResolver("cisco_ios", lambda c: RawOutput(command=c, text=None))
    cases = {
        Session(connected=True, privileged=False, prompt="sw1>"): "privileged mode was not reached",
        Session(
            connected=False, privileged=False, error="authentication failed"
        ): "authentication failed",
    }
    for session, reason in cases.items():
        result = evaluate_check(
            check, platform="cisco_ios", resolver=resolver, session=session, policy=_policy()
        )
        assert result["status"] == "ERROR", result
        assert reason in result["message"], result["message"]
