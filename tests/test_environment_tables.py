"""The tables of `show environment` (IOS / IOS-XE) are judged whole or not at all.

A row inside a table that the reader cannot read is not the table's end: the rows below it,
one of them perhaps in a bad state, would go unjudged and the checks pass on what came before.
And two parts of one output that disagree about one supply (its table row and its own sensors)
prove neither. Each case is a real output of the corpus, changed here by a line or two.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.corpus import corpus_file
from tests.test_line_ends import _judged

ENVIRONMENT_CHECKS = ("hw.psu.status", "hw.fan.status", "hw.temperature.status")

# A Catalyst 9300 stack on 17.x: each member's sensor list names its supplies' sensors (PS1 is
# bay A, PS2 bay B), GOOD for the supply its table lists `OK`, NOT PRESENT for a bay its table
# lists `Not Present`, in every such output of the corpus.
C9300_STACK = "iosxe/show_environment_all/genieparser--cat9k_c9300-golden_output1.txt"
SWITCH_1_INLET = " SYSTEM INLET    1               GREEN                 29 Celsius   0 - 56"


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
        C9300_STACK,
        SWITCH_1_INLET,
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


SWITCH_2_PS1_VOUT = " PS1 Vout        2               GOOD               56125 mV          na"
SWITCH_1_PS2 = [f" PS2 {sensor:<11} 1               NOT PRESENT            0 {unit}"
                for sensor, unit in [("Vout", "mV"), ("Vin", "mV"), ("CURin", "mA"),
                                     ("CURout", "mA"), ("POWin", "mW"), ("POWout", "mW"),
                                     ("FAN", "rpm")]]


def _sensors_read_good(text: str) -> str:
    for row in SWITCH_1_PS2:
        text = _replaced(text, row, row.replace("NOT PRESENT   ", "GOOD          ")
                         .replace("  0 ", "500 "))
    return text


def test_a_supply_its_table_shows_failed_may_show_its_sensors_absent() -> None:
    """A supply with no input power is there and failed: a real Catalyst 3850 prints `FAN
    PS-1 is NOT PRESENT` beside `1A  PWR-C4-950WAC-R ... No Input Power`; its sensors saying
    NOT PRESENT contradict nothing, and the supply fails."""
    text = _replaced(_read(C9300_STACK), "2B  Not Present", "2B  PWR-C1-1100WAC      "
                     "LIT211333AX  No Input Power  Bad      Bad      1100")
    judged = _judge("hw.psu.status", text)
    assert judged["status"] == "FAIL", judged
    assert judged["message"] == ("power supplies not ok: switch 2 power supply 2B: "
                                 "No Input Power")


@pytest.mark.parametrize(("edit", "said"), [
    pytest.param(lambda text: _replaced(text, SWITCH_2_PS1_VOUT, SWITCH_2_PS1_VOUT.replace(
        "GOOD       ", "NOT PRESENT")),
        "switch 2 power supply 2A is `OK` in the supply table, switch 2 PS1 Vout NOT PRESENT",
        id="listed-ok-its-sensor-not-present"),
    pytest.param(lambda text: _replaced(text, "1B  Not Present", "1B  PWR-C1-1100WAC      "
                                        "DTN2038V09X  OK              Good     Good     1100"),
        "switch 1 power supply 1B is `OK` in the supply table, switch 1 PS2 Vout NOT PRESENT, "
        "switch 1 PS2 Vin NOT PRESENT", id="listed-ok-its-sensors-all-not-present"),
    pytest.param(_sensors_read_good,
        "switch 1 power supply 1B is `not present` in the supply table, switch 1 PS2 Vout GOOD",
        id="listed-empty-its-sensors-good"),
])
def test_a_supply_its_table_and_its_sensors_disagree_on_is_not_judged(
    edit: Any, said: str
) -> None:
    text = _read(C9300_STACK)
    assert _judge("hw.psu.status", text)["status"] == "PASS"
    judged = _judge("hw.psu.status", edit(text))
    assert judged["status"] == "ERROR", judged
    assert judged["message"].startswith(
        "the supply table and the supplies' own parts disagree: " + said), judged



# A Catalyst 9300 stack on 16.x: each member's supplies' own fans, `FAN PS-1 is OK` (bay A's)
# and `FAN PS-2 is NOT PRESENT` (bay B's, which its table lists `Not Present`).
C9300_16X = "iosxe/show_environment_all/genieparser--cat9k_c9300-golden_output.txt"


@pytest.mark.parametrize(("old", "new", "said"), [
    ("1B  Not Present", "1B  PWR-C1-350WAC-P     DCC2337B0K6  OK              Good     n/a"
     "      350", "switch 1 power supply 1B is `OK` in the supply table, switch 1 PS-2 fan "
     "NOT PRESENT"),
    ("1A  PWR-C1-350WAC-P     DCC2337B0K5  OK              Good     n/a      350",
     "1A  Not Present", "switch 1 power supply 1A is `not present` in the supply table, "
     "switch 1 PS-1 fan OK"),
])
def test_a_supply_its_table_and_its_own_fan_disagree_on_is_not_judged(
    old: str, new: str, said: str
) -> None:
    text = _read(C9300_16X)
    assert _judge("hw.psu.status", text)["status"] == "PASS"
    judged = _judge("hw.psu.status", _replaced(text, old, new))
    assert judged["status"] == "ERROR", judged
    assert judged["message"] == "the supply table and the supplies' own parts disagree: " + said


@pytest.mark.parametrize("garbled", ["2?9", "xx", "29 C"])
def test_a_sensor_row_whose_temperature_cannot_be_read_is_not_dropped(garbled: str) -> None:
    """With its temperature garbled, the row matched as a reading of the range's end (`- 56`)
    and a state of `0`, and was dropped unjudged: the sensor in a red state passed."""
    text = _read(C9300_STACK)
    red = _replaced(text, SWITCH_1_INLET, SWITCH_1_INLET.replace(
        "GREEN                 29", f"RED                  {garbled:>3}"))
    judged = _judge("hw.temperature.status", red)
    assert judged["status"] == "ERROR", judged
    assert f"RED                  {garbled:>3} Celsius   0 - 56` cannot be read (its " \
           "temperature is not its reading)" in judged["message"]


NEXUS_7000 = "nxos/show_environment/ntc-templates--cisco_nxos_show_environment.txt"
NEXUS_HOT_ROW = "4        MAC0-Buf0(s4)   115             105         46         Ok"


@pytest.mark.parametrize("unreadable", [
    "4        MAC0-Buf0(s4)   115             105         120",
    "4        MAC0-Buf0(s4)   115             105         1?20       Major",
])
def test_an_nxos_temperature_row_that_cannot_be_read_is_not_dropped(unreadable: str) -> None:
    """ntc-templates refuses the output, and our own reader skipped the row: the sensor over
    its major threshold was never judged, and the other eleven passed."""
    text = _read(NEXUS_7000)
    assert _judged("hw.temperature.status", "cisco_nxos", lambda _c: text)["status"] == "PASS"
    damaged = _replaced(text, NEXUS_HOT_ROW, unreadable)
    judged = _judged("hw.temperature.status", "cisco_nxos", lambda _c: damaged)
    assert judged["status"] == "ERROR", judged
    assert f"own: the temperature row `{unreadable}` cannot be read" in judged["message"]


@pytest.mark.parametrize(("row", "cut"), [
    ("2        N7K-AC-3KW                 370 W       3000 W     Ok",
     "2        N7K-AC-3KW                 370 W       3000 W"),
    ("2        N7K-AC-3KW                 370 W       3000 W     Ok",
     "2        N7K-AC-3KW                 370 W       3000"),
])
def test_an_nxos_supply_row_cut_before_its_status_is_not_judged(row: str, cut: str) -> None:
    """Cut after its capacity, the row's last word, `W`, was read as the supply's state: a
    supply that may be healthy failed."""
    text = _read(NEXUS_7000)
    assert _judged("hw.psu.status", "cisco_nxos", lambda _c: text)["status"] == "PASS"
    damaged = _replaced(text, row, cut)
    judged = _judged("hw.psu.status", "cisco_nxos", lambda _c: damaged)
    assert judged["status"] == "ERROR", judged
    assert f"the row `{cut}` stops before its Status column" in judged["message"]



@pytest.mark.parametrize(("row", "edited", "said"), [
    ("Fan_in_PS2      --                   --         Ok",
     "Fan_in_PS2      --                   --         Absent",
     "PS2 is `Ok` in the supply table, Fan_in_PS2 Absent"),
    ("2        N7K-AC-3KW                 370 W       3000 W     Ok",
     "2        ------------                 0 W          0 W     Absent",
     "PS2 is `Absent` in the supply table, Fan_in_PS2 Ok"),
])
def test_an_nxos_supply_its_table_and_its_own_fan_disagree_on_is_not_judged(
    row: str, edited: str, said: str
) -> None:
    """A Nexus supply's own fan is absent with it and installed with it in every real output:
    a supply listed `Ok` over an absent fan, or an empty bay over a running one, passed."""
    text = _read(NEXUS_7000)
    assert _judged("hw.psu.status", "cisco_nxos", lambda _c: text)["status"] == "PASS"
    damaged = _replaced(text, row, edited)
    judged = _judged("hw.psu.status", "cisco_nxos", lambda _c: damaged)
    assert judged["status"] == "ERROR", judged
    assert judged["message"] == "the supply table and the supplies' own parts disagree: " + said


# IOS-XR: the corpus holds no `admin show environment`; the 64-bit System Admin layout and
# the classic one, as the check's cases print them.
XR_64_BIT = """\
Location  TEMPERATURE                 Value   Crit Major Minor Minor Major  Crit
          Sensor                    (deg C)   (Lo) (Lo)  (Lo)  (Hi)  (Hi)   (Hi)
