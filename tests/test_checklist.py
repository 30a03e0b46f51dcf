"""The pre-inspection checklist: good files import whole, bad files not at all, every
problem named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.checklist import (
    ChecklistError,
    ChecklistRow,
    checklist_inventory,
    import_checklist,
    write_inventory_from_checklist,
)
from inspector.hosts import Source, load_hosts


def load_checklist_as_inventory(path: Path, workers: int) -> Any:
    return load_hosts(Source("checklist", path), workers)

HEADER = ("hostname,address,port,platform,site,country,declared_pid,declared_serial,condition,"
          "license_proof,transfer_exception")
GOOD_ROWS = [
    "core1,10.0.0.1,22,cisco_xe,Austin,US,C9300-48P,FCW2124G09K,working,SO-80012345,",
    "edge1,edge1.example.net,,cisco_ios,Austin,US,ISR4431/K9,FDO2201A0SR,working,,affiliate",
    "ons1,,,,Berlin,DE,15454-M6-SA,SAL0001,working,R-7731,within_europe",
]


def write(tmp_path: Path, text: str, name: str = "checklist.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ChecklistError) as caught:
        import_checklist(path)
    return caught.value.problems


def test_a_hostname_typed_twice_in_two_unicode_forms_is_a_duplicate(tmp_path: Path) -> None:
    import unicodedata

    rows = [f"{unicodedata.normalize(form, 'café-1')},10.0.0.{n},22,cisco_xe,Austin,US,"
            f"C9300-48P,FCW{n},working,," for n, form in ((1, "NFC"), (2, "NFD"))]
    problems = problems_of(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    assert problems == [f"row 3, column hostname: {unicodedata.normalize('NFD', 'café-1')!r} "
                        f"duplicates {unicodedata.normalize('NFC', 'café-1')!r} on row 2"]


def test_good_checklist_imports_every_row(tmp_path: Path) -> None:
    rows = import_checklist(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    assert [r.hostname for r in rows] == ["core1", "edge1", "ons1"]
    core, edge, ons = rows
    assert core == ChecklistRow(
        hostname="core1", address="10.0.0.1", port=22, platform="cisco_xe", site="Austin",
        country="US", declared_pid="C9300-48P", declared_serial="FCW2124G09K",
        condition="working", license_proof="SO-80012345", transfer_exception="", row=2,
    )
    assert edge.port == 22  # empty port: the default
    assert edge.transfer_exception == "affiliate" and edge.license_proof == ""
    assert ons.platform == "" and ons.address == ""  # gear without an SSH CLI


def test_bom_semicolons_blank_lines_whitespace_and_spreadsheet_spellings(tmp_path: Path) -> None:
    # What a European Excel "CSV UTF-8" export looks like: BOM, semicolons, CRLF, padding,
    # headers in title case and values as people type them.
    header = ("Hostname; Address ;Port;Platform;Site;Country;Declared PID;Declared Serial;"
              "Condition;License Proof;Transfer-Exception")
    body = [
        "",
        (" r1 ; 192.0.2.7 ; 2222 ; Cisco_XE ; Lyon ; fr ; C9300-48P ; FCW1 ; Working ; SO1 ; "
         "Within Europe "),
        ";;;;;;;;;;",  # a row the spreadsheet left as bare separators
        "",
    ]
    path = write(tmp_path, "\ufeff" + "\r\n".join([header, *body]) + "\r\n")
    (row,) = import_checklist(path)
    assert (row.hostname, row.address, row.port, row.platform, row.country, row.condition,
            row.transfer_exception) == ("r1", "192.0.2.7", 2222, "cisco_xe", "FR", "working",
                                        "within_europe")
    assert row.row == 3  # the line the spreadsheet shows, blank lines counted


def test_optional_columns_may_be_left_out(tmp_path: Path) -> None:
    header = ("hostname,address,platform,site,country,declared_pid,declared_serial,condition,"
              "license_proof")
    (row,) = import_checklist(write(tmp_path,
                                    f"{header}\nr1,10.0.0.1,cisco_ios,S,GB,C881-K9,X1,working,\n"))
    assert row.port == 22 and row.transfer_exception == ""


def test_every_bad_value_is_reported_with_row_and_column(tmp_path: Path) -> None:
    rows = [
        "r1,10.0.0.1,0,cisco_xe,S,US,C9300-48P,A1,working,,",  # port 0
        "r2,10.0.0.2,ssh,cisco_xe,S,US,C9300-48P,A2,working,,",  # port not a number
        "r3,10.0.0.3,70000,cisco_xe,S,US,C9300-48P,A3,working,,",  # port too large
        "r4,10.0.0.4,22,juniper_junos,S,US,C9300-48P,A4,working,,",  # unknown platform
        "r5,10.0.0.5,22,cisco_xe,T,UK,C9300-48P,A5,working,,",  # UK is not ISO 3166
        "r6,10.0.0.6,22,cisco_xe,T2,XX,C9300-48P,A6,working,,",  # unassigned code
        "r7,10.0.0.7,22,cisco_xe,S,US,C9300-48P,A7,broken,,",  # unknown condition
        "r8,10.0.0.8,22,cisco_xe,S,US,C9300-48P,A8,working,,gift",  # unknown exception
        "R1,10.0.0.9,22,cisco_xe,S,US,C9300-48P,A9,working,,",  # duplicate hostname (case)
        "r10,not an address,22,cisco_xe,S,US,C9300-48P,A10,working,,",  # bad address
        "r11,10.0.0.11,22,cisco_xe,S,US,C9300-48P,a1,working,,",  # serial declared twice
        "r12,10.0.0.12,22,cisco_xe,S,CA,C9300-48P,A12,working,,",  # site S in two countries
        "r13,10.0.0.13,22,cisco_xe,S,US,C9300-48P,A13,working,TBD,",  # placeholder proof
        ",10.0.0.14,22,cisco_xe,S,US,C9300-48P,A14,working,,",  # no hostname
        "r15,10.0.0.15,22,cisco_xe,S,US,C9300-48P,A15,working,,,surplus",  # too many cells
        "r16,10.0.0.16,²,cisco_xe,S,US,C9300-48P,A16,working,,",  # a digit int() refuses
        "r17,10.0.0.17,२२,cisco_xe,S,US,C9300-48P,A17,working,,",  # digits int() reads as 22
        "r18,10.0.0.18,22,cisco_xe,S,US,ASR-920-24SZ-M V01,A18,working,,",  # PID and VID
        "r19,10.0.0.19,22,cisco_xe,S,US,C9300-48P,FCW2124 G09K,working,,",  # serial in two
        "r20,10.0.0.20,22,cisco_xe,S,US,C9300\u201048P,A20,working,,",  # a typographic hyphen
    ]
    problems = problems_of(write(tmp_path, "\n".join([HEADER, *rows]) + "\n"))
    expected = [
        "row 2, column port: '0' is not a TCP port",
        "row 3, column port: 'ssh' is not a TCP port",
        "row 4, column port: '70000' is not a TCP port",
        "row 5, column platform: unknown platform 'juniper_junos'",
        "row 6, column country: 'UK' is not an ISO 3166 alpha-2 country code (did you mean GB?)",
        "row 7, column country: 'XX' is not an ISO 3166 alpha-2 country code",
        "row 8, column condition: unknown condition 'broken'",
        "row 9, column transfer_exception: unknown transfer exception 'gift'",
        "row 10, column hostname: 'R1' duplicates 'r1' on row 2",
        "row 11, column address: 'not an address' is not an IP address or a DNS name",
        "row 12, column declared_serial: 'a1' is also declared on row 2",
        "row 13, column country: site 'S' is CA here but US on row 2",
        "row 14, column license_proof: 'TBD' is a placeholder",
        "row 15, column hostname: empty",
        "row 16: 12 cells but the header has 11",
        "row 17, column port: '²' is not a TCP port",
        "row 18, column port: '२२' is not a TCP port",
        "row 19, column declared_pid: 'ASR-920-24SZ-M V01' holds a space",
        "row 20, column declared_serial: 'FCW2124 G09K' holds a space",
        "row 21, column declared_pid: 'C9300\u201048P' holds '\u2010': a PID or serial number is "
        "ASCII",
    ]
    for fragment in expected:
        assert any(p.startswith(fragment) for p in problems), (fragment, problems)
    assert len(problems) == len(expected), problems


def test_header_problems_are_all_reported(tmp_path: Path) -> None:
    header = "hostname,adress,platform,site,country,declared_pid,condition,condition"
    problems = problems_of(write(tmp_path, header + "\nr1,x,cisco_xe,S,US,P,working,working\n"))
    assert any("column 'condition' appears twice" in p for p in problems)
    assert any("unknown column adress" in p for p in problems)
    assert any(p.startswith("row 1: missing columns address, declared_serial, license_proof")
               for p in problems)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (HEADER.encode() + b"\n", "no chassis"),
        (b"PK\x03\x04 spreadsheet", "export it as CSV UTF-8"),
        (HEADER.encode() + b"\nr\xe9,,,,,,,,,,\n", "not UTF-8"),
    ],
)
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "checklist.csv"
    path.write_bytes(content)
    assert any(message in p for p in problems_of(path))


def test_error_message_names_the_file_and_counts(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "\nr1,10.0.0.1,0,cisco_xe,S,US,P,S1,working,,\n")
    with pytest.raises(ChecklistError,
                       match=r"checklist .*checklist.csv was not imported \(1 problem\)"):
        import_checklist(path)


# Row 3 opens a quote and never closes it: the csv module reads on to the end of the file,
# the rows after it swallowed into one cell. No field of a checklist holds a line break.
OPENED = "edge1,10.0.0.2,22,cisco_xe,Austin,US,\"ISR4431/K9,FDO2201A0SR,working,SO-1,"
OPEN_QUOTE = "row 3: a quote opens on this row and is not closed on it"
LONG_CELL = "row 3: a cell longer than 131072 characters (the csv reader's limit)"


@pytest.mark.parametrize("rows", [[GOOD_ROWS[0], OPENED, GOOD_ROWS[2]], [GOOD_ROWS[0], OPENED]],
                         ids=["before another row", "on the last row"])
@pytest.mark.parametrize("end", ["\n", ""], ids=["line break at the end", "none"])
def test_a_quote_left_open_is_refused_at_its_row(tmp_path: Path, rows: list[str],
                                                 end: str) -> None:
    assert problems_of(write(tmp_path, "\n".join([HEADER, *rows]) + end)) == [OPEN_QUOTE]


def test_a_cell_too_long_for_the_csv_reader_is_refused_at_its_row(tmp_path: Path) -> None:
    long_row = GOOD_ROWS[2].replace("SAL0001", "S" * 200_000)
    text = "\n".join([HEADER, GOOD_ROWS[0], long_row, GOOD_ROWS[1]]) + "\n"
    assert problems_of(write(tmp_path, text)) == [LONG_CELL]


@pytest.mark.parametrize("row", [OPENED, GOOD_ROWS[1].replace("FDO2201A0SR", "F" * 140_000)],
                         ids=["a quote left open", "a cell too long"])
@pytest.mark.parametrize("command", ["checklist import", "preflight"])
def test_a_file_the_csv_reader_cannot_read_whole_is_exit_3_naming_file_and_row(
        tmp_path: Path, row: str, command: str) -> None:
    from tests.lab_run import inspector

    path = write(tmp_path, "\n".join([HEADER, GOOD_ROWS[0], row, GOOD_ROWS[2]]) + "\n")
    if command == "preflight":
        done = inspector("preflight", "--checklist", str(path))
    else:
        done = inspector("checklist", "import", str(path), "--inventory-out",
                         str(tmp_path / "inventory"))
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        f"inspector: checklist {path} was not imported (1 problem):",
        f"  {OPEN_QUOTE if row == OPENED else LONG_CELL}"], done.stderr
    assert not (tmp_path / "inventory").exists()


def test_inventory_written_from_a_checklist_loads_in_nornir(tmp_path: Path) -> None:
    rows = import_checklist(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    out = tmp_path / "inventory"
    path = write_inventory_from_checklist(rows, out, source="checklist.csv")
    assert path == out / "hosts.yaml" and sorted(p.name for p in out.iterdir()) == ["hosts.yaml"]
    hosts = yaml.safe_load(path.read_text())
    assert hosts["core1"] == {
        "hostname": "10.0.0.1", "port": 22, "platform": "cisco_xe",
        "data": {"site": "Austin", "country": "US", "declared_pid": "C9300-48P",
                 "declared_serial": "FCW2124G09K", "condition": "working",
                 "license_proof": "SO-80012345", "transfer_exception": None},
    }
    assert hosts["ons1"]["platform"] is None and "hostname" not in hosts["ons1"]

    from inspector.hosts import load_nornir

    nornir = load_nornir(out, workers=1)
    core = nornir.inventory.hosts["core1"]
    assert (core.hostname, core.port, core.platform, core.get("declared_serial")) == (
        "10.0.0.1", 22, "cisco_xe", "FCW2124G09K")


def test_reimport_replaces_its_own_file_and_keeps_site_files(tmp_path: Path) -> None:
    out = tmp_path / "inventory"
    out.mkdir()
    (out / "defaults.yaml").write_text("username: inspector\n")
    rows = import_checklist(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    write_inventory_from_checklist(rows, out)
    write_inventory_from_checklist(rows[:1], out)
    assert list(yaml.safe_load((out / "hosts.yaml").read_text())) == ["core1"]
    assert (out / "defaults.yaml").read_text() == "username: inspector\n"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_hand_written_hosts_file_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "inventory"
    out.mkdir()
    (out / "hosts.yaml").write_text("R1: {hostname: 10.1.1.1}\n")
    rows = import_checklist(write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n"))
    with pytest.raises(ChecklistError, match="not written by a checklist import"):
        write_inventory_from_checklist(rows, out)
    assert (out / "hosts.yaml").read_text() == "R1: {hostname: 10.1.1.1}\n"


def test_bad_checklist_writes_nothing(tmp_path: Path) -> None:
    # All or nothing: one bad row among good ones, and no inventory appears.
    path = write(tmp_path, "\n".join([HEADER, *GOOD_ROWS,
                                      "bad,10.0.0.9,99999,cisco_xe,S,US,P,Z,working,,"]))
    with pytest.raises(ChecklistError):
        load_checklist_as_inventory(path, workers=1)
    with pytest.raises(ChecklistError):
        write_inventory_from_checklist(import_checklist(path), tmp_path / "inventory")
    assert not (tmp_path / "inventory").exists()


def test_load_checklist_as_inventory(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n")
    nornir = load_checklist_as_inventory(path, workers=2)
    assert sorted(nornir.inventory.hosts) == ["core1", "edge1", "ons1"]
    edge = nornir.inventory.hosts["edge1"]
    assert edge.hostname == "edge1.example.net" and edge.get("transfer_exception") == "affiliate"


def test_checklist_inventory_folder_lives_for_the_block(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, *GOOD_ROWS]) + "\n")
    with checklist_inventory(path) as folder:
        assert (list(yaml.safe_load((folder / "hosts.yaml").read_text()))
                == ["core1", "edge1", "ons1"])
    assert not folder.exists()
