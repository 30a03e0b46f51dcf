"""netmiko's stripping of terminal escape codes, skipped for text without an ESC
(`collect._strip_escapes_only_from_text_with_them`): every text comes back exactly as
netmiko's own function gives it, with escape codes or without.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from inspector.collect import load_netmiko
from mock_devices import load_profiles, render_output
from tests.corpus import CORPUS, corpus_index

ESC = "\x1b"
# Codes netmiko strips and ones it leaves, as devices send them.
CODES = [f"{ESC}[24;1H", f"{ESC}[?25h", f"{ESC}E", f"{ESC}[K", f"{ESC}[2K", f"{ESC}[1;24r",
         f"{ESC}[3L", f"{ESC}[1M", f"{ESC}[?7l", f"{ESC}[?6l", f"{ESC}[00m", f"{ESC}[2J",
         f"{ESC}[J", f"{ESC}[0m", f"{ESC}[01;32m", f"{ESC}[6n", f"{ESC}[1D", f"{ESC}[9999B",
         f"{ESC}[c", f"{ESC}[?2004h", f"{ESC}[?2004l", f"{ESC}[4m", f"{ESC}[5X", ESC]
# The characters escape codes are made of, and line ends.
ALPHABET = [ESC, "[", "?", ";", "0", "1", "2", "7", "9", "H", "K", "E", "J", "L", "M", "m",
            "n", "D", "A", "B", "C", "c", "h", "l", "r", " ", "x", "\r", "\n"]


@pytest.fixture(scope="module")
def stripping() -> tuple[Any, Any, Any]:
    """The inspector's function, netmiko's own, and a session for them to run on."""
    load_netmiko()
    from netmiko.base_connection import BaseConnection

    session = BaseConnection.__new__(BaseConnection)
    session.RETURN = "\n"
    ours = BaseConnection.strip_ansi_escape_codes
    return ours, ours.__wrapped__, session


def _outputs() -> Iterator[str]:
    for name, profile in load_profiles().items():
        for slug in profile.templates:
            yield render_output(name, profile.command_for(slug), index=3)
    for row in corpus_index():
        yield (CORPUS / row["file"]).read_text(encoding="utf-8", errors="replace")


def test_real_outputs_come_back_as_netmiko_gives_them(stripping: tuple[Any, Any, Any]) -> None:
    ours, netmikos, session = stripping
    rng = random.Random(19)
    outputs = list(_outputs())
    assert len(outputs) > 400
    for text in outputs:
        assert ours(session, text) == netmikos(session, text)
        # The same output as a terminal might paint it: codes at line starts and ends.
        lines = text.splitlines(keepends=True)
        painted = "".join(rng.choice(CODES) + line if i == 0 or rng.random() < 0.3 else line
                          for i, line in enumerate(lines))
        assert ESC in painted or not lines
        assert ours(session, painted) == netmikos(session, painted)


def test_random_texts_of_escape_characters(stripping: tuple[Any, Any, Any]) -> None:
    ours, netmikos, session = stripping
    rng = random.Random(6)
    for _ in range(20_000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        assert ours(session, text) == netmikos(session, text), repr(text)


def test_it_is_put_in_place_once(stripping: tuple[Any, Any, Any]) -> None:
    from netmiko.base_connection import BaseConnection

    ours, _, _ = stripping
    load_netmiko()
    assert BaseConnection.strip_ansi_escape_codes is ours
