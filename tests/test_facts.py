"""A source's `otherwise`, read in place of a value its source calls incomplete."""

from __future__ import annotations

from inspector.evidence import RawOutput, sha256_text
from inspector.facts import Fact, FactResolver, FactValue, Own, Source


def _lines(text: str) -> list[str]:
    return text.split()


# A listing is incomplete without `chassis`; the other command lists it.
FACT = Fact("listing", {"cisco_xr": Source(
    "show inventory", Own(_lines),
    incomplete=lambda items: None if "chassis" in items else "no chassis",
    otherwise=Source("admin show inventory", Own(_lines)))})


def _resolve(answers: dict[str, str | None]) -> FactValue:
    def output(command: str) -> RawOutput:
        text = answers.get(command)
        if text is None:
            return RawOutput(command=command, text=None,
                             error="rejected by the device: % Permission denied")
        return RawOutput(command=command, text=text, sha256=sha256_text(text))

    return FactResolver("cisco_xr", output).resolve(FACT)


def test_a_complete_value_stands() -> None:
    found = _resolve({"show inventory": "chassis card", "admin show inventory": "other"})
    assert (found.command, found.value, found.note) == ("show inventory", ["chassis", "card"], None)


def test_an_incomplete_value_gives_way_to_the_other_source_saying_why() -> None:
    found = _resolve({"show inventory": "card", "admin show inventory": "chassis card fan"})
    assert found.command == "admin show inventory"
    assert found.value == ["chassis", "card", "fan"]
    assert found.note == ("`show inventory`: no chassis; read `admin show inventory` in its "
                          "place")


def test_an_incomplete_value_stands_when_the_other_source_yields_nothing() -> None:
    found = _resolve({"show inventory": "card"})
    assert (found.command, found.value) == ("show inventory", ["card"])
    assert found.note is not None
    assert found.note.startswith("no chassis; `admin show inventory` rejected by the device")
