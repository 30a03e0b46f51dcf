"""The reader of interface error counters (`op.interfaces.errors`).

It reads exactly what its first form read: that form tried its patterns at every character
(12 times slower on a 48-port switch) and is kept here as the reference. Compared on every lab
profile's output in every scenario, every case text of the check, and those texts cut, joined
and changed at random. It serves the check before Genie, which reads what it cannot.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks.operational import (
    INTERFACE_ERRORS,
    ErrorCounters,
    InterfaceErrors,
    _fc_counters,
    parse_interface_counters,
)
from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_chassis
from inspector.evidence import RawOutput
from inspector.facts import Own, Source, Unreadable
from inspector.policy import load_policy
from mock_devices.lab import render_output
from mock_devices.profiles import load_profiles

CASES = Path(__file__).parent / "cases" / "operational.yaml"
_COUNTER_WORDS = re.compile(r"\d (?:input error|CRC|frames input)")


def reference(text: str) -> InterfaceErrors:
    """The reader as it was first written."""
    found: InterfaceErrors = {}
    for block in re.split(
        r"^(?=(?:Interface )?[A-Za-z][\w\-/.:]*\d\S*\s.*\bis\s)", text, flags=re.MULTILINE
    ):
        name = re.match(r"^(?:Interface )?(\S+)", block)
        if name and re.search(r"\d frames input\b", block):
            found[name[1]] = _fc_counters(name[1], block)
            continue
        errors = re.search(r"(\d+) input errors?\b", block)
        if name and errors:
            crc = re.search(r"(\d+) CRC\b", block)
            found[name[1]] = ErrorCounters(
                input_errors=int(errors[1]), crc=int(crc[1]) if crc else 0
            )
    if not found:
        raise Unreadable("no interface with error counters")
    return found


def _command(device_type: str) -> str:
    return "show interface" if device_type in ("cisco_nxos", "cisco_asa") else "show interfaces"


def lab_texts() -> list[str]:
    texts = []
    for name, profile in sorted(load_profiles().items()):
        for scenario in sorted(profile.scenarios):
            try:
                texts.append(render_output(name, _command(profile.device_type), scenario))
            except KeyError:  # the scenario rejects the command
                continue
    return list(dict.fromkeys(texts))  # scenarios that leave the output alone print it again


def case_texts() -> list[str]:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return [spec["text"] for case in cases if case["check"] == "op.interfaces.errors"
            for spec in (case.get("outputs") or {}).values()
            if isinstance(spec, dict) and "text" in spec]


def changed(texts: list[str], seed: int) -> list[str]:
    """Each text cut, joined to another, and with lines, digits and words changed."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        for _ in range(4):
            lines = text.split("\n")
            counted = [i for i, line in enumerate(lines) if _COUNTER_WORDS.search(line)]
            for _ in range(rng.randint(1, 6)):
                change = rng.randrange(7)
                # Lines anywhere are dropped, repeated and moved; the counters' own are changed.
                at = rng.choice(counted) if change > 2 and counted else rng.randrange(len(lines))
                if change == 0:
                    del lines[at]
                    counted = [i - (i > at) for i in counted if i != at]
                elif change == 1:
                    lines.insert(at, lines[rng.randrange(len(lines))])
                    counted = [i + (i >= at) for i in counted]
                elif change == 2:  # a header indented, or an indented line brought out
                    lines[at] = lines[at][1:] if lines[at][:1].isspace() else " " + lines[at]
                elif change == 3:  # a counter's digit as another script writes it, or a letter
                    lines[at] = re.sub(r"\d(?= (?:input|CRC|frames))",
                                       rng.choice(["\u0663", "x", "", "7 ", "\u00b2"]),
                                       lines[at], count=1)
                elif change == 4:
                    lines[at] = lines[at].replace(" input error", rng.choice(
                        [" input errorX", " input errors", "input error", "  input error"]))
                elif change == 5:
                    lines[at] = lines[at].replace(" CRC", rng.choice([" CRCs", "CRC", " CRC,"]))
                else:
                    lines[at] = lines[at].replace(" frames input", " frames inputs")
                if not lines:
                    lines = [""]
            cut = rng.randrange(len(text) + 1)
            joined = rng.choice(texts)
            out += ["\n".join(lines), text[:cut], text[cut:], text[:cut] + joined]
    return out


def _read(reader: Any, text: str) -> tuple[str, Any]:
    try:
        return "read", reader(text)
    except Unreadable as exc:
        return "unreadable", str(exc)
    except ValueError as exc:  # a number that is not one
        return "misread", str(exc)


def test_every_lab_and_case_text_is_read_as_the_first_form_read_it() -> None:
    texts = lab_texts() + case_texts()
    assert len(texts) > 40  # every profile, and the scenarios that change the output
    read = 0
    for text in texts:
        ours = _read(parse_interface_counters, text)
        assert ours == _read(reference, text)
        read += ours[0] == "read"
    assert read > 0.9 * len(texts)


def test_texts_changed_at_random_are_read_as_the_first_form_read_them() -> None:
    texts = lab_texts() + case_texts()
    outcomes = set()
    for text in changed(texts, seed=19):
        ours = _read(parse_interface_counters, text)
        assert ours == _read(reference, text), text[:300]
        outcomes.add(ours[0])
    assert outcomes == {"read", "unreadable"}


def _judge(platform: str, text: str) -> dict[str, Any]:
    command = _command(platform)

    def output(asked: str) -> RawOutput:
        if asked == command:
            return RawOutput.from_text(command, text, platform=platform)
        return RawOutput(command=asked, text=None, absent=True)

    check = load_catalogue().get("op.interfaces.errors")
    [result] = evaluate_chassis(platform=platform, outputs=output, session=None,
                                checks=[check], policy=load_policy(None))
    return result


@pytest.mark.parametrize("profile", ["cat9300", "cisco2811", "nexus9300", "asr9006"])
def test_ours_serves_first_and_genie_reads_when_ours_cannot(
        profile: str, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = load_profiles()[profile].device_type
    text = render_output(profile, _command(platform)).replace(
        " 0 input error", " 7000 input error", 1)
    first = _judge(platform, text)
    assert first["status"] == "FAIL"
    assert {c["parser"] for c in first["commands"]} == {"own"}

    def cannot(text: str) -> InterfaceErrors:
        raise Unreadable("a layout this reader does not know")

    source = INTERFACE_ERRORS.sources[platform]
    monkeypatch.setitem(INTERFACE_ERRORS.sources, platform, Source(
        source.command, *(Own(cannot) if isinstance(s, Own) else s for s in source.strategies),
        rows=source.rows))
    second = _judge(platform, text)
    assert {c["parser"] for c in second["commands"]} == {"genie"}
    assert (second["status"], second["message"]) == (first["status"], first["message"])