--------------------------------------------------------------------------------
0/RSP0/CPU0
          Inlet0                       26      -10    -5     0    55    65    70
          Hotspot0                     97      -10    -5     0    85    95   105
"""
XR_CLASSIC = """\
Temperature Information
---------------------------------------------

R/S/I   Modules Inlet           Hotspot
                Temperature     Temperature
                (deg C)         (deg C)

0/RSP0/*
        host    29.5            38.1
0/0/*
        host    31.2            96.8
"""


@pytest.mark.parametrize(("text", "row", "cut"), [
    (XR_64_BIT, "Hotspot0                     97      -10    -5     0    85    95   105",
     "Hotspot0                     97"),
    (XR_CLASSIC, "host    31.2            96.8", "host    31.2"),
])
def test_an_xr_temperature_row_that_cannot_be_read_is_not_skipped(
    text: str, row: str, cut: str
) -> None:
    """The reader skipped any line it could not read: the hotspot over its threshold, cut
    short, went unjudged and the inlet beside it passed."""
    def judged(output: str) -> dict[str, Any]:
        return _judged("hw.temperature.status", "cisco_xr", lambda _c: output)

    assert judged(text)["status"] == "FAIL"
    damaged = judged(_replaced(text, row, cut))
    assert damaged["status"] == "ERROR", damaged
    assert f"the temperature row `{cut}` cannot be read" in damaged["message"]


# ASA: the corpus holds no `show environment`; the layout an ASA 5525-X prints.
ASA_5525 = """\
Cooling Fans:
-----------------------------------
        Chassis Fans:
        --------------------------
                Cooling Fan 1: 8448 RPM - OK (Fan Speed Normal)
                Cooling Fan 2: 0 RPM - CRITICAL (Fan Stopped)
                Cooling Fan 3: 8576 RPM - OK (Fan Speed Normal)

Temperature:
-----------------------------------
        Chassis:
        --------------------------
                Ambient 1: 28.0 C - OK (Chassis Front Temperature Normal)
                Ambient 2: 71.5 C - CRITICAL (Chassis Back Temperature Critical)

Voltage:
-----------------------------------
        Channel 1:  3.280 V - OK (3.3V Main)
"""


@pytest.mark.parametrize(("check_id", "row", "unreadable"), [
    ("hw.fan.status", "Cooling Fan 2: 0 RPM - CRITICAL (Fan Stopped)",
     "Cooling Fan 2 0 RPM - CRITICAL (Fan Stopped)"),
    ("hw.temperature.status", "Ambient 2: 71.5 C - CRITICAL (Chassis Back Temperature Critical)",
     "Ambient 2 71.5 C - CRITICAL (Chassis Back Temperature Critical)"),
    ("hw.temperature.status", "Ambient 2: 71.5 C - CRITICAL (Chassis Back Temperature Critical)",
     "Ambient 2: 71.5 C"),
])
def test_an_asa_row_that_cannot_be_read_is_not_skipped(
    check_id: str, row: str, unreadable: str
) -> None:
    """A row without its colon was skipped, and the stopped fan or the hot sensor went
    unjudged while the others passed; one cut after its reading failed on the reading read
    as its state."""
    def judged(output: str) -> dict[str, Any]:
        return _judged(check_id, "cisco_asa", lambda _c: output)

    assert judged(ASA_5525)["status"] == "FAIL"
    damaged = judged(_replaced(ASA_5525, row, unreadable))
    assert damaged["status"] == "ERROR", damaged
    assert f"the row `{unreadable}` cannot be read" in damaged["message"]


ASA_5545 = """\
Cooling Fans:
-----------------------------------
        Chassis Fans:
        --------------------------
                Cooling Fan 1: 8448 RPM - OK (Fan Speed Normal)
                Cooling Fan 2: 8448 RPM - OK (Fan Speed Normal)

        Power Supplies:
        --------------------------
                Left Slot (PS0): N/A
                Right Slot (PS1): 7552 RPM - OK (Fan Speed Normal)

Power Supplies:
-----------------------------------
        Left Slot (PS0): Not Present
        Right Slot (PS1): Present

Temperature:
-----------------------------------
        Chassis:
        --------------------------
                Ambient 1: 28.0 C - OK (Chassis Front Temperature Normal)

        Power Supplies:
        --------------------------
                Left Slot (PS0): N/A
                Right Slot (PS1): 33.0 C - OK (Power Supply Temperature Normal)
"""


@pytest.mark.parametrize(("old", "new", "said"), [
    ("Left Slot (PS0): N/A\n                Right Slot (PS1): 7552",
     "Left Slot (PS0): 7400 RPM - OK (Fan Speed Normal)\n                Right Slot (PS1): 7552",
     "Left Slot (PS0) is `Not Present` in the supply table, Left Slot (PS0) fan OK"),
    ("Right Slot (PS1): 33.0 C - OK (Power Supply Temperature Normal)",
     "Right Slot (PS1): Not Present",
     "Right Slot (PS1) is `Present` in the supply table, Right Slot (PS1) temperature "
     "Not Present"),
])
def test_an_asa_supply_its_section_and_its_own_parts_disagree_on_is_not_judged(
    old: str, new: str, said: str
) -> None:
    """An empty bay whose fan runs, or a supply present whose own sensor is not: the power
    supplies section's word stood alone and the check passed."""
    def judged(output: str) -> dict[str, Any]:
        return _judged("hw.psu.status", "cisco_asa", lambda _c: output)

    assert judged(ASA_5545)["status"] == "PASS"
    damaged = judged(_replaced(ASA_5545, old, new))
    assert damaged["status"] == "ERROR", damaged
    assert damaged["message"] == "the supply table and the supplies' own parts disagree: " + said
