r"""The UDI table's row pattern (`show license udi`) finds what its first form found.

The first form, `^\s*\*?\s*\S*\s+(\S+)\s+(\S+)\s+\1:\2\s*$`, could split the spaces before
the PID among three runs in every way: 1.1 s for four rows indented 300 spaces, over 20 s at
1000. It is kept here as the reference. Both are searched through whole texts, as the reader
does, and must find the same rows at the same places with the same groups: in the lab's and
the corpus's license outputs, the check's case texts, and texts made at random from the cells
such tables print, rows across line ends and blank lines among them.
"""

from __future__ import annotations

import random
import re

import pytest

from checks.licensing import _UDI_ROW
from tests import readers
from tests.corpus import CORPUS
from tests.readers import matches, read_differently, time_limit
from tests.test_fuzz import outputs_of

REFERENCE = re.compile(r"^\s*\*?\s*\S*\s+(\S+)\s+(\S+)\s+\1:\2\s*$", re.MULTILINE)


def real_texts() -> list[str]:
    texts = [text for platform in ("cisco_ios", "cisco_xe")
             for command in ("show license udi", "show license all", "show license")
             for text in outputs_of(platform, command)]
    if CORPUS.is_dir():
        texts += [path.read_text(encoding="utf-8", errors="replace")
                  for path in sorted(CORPUS.glob("*/show_license*/*.txt"))]
    return texts


def case_texts() -> list[str]:
    return readers.case_texts("licensing.yaml")


# Texts where the three ways to the PID differ: after a lone star and a slot, and after the
# first token, a row could end a line both ways; rows across line ends; a row at the left
# edge, found only through the line before it.
EDGES = ["* X Y X:Y\nY:X:Y\n", "*0\nPID SN PID:SN\n", "\nPID SN PID:SN\n",
         "-----\nPID SN PID:SN\n", "PID SN PID:SN\n", "   PID SN PID:SN\n",
         "*\n1\nPID\nSN\nPID:SN\n\n\n"]


def edge_texts() -> list[str]:
    return EDGES


def random_texts(count: int, seed: int) -> list[str]:
    """Rows of one to six cells, the last often the PID and serial of two cells before it."""
    rng = random.Random(seed)
    cells = ["*", "*0", "*1", "1", "2", "-", "C9300-24T", "FOC2148X0AJ", "CISCO2911/K9",
             "FTX1234A5BC", "PID:", ":", "UDI", "SlotID", "---------"]
    spaces = [" ", "  ", "\t", "      ", "\n", "\n\n", " \n ", ""]
    texts = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(1, 5)):
            row = rng.choices(cells, k=rng.randint(1, 6))
            if len(row) >= 3 and rng.random() < 0.7:
                row[-1] = f"{row[-3]}:{row[-2]}"
            gaps = [rng.choice(spaces[:4]) if rng.random() < 0.9 else rng.choice(spaces)
                    for _ in row]
            line = "".join(gap + cell for gap, cell in zip(gaps, row, strict=True))
            lines.append(line[len(gaps[0]):] if rng.random() < 0.3 else line)
        texts.append("".join(line + rng.choice(["\n", "\n", "  \n", "\n\n"]) for line in lines))
    return texts


@pytest.mark.parametrize(("source", "rows"), [(real_texts, 20), (case_texts, 2),
                                                   (edge_texts, 6)])
def test_the_same_rows_as_the_first_form(source, rows: int) -> None:
    texts = source()
    assert sum(len(matches(REFERENCE, text)) for text in texts) >= rows  # rows were tried
    assert read_differently(_UDI_ROW, REFERENCE, texts) == []


def test_the_same_rows_on_random_texts() -> None:
    texts = random_texts(20_000, seed=20261206)
    matched = sum(bool(REFERENCE.search(text)) for text in texts)
    assert 2_000 < matched < 18_000  # both ways are well tried
    assert read_differently(_UDI_ROW, REFERENCE, texts) == []


def test_a_table_indented_1000_spaces_is_read_at_once() -> None:
    # The header is no row: the first form tried every split of its spaces before saying so.
    gap = " " * 1000
    text = gap + gap.join(["SlotID", "PID", "SN", "UDI"]) + "\n" + "".join(
        gap + gap.join([f"*{n}", "C9300-24T", f"FOC{n}", f"C9300-24T:FOC{n}"]) + gap + "\n"
        for n in range(4))
    with time_limit(5):
        rows = [m.groups() for m in _UDI_ROW.finditer(text)]
    assert rows == [("C9300-24T", f"FOC{n}") for n in range(4)]
