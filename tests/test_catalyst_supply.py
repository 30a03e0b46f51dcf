r"""A Catalyst supply row (`show environment all`) is read as its first pattern read it.

The first form, `^(\S+)\s+(?:(\S+)\s+)?(.+?)\s+(Good|Bad|n/a|N/A)\s+(Good|Bad|n/a|N/A)\s+
(\S+)\s*$`, tried every split of the spaces after the PID and after the serial: 2.2 s for one
output with its columns 1000 spaces apart. It is kept here as the reference: the reader must
find the same status, or none, on every line it can be given: the lab's and the corpus's
environment outputs (each line, and each line after its first cell, as the reader passes a
row after the supply's name), the check's case texts, and lines made at random from the cells
such tables print.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from checks.environment import catalyst_supply_status
from tests.corpus import corpus_file
from tests.readers import time_limit
from tests.test_line_ends import _judged
from tests.test_sensor_rows import case_lines, corpus_lines, real_lines

REFERENCE = re.compile(
    r"^(?P<pid>\S+)\s+(?:(?P<serial>\S+)\s+)?(?P<status>.+?)\s+(?P<sys>Good|Bad|n/a|N/A)\s+"
    r"(?P<poe>Good|Bad|n/a|N/A)\s+(?P<watts>\S+)\s*$"
)


def _reference(rest: str) -> str | None:
    found = REFERENCE.match(rest)
    return None if found is None else found["status"]


def _rests(lines: list[str]) -> list[str]:
    """Each line as it is and stripped, and what follows its first cell."""
    rests = [variant for line in lines for variant in (line, line.strip())]
    rests += [parts[1] for line in lines if len(parts := line.strip().split(None, 1)) == 2]
    return list(dict.fromkeys(rests))


# Cells as supply tables print them, and some that none prints, to be joined at random.
_CELLS = ["PWR-C1-715WAC", "PWR-C1-1100WAC", "DCB1844G1ZY", "LIT2049", "OK", "Not Present",
          "No Input Power", "Bad", "Good", "n/a", "N/A", "good", "715", "1100", "-", "Built-in",
          "Sys", "Pwr", "PoE", "Watts", "1A", "2B", "Faulty"]
_SPACES = [" ", "  ", "   ", "\t", " \t ", " " * 6, " " * 17]


def random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        cells = rng.choices(_CELLS, k=rng.randint(1, 8))
        if len(cells) >= 4 and rng.random() < 0.6:  # Sys Pwr, PoE Pwr and watts at the end
            cells[-3:] = [rng.choice(["Good", "Bad", "n/a", "N/A"]),
                          rng.choice(["Good", "Bad", "n/a", "N/A"]), rng.choice(["715", "-"])]
        line = "".join(rng.choice(_SPACES) + cell for cell in cells)
        line = line if rng.random() < 0.2 else line.lstrip()
        lines.append(line + rng.choice(["", "", " ", "   "]))
    return lines


@pytest.mark.parametrize(("source", "rows"), [(real_lines, 5), (corpus_lines, 5),
                                              (case_lines, 2)])
def test_the_same_status_as_the_first_form(source, rows: int) -> None:
    rests = _rests(source())
    assert sum(_reference(rest) is not None for rest in rests) >= rows  # rows were tried
    assert [rest for rest in rests if catalyst_supply_status(rest) != _reference(rest)] == []


def test_the_same_status_on_random_lines() -> None:
    lines = random_lines(30_000, seed=20261206)
    statuses = [_reference(line) for line in lines]
    assert 3_000 < sum(status is not None for status in statuses) < 27_000  # well tried
    assert sum(status is not None and status.isspace() for status in statuses) > 50
    differ = [line for line, status in zip(lines, statuses, strict=True)
              if catalyst_supply_status(line) != status]
    assert differ == []


def test_a_row_of_columns_2000_spaces_apart_is_read_at_once() -> None:
    gap = " " * 2000
    rows = [gap.join(["PWR-C1-715WAC", "DCB1844G1ZY", "OK", "Good", "Good", "715"]),
            gap.join(["PWR-C1-715WAC", "DCB1844G1ZY", "Good", "Good", "715"]),
            gap.join(["PWR-C1-715WAC", "Good", "Good", "715"]),
            gap.join(["PWR-C1-715WAC", "DCB1844G1ZY", "No", "Input", "Power", "Bad", "x"])]
    with time_limit(5):
        statuses = [catalyst_supply_status(row) for row in rows]
    assert statuses == ["OK", " ", " ", None]


# A Catalyst 9300 stack on 17.x lists each supply's sensors above its supply table; the real
# outputs show every one GOOD, or NOT PRESENT for an empty bay.
C9300_STACK = "iosxe/show_environment_all/genieparser--cat9k_c9300-golden_output1.txt"
PS1_VOUT = " PS1 Vout        2               GOOD               56125 mV          na"


def _psu(text: str) -> dict[str, Any]:
    return _judged("hw.psu.status", "cisco_xe", lambda _command: text)


def test_a_supply_sensor_in_a_bad_state_fails_the_supply_its_table_calls_ok() -> None:
    text = corpus_file(C9300_STACK).read_text(encoding="utf-8")
    assert text.count(PS1_VOUT) == 1 and "2A  PWR-C1-1100WAC      LIT211333AN  OK" in text
    assert _psu(text)["status"] == "PASS"
    for state in ("BAD", "FAULTY", "Warning"):
        judged = _psu(text.replace(PS1_VOUT, PS1_VOUT.replace("GOOD", state.ljust(4))))
        assert judged["status"] == "FAIL", judged
        assert judged["message"] == f"power supply sensors not ok: switch 2 PS1 Vout: {state}"


def test_a_supply_sensor_row_that_cannot_be_read_is_no_evidence() -> None:
    text = corpus_file(C9300_STACK).read_text(encoding="utf-8")
    judged = _psu(text.replace(PS1_VOUT, " PS1 Vout        2               GOO"))
    assert judged["status"] == "ERROR", judged
    assert "the supply sensor row `PS1 Vout        2               GOO` cannot be read" in (
        judged["message"])
