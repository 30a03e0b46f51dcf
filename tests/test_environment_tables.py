"""The tables of `show environment` (IOS / IOS-XE) are judged whole or not at all.

A row inside a table that the reader cannot read is not the table's end: the rows below it,
one of them perhaps in a bad state, would go unjudged and the checks pass on what came before.
Each case is a real output of the corpus, changed here by a line or two.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.corpus import corpus_file
from tests.test_line_ends import _judged

ENVIRONMENT_CHECKS = ("hw.psu.status", "hw.fan.status", "hw.temperature.status")


def _read(relative: str) -> str:
    return corpus_file(relative).read_text(encoding="utf-8")


def _replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _judge(check_id: str, text: str) -> dict[str, Any]:
    return _judged(check_id, "cisco_xe", lambda _command: text)


# (output, a row, that row cut short, a later row of the same table, that row in a bad state)
SENSOR_TABLES = [
    pytest.param(
        "iosxe/show_environment_all/genieparser--cat9k_c9300-golden_output1.txt",
        " SYSTEM INLET    1               GREEN                 29 Celsius   0 - 56",
        " SYSTEM INLET    1               GREEN",
        " SYSTEM HOTSPOT  1               GREEN                 50 Celsius   0 - 125",
        " SYSTEM HOTSPOT  1               RED                  130 Celsius   0 - 125",
        id="catalyst-9300-sensor-list",
    ),
    pytest.param(
        "iosxe/show_environment/genieparser--golden_output.txt",
        " F0    Temp: MCH Die    Normal           53 Celsius",
        " F0    Temp: MCH Die    Normal",
        " R0    Temp: Outlet     Normal           30 Celsius",
        " R0    Temp: Outlet     Critical         95 Celsius",
        id="asr1000-isr-sensor-table",
    ),
]


@pytest.mark.parametrize(("relative", "row", "cut", "later", "hot"), SENSOR_TABLES)
def test_a_row_that_cannot_be_read_does_not_end_its_table(
    relative: str, row: str, cut: str, later: str, hot: str
) -> None:
    text = _read(relative)
    assert _judge("hw.temperature.status", text)["status"] == "PASS"
    with_hot = _replaced(text, later, hot)
    assert _judge("hw.temperature.status", with_hot)["status"] == "FAIL"  # the row is read
    damaged = _replaced(with_hot, row, cut)
    for check_id in ENVIRONMENT_CHECKS:
        judged = _judge(check_id, damaged)
        assert judged["status"] == "ERROR", (check_id, judged)
        assert f"the row `{cut.strip()}` of the sensor table cannot be read" in (
            judged["message"])
