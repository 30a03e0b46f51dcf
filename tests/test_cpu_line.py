r"""The CPU utilization line (`show processes cpu`, `show cpu usage`) is found as before.

The first form, `^\s*((?:Core \d+:)?)\s*CPU utilization for .*?(?:five|5) minutes:\s*
(\d+(?:\.\d+)?)%`, split the indentation between its two `\s*` in every way (0.2 s an output
indented 1000 spaces). It is kept here as the reference: both must find the same lines, with
the same groups, in the lab's and the corpus's CPU outputs, the check's case texts, and texts
made at random from the pieces such lines are made of.
"""

from __future__ import annotations

import random
import re

import pytest

from checks.operational import _CPU_UTILIZATION
from tests import readers
from tests.corpus import CORPUS
from tests.readers import matches, read_differently
from tests.test_fuzz import outputs_of

REFERENCE = re.compile(
    r"^\s*((?:Core \d+:)?)\s*CPU utilization for .*?"
    r"(?:five|5) minutes:\s*(\d+(?:\.\d+)?)%",
    re.MULTILINE,
)


def real_texts() -> list[str]:
    texts = [text for platform, command in (("cisco_ios", "show processes cpu sorted"),
                                            ("cisco_ios", "show processes cpu"),
                                            ("cisco_xe", "show processes cpu sorted"),
                                            ("cisco_xr", "show processes cpu"),
                                            ("cisco_asa", "show cpu usage"))
             for text in outputs_of(platform, command)]
    if CORPUS.is_dir():
        texts += [path.read_text(encoding="utf-8", errors="replace")
                  for path in sorted(CORPUS.glob("*/show_processes_cpu*/*.txt"))
                  + sorted(CORPUS.glob("*/show_cpu*/*.txt"))]
    return texts


def case_texts() -> list[str]:
    return readers.case_texts("operational.yaml", holding="utilization")


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces = ["CPU utilization for five seconds: 3%/0%;", "CPU utilization for", "Core 0:",
              "Core 12:", "Core:", "one minute: 2%;", "five minutes: 1%", "5 minutes: 7%",
              "five minutes:  12.5%", "minutes: 4%", "5 minutes 4%", "%", "PID", "Runtime(ms)"]
    spaces = ["", " ", "  ", "\t", "\n", " \n", "\n\n  ", " " * 9]
    texts = []
    for _ in range(count):
        chosen = rng.choices(pieces, k=rng.randint(1, 8))
        if rng.random() < 0.5:  # a whole line, its indentation and core at random
            chosen[rng.randrange(len(chosen)):0] = [
                rng.choice(["", "Core 3:"]), "CPU utilization for",
                rng.choice(["five seconds: 1%;", ""]), rng.choice(["five", "5"]) + " minutes: 9%"]
        texts.append("".join(rng.choice(spaces) + piece for piece in chosen))
    return texts


@pytest.mark.parametrize(("source", "lines"), [(real_texts, 20), (case_texts, 3)])
def test_the_same_lines_as_the_first_form(source, lines: int) -> None:
    texts = source()
    assert sum(len(matches(REFERENCE, text)) for text in texts) >= lines  # lines were tried
    assert read_differently(_CPU_UTILIZATION, REFERENCE, texts) == []


def test_the_same_lines_in_random_texts() -> None:
    texts = random_texts(20_000, seed=20261206)
    found = sum(bool(REFERENCE.search(text)) for text in texts)
    assert 2_000 < found < 18_000  # both ways are well tried
    assert any(groups[0] for text in texts for *_, groups in matches(REFERENCE, text))
    assert read_differently(_CPU_UTILIZATION, REFERENCE, texts) == []
