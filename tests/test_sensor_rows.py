"""The pattern of a sensor row (`show environment` on IOS and IOS-XE) matches as its first form.

The first form let the runs of spaces between columns be given back one space at a time, and
was 50 times slower on an ASR 1000's sensor list; it is kept here as the reference. The two
must find the same match, every group alike, on every line the reader can meet: the lab's
outputs in every device scenario, the corpus's, the check's case texts, and lines made at random
from the columns such lists print.
"""

from __future__ import annotations

import random
import re

import pytest

from checks.environment import _SENSOR_ROW
from tests.corpus import CORPUS
from tests.readers import case_texts
from tests.test_fuzz import outputs_of

REFERENCE = re.compile(
    r"^(?P<mid>.*?\S)\s+(?P<value>-?\s*\d+(?:\.\d+)?|NA|N/A)\s*"
    r"(?P<unit>Celsius|mV|mA|mW|V\s+(?:AC|DC)|V|A|W|Watts|RPM|rpm)?\s*"
    r"(?P<tail>\(.*\)|na|-?\d+\s*-\s*-?\d+|Sensor Fault.*)?\s*$"
)

def _groups(pattern: re.Pattern[str], line: str) -> tuple[int, dict[str, str | None]] | None:
    found = pattern.match(line)
    return None if found is None else (found.end(), found.groupdict())


def _lines(text: str) -> list[str]:
    # The reader matches each line stripped; the raw line is tried too, trailing spaces and all.
    return [variant for line in text.splitlines() for variant in (line, line.strip())]


def real_lines() -> list[str]:
    """The lab's environment outputs in every device scenario, and the corpus's of the same
    commands."""
    return list(dict.fromkeys(
        line for platform in ("cisco_ios", "cisco_xe")
        for command in ("show environment all", "show environment")
        for text in outputs_of(platform, command) for line in _lines(text)))


def corpus_lines() -> list[str]:
    """Every environment output of the corpus, whatever its command."""
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set INSPECTOR_CORPUS)")
    lines: list[str] = []
    for folder in sorted(CORPUS.glob("*/show_env*")):
        for path in sorted(folder.glob("*.txt")):
            lines += _lines(path.read_text(encoding="utf-8", errors="replace"))
    return list(dict.fromkeys(lines))


def case_lines() -> list[str]:
    return [line for text in case_texts("environment.yaml") for line in _lines(text)]


# Cells as sensor lists print them, and some that no list prints, to be joined at random.
_CELLS = [
    "V1: VDD", "Temp: Inlet", "Temp:", "Inlet", "PS1 Vout", "P: pwr", "I: 12v", "Fan Speed 60%",
    "Fan1", "R0", "P0", "0", "1", "F0", "Normal", "GOOD", "Minor", "Sensor", "Switch 1",
    "3281", "-5", "- 5", "12.5", "0.0", "NA", "N/A", "na", "Celsius", "mV", "mA", "V", "V AC",
    "V DC", "W", "Watts", "RPM", "rpm", "A", "(30,40,50,60)(Celsius)", "(na,na,na,na)(Celsius)",
    "10 - 20", "-10-20", "Sensor Fault", "Sensor Fault (open)", "(", ")", "%", "-", "V  AC",
    "Current State", "Reading", "Threshold(Minor,Major,Critical,Shutdown)",
]


def random_lines(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    spaces = [" ", "  ", "   ", "\t", " \t ", " " * 12, " " * 17]
    lines = []
    for _ in range(count):
        cells = rng.choices(_CELLS, k=rng.randint(1, 7))
        line = "".join(cell + rng.choice(spaces) for cell in cells)
        lines.append(line if rng.random() < 0.5 else line.rstrip())
    return lines


@pytest.mark.parametrize("source", [real_lines, corpus_lines, case_lines])
def test_the_same_match_as_the_first_form(source) -> None:
    lines = source()
    assert lines
    assert sum(REFERENCE.match(line) is not None for line in lines) > 10  # rows were tried
    differ = [line for line in lines if _groups(_SENSOR_ROW, line) != _groups(REFERENCE, line)]
    assert differ == []


def test_the_same_match_on_random_lines() -> None:
    lines = random_lines(20_000, seed=20261206)
    matched = sum(REFERENCE.match(line) is not None for line in lines)
    assert 2_000 < matched < 18_000  # both ways are well tried
    differ = [line for line in lines if _groups(_SENSOR_ROW, line) != _groups(REFERENCE, line)]
    assert differ == []
