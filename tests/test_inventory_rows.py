r"""The inventory's NAME/DESCR, PID/VID/SN pairs (`show inventory`) are found as before.

The first form took every run of spaces with a quantifier that gave it back one space at a
time, so each run was tried in every split: `PID:` with 21 spaces before its comma, as NX-OS
prints an optic without a PID, cost the cube of 21 for every place a row could fail, and an
output with each line said 30 times over on itself took 506 s. It is kept here as the
reference. Both are searched through whole texts, as the reader does, and must find the same
pairs at the same places with the same groups: in the lab's and the corpus's inventory
outputs, the check's case texts, and texts made at random from the cells such pairs print.
"""

from __future__ import annotations

import random
import re

import pytest

from checks.common import _INVENTORY_ITEM
from tests import readers
from tests.corpus import CORPUS
from tests.readers import matches, read_differently, time_limit
from tests.test_fuzz import real_outputs

REFERENCE = re.compile(
    r'NAME:\s*"?(?P<name>[^"\n]*?)"?[ \t]*,?[ \t]*DESCR:\s*"?(?P<descr>[^"\n]*?)"?\s*\n'
    r"\s*PID:\s*(?P<pid>[^,\n]*?)[ \t]*,?[ \t]*VID:\s*(?P<vid>[^,\n]*?)[ \t]*,?[ \t]*"
    r"SN:[ \t]*(?P<sn>\S*)[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)


def real_texts() -> list[str]:
    texts = [text for (_platform, command), outputs in real_outputs().items()
             if "inventory" in command for text in outputs]
    if CORPUS.is_dir():
        texts += [path.read_text(encoding="utf-8", errors="replace")
                  for path in sorted(CORPUS.glob("*/*inventory*/*.txt"))]
    return texts


def case_texts() -> list[str]:
    return readers.case_texts("identity.yaml", "hardware.yaml", holding="PID:")


def random_texts(count: int, seed: int) -> list[str]:
    """Pairs as the OSes print them, their spaces, quotes, commas and labels drawn at random,
    some broken, some said twice on a line."""
    rng = random.Random(seed)
    gaps = ["", " ", "  ", "\t", " \x0b ", "\n", " \n "]
    ends = ["", " ", "\t"]

    def gap() -> str:
        return rng.choice(gaps)

    values = ["Chassis", "Slot 1", "Ethernet1/46", "", " ", "Power Supply 1", "C9300, rev",
              'a"b', "N9K-C9396PX", "V02", "SAL1819S6LU", "X" * 5]
    texts = []
    for _ in range(count):
        entries = []
        for _ in range(rng.randint(1, 3)):
            label = rng.choice(["NAME", "Name", "name", "NAME", "NAM"])
            quote = rng.choice(['"', '"', ""])
            first = (f"{label}:{gap()}{quote}{rng.choice(values)}{quote}{gap()}"
                     f"{rng.choice([',', ',', ''])}{gap()}{rng.choice(['DESCR', 'Descr', 'DESC'])}:"
                     f"{gap()}{quote}{rng.choice(values)}{quote}{rng.choice(['', ' ', '  '])}")
            if rng.random() < 0.1:
                first = f"{first} {first}"
            second = (f"{rng.choice(['', ' ', '  '])}{rng.choice(['PID', 'Pid', 'PID'])}:"
                      f"{gap()}{rng.choice(values)}{rng.choice(['', ' ', '   '])}"
                      f"{rng.choice([',', ',', ''])}{gap()}VID:{gap()}{rng.choice(values)}"
                      f"{rng.choice(['', ' '])}{rng.choice([',', ',', ''])}{gap()}SN:"
                      f"{rng.choice(['', ' ', '  '])}{rng.choice(values)}"
                      f"{rng.choice(ends)}")
            entries.append(first + rng.choice(["\n", "\n", "\n\n", " \n  \n"]) + second)
        texts.append("\n\n".join(entries) + rng.choice(["", "\n"]))
    return texts


@pytest.mark.parametrize(("source", "pairs"), [(real_texts, 1000), (case_texts, 5)])
def test_the_same_pairs_as_the_first_form(source, pairs: int) -> None:
    texts = source()
    assert sum(len(matches(REFERENCE, text)) for text in texts) >= pairs  # pairs were tried
    assert read_differently(_INVENTORY_ITEM, REFERENCE, texts) == []


def test_the_same_pairs_in_random_texts() -> None:
    texts = random_texts(20_000, seed=20261206)
    found = sum(bool(REFERENCE.search(text)) for text in texts)
    assert 1_000 < found < 17_000  # both ways are well tried
    assert read_differently(_INVENTORY_ITEM, REFERENCE, texts) == []


def test_a_row_said_30_times_over_on_itself_is_read_at_once() -> None:
    name = 'NAME: Ethernet1/1,  DESCR: FiberStore'
    pid = "PID:                     ,  VID: SFP-10GSR-85,  SN: G1804088868"
    text = " ".join([name] * 30) + "\n" + " ".join([pid] * 30) + "\n" + name + "\n" + pid + "\n"
    with time_limit(5):
        pairs = [m.group("name", "pid", "sn") for m in _INVENTORY_ITEM.finditer(text)]
    assert pairs == [("Ethernet1/1", "", "G1804088868")]
