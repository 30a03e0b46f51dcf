"""A capture's line ends never change what is judged.

netmiko reads every line end a live session sends (`\\r\\n`, `\\r\\r\\n`, `\\n\\r`, a lone
`\\r`) as one `\\n`; a capture saved by a terminal keeps them as they came, and an old one may
end its lines with `\\r` alone. Genie's parsers split lines on a lone `\\r` where our own
readers and row counters did not: an ISR 4000 inventory saved with `\\r` alone was one line to
the counter (no entries to check a parser against) and Genie's reading, which drops the
`module` entries, passed the chassis on what was left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session
from inspector.facts import FactResolver
from inspector.policy import load_policy
from tests.corpus import companion_text, corpus_file, default_companions
from tests.test_corpus_labels import LABELLED, REFUSAL, Label, needs_corpus


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").split("\n")


STYLES: dict[str, Callable[[str], str]] = {
    "CR LF": lambda text: "\r\n".join(_lines(text)),
    "CR alone": lambda text: "\r".join(_lines(text)),
    "LF CR": lambda text: "\n\r".join(_lines(text)),
    "CR CR LF": lambda text: "\r\r\n".join(_lines(text)),
    # A capture pasted together from two terminals: LF and CR LF line by line.
    "LF and CR LF": lambda text: "".join(
        line + ("\n" if i % 2 else "\r\n") for i, line in enumerate(_lines(text)[:-1])
    ) + _lines(text)[-1],
}


def _judged(check_id: str, platform: str, outputs: Callable[[str], str]) -> dict[str, Any]:
    def output(command: str) -> RawOutput:
        return RawOutput.from_text(command, outputs(command), platform=platform)

    result = evaluate_check(load_catalogue().get(check_id), platform=platform,
                            resolver=FactResolver(platform, output),
                            session=Session(connected=True, privileged=True),
                            policy=load_policy())
    return {key: result[key] for key in ("status", "message", "evidence")}


def _label_outputs(label: Label, styled: Callable[[str], str]) -> Callable[[str], str]:
    text = label.path.read_text(encoding="utf-8", errors="replace")
    read = load_catalogue().get(label.check).commands(label.platform)
    companions = {**default_companions(label.platform, label.command, read), **label.companions}

    def output(command: str) -> str:
        if command == label.command:
            return styled(text)
        if command in companions:
            return styled(companion_text(companions[command]))
        return styled(REFUSAL)

    return output


ISR4331_INVENTORY = "iosxe/show_inventory/genieparser--golden_output_isr4k.txt"


@pytest.mark.parametrize("style", STYLES)
def test_an_isr_inventory_is_read_whole_whatever_its_line_ends(style: str) -> None:
    text = corpus_file(ISR4331_INVENTORY).read_text(encoding="utf-8")
    assert text.count("NAME:") == 11
    plain = _judged("hw.inventory.serials", "cisco_xe", lambda _command: text)
    assert plain["status"] == "PASS"
    assert plain["evidence"][0] == {"path": "inventory", "actual": 11}
    assert _judged("hw.inventory.serials", "cisco_xe",
                   lambda _command: STYLES[style](text)) == plain


@needs_corpus
def test_no_labelled_output_is_judged_otherwise_for_its_line_ends() -> None:
    """Every check on every labelled real output (show version, show inventory, show
    platform, show environment, show license ...): the same status, message and evidence
    with a lone CR, LF CR, or LF and CR LF mixed (CR LF is read as the device's line end since
    the first release; the ISR inventory above holds every style)."""
    differ = []
    for label in LABELLED:
        plain = _judged(label.check, label.platform, _label_outputs(label, lambda text: text))
        for style in ("CR alone", "LF CR", "LF and CR LF"):
            styled = _judged(label.check, label.platform, _label_outputs(label, STYLES[style]))
            if styled != plain:
                differ.append(f"{label.id} ({style}): {plain['status']} "
                              f"({plain['message'][:80]}) became {styled['status']} "
                              f"({styled['message'][:80]})")
    assert LABELLED
    assert differ == []


BOOTVAR = "show_bootvar/genieparser--golden_output1.txt"


@needs_corpus
@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                                       "\u2028", "\u2029"])
def test_a_line_end_only_some_readers_see_makes_an_output_unread(separator: str) -> None:
    """A form feed in place of every fifth line end of a real `show bootvar` had Genie read
    lines our readers did not: the register check passed a chassis its label fails."""
    label = next(lb for lb in LABELLED
                 if lb.file == BOOTVAR and lb.check == "op.config.register")
    assert label.status == "FAIL"

    def every_fifth(text: str) -> str:
        lines = _lines(text)
        return "".join(line + (separator if i % 5 == 4 else "\n")
                       for i, line in enumerate(lines[:-1])) + lines[-1]

    judged = _judged(label.check, label.platform, _label_outputs(label, every_fifth))
    assert judged["status"] == "ERROR", judged
    code = separator.encode("unicode_escape").decode("ascii")
    assert f"not the device's plain answer: it holds a `{code}`" in judged["message"]
