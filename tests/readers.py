"""Helpers for the tests of our readers: a pattern's matches to compare, the check cases'
output texts, and a time limit that a runaway pattern cannot outlast."""

from __future__ import annotations

import contextlib
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"


def matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, tuple[Any, ...]]]:
    """Every match of `pattern` in `text`, as the readers search: where, and its groups."""
    return [(m.start(), m.end(), m.groups()) for m in pattern.finditer(text)]


def read_differently(pattern: re.Pattern[str], reference: re.Pattern[str],
                     texts: list[str]) -> list[str]:
    """The texts in which `pattern` finds other matches than `reference` does."""
    return [text for text in texts if matches(pattern, text) != matches(reference, text)]


def case_texts(*files: str, holding: str = "") -> list[str]:
    """The output texts of the check cases in `files` (names in tests/cases) that hold
    `holding`."""
    return [spec["text"] for name in files
            for case in yaml.safe_load((CASES / name).read_text(encoding="utf-8"))
            for spec in (case.get("outputs") or {}).values()
            if isinstance(spec, dict) and isinstance(spec.get("text"), str)
            and holding in spec["text"]]


class Overtime(BaseException):
    """Raised by `time_limit`. Not an `Exception`: no reader's own handler can swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the block with `Overtime` once `seconds` have passed (SIGALRM: the main thread)."""
    def stop(_signum: int, _frame: Any) -> None:
        raise Overtime

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
