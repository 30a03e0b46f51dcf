"""Attack: outputs whose columns are padded wide. Every reader of ours still ends.

A reader's pattern that lets runs of spaces be split in every way goes cubic in their width:
the first sensor-row pattern took 0.26 ms a row at 17 spaces between columns, 0.1 s at 80, and
11 s at 300, so a chassis printing wide columns would have stalled the judge worker, and every
chassis queued behind it. The first UDI-row pattern took over 20 s for four rows indented 1000
spaces, and the first inventory pattern 506 s for an NX-OS output with each line said 30 times
over on itself. Every parser of ours and every raw-text row count here reads the real outputs
(the lab's and the corpus's) with each run of spaces widened to 1000, with 1000 spaces after
every line, with each line said 30 times over on itself, and with no line ends at all. Each
read is stopped by an alarm after 20 s, so that a runaway pattern fails the test instead of
hanging it; the slowest read today takes about 3 s (the NX-OS inventory's, each line said 30
times over), the others under 0.2 s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from inspector.catalogue import load_catalogue
from tests.readers import Overtime, time_limit
from tests.test_fuzz import OWN, outputs_of

_SECONDS = 20


def _readers() -> list[tuple[str, Callable[[str], Any], str, str]]:
    found: dict[tuple[int, str, str], tuple[str, Callable[[str], Any], str, str]] = {}
    for fact, platform, command, strategy in OWN:
        parse = strategy.parse  # type: ignore[union-attr]
        named = getattr(parse, "func", parse).__name__  # a partial names its function
        found.setdefault((id(parse), platform, command),
                         (f"{fact}-{platform}-{named}", parse, platform, command))
    for check in load_catalogue().all():
        for fact in check.facts:
            for platform, source in sorted(fact.sources.items()):
                if source.rows is None:
                    continue
                for command in source.commands:
                    found.setdefault((id(source.rows.in_text), platform, command),
                                     (f"{fact.name}-{platform}-rows", source.rows.in_text,
                                      platform, command))
    return sorted(found.values(), key=lambda item: (item[0], item[3]))


READERS = [item for item in _readers() if outputs_of(item[2], item[3])]


def _padded(text: str) -> Iterator[str]:
    yield re.sub(r"  +", " " * 1000, text)
    yield "\n".join(line + " " * 1000 for line in text.splitlines())
    yield "\n".join(" ".join([line] * 30) for line in text.splitlines())  # each said 30 times over
    yield text.replace("\n", " ")  # no line ends


def test_every_reader_is_tried() -> None:
    assert len(READERS) > 50
    assert any("environment" in name for name, *_ in READERS)


@pytest.mark.parametrize("item", READERS, ids=lambda item: f"{item[0]}-{item[3]}")
def test_a_padded_output_is_read_before_the_alarm(item: tuple[str, Callable[[str], Any], str, str]
                                            ) -> None:
    _name, read, platform, command = item
    for text in outputs_of(platform, command):
        for padded in _padded(text):
            try:
                with time_limit(_SECONDS):
                    read(padded)
            except Overtime:
                pytest.fail(f"still reading a padded `{command}` after {_SECONDS} s")
            except Exception:  # a padded output may well be unreadable: that is an answer
                pass
