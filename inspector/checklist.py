"""The pre-inspection checklist: the buyer's spreadsheet, read into rows and a Nornir inventory.

A checklist is imported whole or not at all: every problem of every row is collected and
reported together (row and column named), so the buyer fixes the file once rather than once per
error, and no inventory is ever written from half a checklist. Values that are merely missing
are not import errors: the preflight names them ("checklist incomplete"), because an
incomplete checklist is a fact about the order, not a broken file.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from inspector.files import ascii_number, atomic_write, hostname_key
from inspector.platforms import PLATFORMS

# What the buyer declares about each chassis's state (PROGRAM.md, "Eligibility rules").
CONDITIONS = (
    "working",
    "permanently_damaged",
    "out_of_commission",
    "unusable",
    "environmental_damage",
)

# The transfers for which the program waives a new license fee (PROGRAM.md, "Eligibility rules").
TRANSFER_EXCEPTIONS = (
    "affiliate",
    "merger_acquisition_divestiture",
    "financed_software",
    "msp_cpe_sale",
    "outsourcing",
    "us_government_contractor",
    "within_europe",
)

# ISO 3166-1 alpha-2, the 249 officially assigned codes (ISO/TC 46 N1108, 2023-04-05; the same
# list as tzdata's iso3166.tab). Embedded so validation never depends on the host's files.
ISO_3166_ALPHA2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
    """.split()  # noqa: SIM905 - 249 codes read better as a block than as 249 quoted items
)
# Codes people write that ISO reserves for something else or never assigned.
_COUNTRY_HINTS = {"UK": "GB", "EL": "GR", "EU": "a country, not the EU", "XK": "a code ISO assigns"}

# The columns of the checklist, in the order the template lists them.
COLUMNS = (
    "hostname",
    "address",
    "port",
    "platform",
    "site",
    "country",
    "declared_pid",
    "declared_serial",
    "condition",
    "license_proof",
    "transfer_exception",
)
OPTIONAL_COLUMNS = frozenset({"port", "transfer_exception"})
# The keys a checklist puts in a host's inventory data; a host carrying any of them was
# declared through a checklist (the lab's and hand-written inventories carry none).
DATA_KEYS = (
    "site",
    "country",
    "declared_pid",
    "declared_serial",
    "condition",
    "license_proof",
    "transfer_exception",
)
DEFAULT_PORT = 22
_HEADER_MARK = "# Written by `inspector checklist import`"


@dataclass(frozen=True, kw_only=True)
class ChecklistRow:
    """One declared chassis. Text fields are stripped; an empty string means not given."""

    hostname: str
    address: str = ""
    port: int = DEFAULT_PORT
    platform: str = ""
    site: str = ""
    country: str = ""
    declared_pid: str = ""
    declared_serial: str = ""
    condition: str = ""
    license_proof: str = ""
    transfer_exception: str = ""
    row: int | None = None  # line in the checklist file; None when read from an inventory

    def data(self) -> dict[str, str | None]:
        """The host's inventory data: every checklist key present, empty ones as null."""
        values = asdict(self)
        return {key: values[key] or None for key in DATA_KEYS}


class ChecklistError(ValueError):
    """The checklist cannot be imported; `problems` lists every one, each naming row and column."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(
            f"checklist {source} was not imported ({count}):\n  " + "\n  ".join(problems)
        )


def _token(value: str) -> str:
    """`Permanently damaged`, `permanently-damaged` -> `permanently_damaged`."""
    return re.sub(r"[\s\-]+", "_", value.strip()).lower()


_DNS_NAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?)+")


def normalize(column: str, value: str) -> str:
    """Spreadsheet spellings of a value in the form the inventory keeps."""
    value = value.strip()
    if column in ("condition", "transfer_exception", "platform"):
        return _token(value)
    if column == "country":
        return value.upper()
    return value


def field_problem(column: str, value: str) -> str | None:
    """Why a non-empty, normalized value is not acceptable in this column, or None.

    Shared with the preflight, which meets the same fields in hand-written inventories.
    """
    if not value:
        return None
    if column == "port":
        if (number := ascii_number(value)) is None or not 1 <= number <= 65535:
            return f"{value!r} is not a TCP port (1-65535)"
    elif column == "platform" and value not in PLATFORMS:
        return (
            f"unknown platform {value!r}: expected one of {', '.join(sorted(PLATFORMS))}, "
            "or empty for gear without an SSH CLI"
        )
    elif column == "country" and value not in ISO_3166_ALPHA2:
        hint = _COUNTRY_HINTS.get(value)
        return f"{value!r} is not an ISO 3166 alpha-2 country code" + (
            f" (did you mean {hint}?)" if hint else ""
        )
    elif column == "condition" and value not in CONDITIONS:
        return f"unknown condition {value!r}: expected one of {', '.join(CONDITIONS)}"
    elif column == "transfer_exception" and value not in TRANSFER_EXCEPTIONS:
        return (
            f"unknown transfer exception {value!r}: expected empty or one of "
            + ", ".join(TRANSFER_EXCEPTIONS)
        )
    elif column in ("declared_pid", "declared_serial") and any(c.isspace() for c in value):
        # `C9300-48P V02` (PID and version ID copied together) is no PID: the catalogue's
        # patterns would take it for a C9300-48P, yet leave ASR-920-24SZ-M V01 out of the
        # program, and on site the chassis's C9300-48P would not be it.
        return f"{value!r} holds a space: a PID or serial number is one word"
    elif column in ("declared_pid", "declared_serial") and not value.isascii():
        # A word processor's dash (U+2010 or U+2013 for the hyphen of C9300-48P) made a listed
        # product "not in the program"; devices print their PIDs and serials in ASCII.
        return (f"{value!r} holds {''.join(sorted({c for c in value if not c.isascii()}))!r}: "
                "a PID or serial number is ASCII (a dash typed by a word processor?)")
    elif column == "address" and not _valid_address(value):
        return f"{value!r} is not an IP address or a DNS name"
    elif column == "license_proof" and not any(c.isdigit() for c in value):
        # A placeholder (`TBD`, `N.A.`, `not available`) would otherwise pass for proof: a
        # sales order number or a receipt id is a reference, and holds a number.
        return (f"{value!r} is a placeholder, not a sales order number or receipt id: it "
                "holds no number (leave it empty until there is proof)")
    return None


def _valid_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return _DNS_NAME.fullmatch(value) is not None


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ChecklistError(str(path), ["a folder, not a file"]) from None
    except OSError as exc:
        raise ChecklistError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None
    if raw[:2] == b"PK":  # .xlsx and .ods are zip files
        raise ChecklistError(
            str(path), ["this is a spreadsheet file, not CSV: export it as CSV UTF-8"]
        )
    try:
        return raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise ChecklistError(
            str(path), [f"not UTF-8 text (byte {exc.start}): export it as CSV UTF-8"]
        ) from None


def _delimiter(text: str) -> str:
    """Comma, or the semicolon that spreadsheets use where the comma is the decimal mark.

    Judged on the header line alone: header names never hold either character.
    """
    header = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=header.count)


def import_checklist(path: Path) -> list[ChecklistRow]:
    """Read a checklist CSV: every row, or ChecklistError listing every problem."""
    text = _decode(path)
    problems: list[str] = []
    header: list[str] | None = None
    records: list[tuple[int, dict[str, str]]] = []
    for line, cells in _csv_rows(text, str(path)):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and rows a spreadsheet leaves as bare separators
        if header is None:
            header = [_token(cell) for cell in cells]
            problems += _header_problems(header)
            if problems:
                raise ChecklistError(str(path), problems)
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            problems.append(f"row {line}: {len(cells)} cells but the header has {len(header)}")
        values = dict(zip(header, (c.strip() for c in cells), strict=False))
        records.append((line, {col: normalize(col, values.get(col, "")) for col in COLUMNS}))
    if header is None:
        raise ChecklistError(str(path), ["the file is empty: expected a header row"])
    if not records:
        raise ChecklistError(str(path), ["no chassis: the file has a header and no rows"])
    rows = []
    for line, values in records:
        for column in COLUMNS:
            problem = field_problem(column, values[column])
            if problem:
                problems.append(f"row {line}, column {column}: {problem}")
        if not values["hostname"]:
            problems.append(f"row {line}, column hostname: empty (every chassis needs a name)")
        port = values["port"]
        rows.append(
            ChecklistRow(
                row=line,
                port=number if (number := ascii_number(port)) is not None else DEFAULT_PORT,
                **{c: values[c] for c in COLUMNS if c != "port"},
            )
        )
    problems += [f"{_place(rows[index])}, column {column}: {why}"
                 for index, column, why in cross_row_problems(rows)]
    if problems:
        raise ChecklistError(str(path), problems)
    return rows


def _csv_rows(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV `text`, with the line it starts on. What the csv module would read
    on past the row's end, or stop at with its own error, is a ChecklistError naming the row:
    a quote left open (the module reads on to the next quote, or to the end of the file, the
    rows between swallowed into one cell: no field of a checklist holds a line break), and a
    cell longer than the module's limit."""
    if not text.endswith(("\n", "\r")):
        text += "\n"  # so a quote left open on the last row leaves a line break in its cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    line = 1
    try:
        for cells in reader:
            if any("\n" in cell or "\r" in cell for cell in cells):
                raise ChecklistError(source, [
                    f"row {line}: a quote opens on this row and is not closed on it"])
            yield line, cells
            line = reader.line_num + 1
    except csv.Error:  # the one error of a reader of lines, strict=False: a cell's length
        raise ChecklistError(source, [
            f"row {line}: a cell longer than {csv.field_size_limit()} characters (the csv "
            "reader's limit)"]) from None


def _header_problems(header: list[str]) -> list[str]:
    problems = []
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.append(f"row 1: column {name!r} appears twice")
        seen.add(name)
    # Unknown columns are refused rather than ignored, so a misspelt optional column (port,
    # transfer_exception) cannot silently fall back to its default.
    unknown = [name or "(empty)" for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            f"row 1: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(the columns are {', '.join(COLUMNS)})"
        )
    missing = [c for c in COLUMNS if c not in seen and c not in OPTIONAL_COLUMNS]
    if missing:
        problems.append(
            f"row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    return problems


def _place(row: ChecklistRow) -> str:
    return f"row {row.row}" if row.row is not None else f"host {row.hostname!r}"


def cross_row_problems(rows: list[ChecklistRow]) -> list[tuple[int, str, str]]:
    """What makes rows inaccurate together, as (index of the later row, column, why): two
    chassis of one name or one serial number, a site in two countries. The import refuses a
    checklist for any; the preflight of an inventory written by hand excludes the later row."""
    problems = []
    names: dict[str, ChecklistRow] = {}
    serials: dict[str, ChecklistRow] = {}
    countries: dict[str, ChecklistRow] = {}
    for index, row in enumerate(rows):
        # Names that read as one (differing in case, or in how a letter is typed) are one
        # name in every report, and plain ones would share one record file.
        key = hostname_key(row.hostname)
        if row.hostname and key in names:
            first = names[key]
            problems.append((index, "hostname", f"{row.hostname!r} duplicates "
                                                f"{first.hostname!r} on {_place(first)}"))
        if row.hostname:
            names.setdefault(key, row)
        serial = row.declared_serial.upper()
        if serial and serial in serials:
            problems.append((index, "declared_serial", f"{row.declared_serial!r} is also "
                                                       f"declared on {_place(serials[serial])}"))
        serials.setdefault(serial, row)
        # One site has one notice period, so it must lie in one country.
        if row.site and row.country:
            first = countries.setdefault(row.site, row)
            if first.country != row.country:
                problems.append((index, "country", f"site {row.site!r} is {row.country} here "
                                                   f"but {first.country} on {_place(first)}"))
    return problems


def inventory_hosts(rows: Iterable[ChecklistRow]) -> dict[str, Any]:
    """The hosts.yaml document of a checklist."""
    hosts: dict[str, Any] = {}
    for row in rows:
        host: dict[str, Any] = {}
        if row.address:
            host["hostname"] = row.address
        host["port"] = row.port
        host["platform"] = row.platform or None  # no SSH CLI: never contacted
        host["data"] = row.data()
        hosts[row.hostname] = host
    return hosts


def write_inventory_from_checklist(
    rows: Iterable[ChecklistRow], out_dir: Path, *, source: str = "a checklist"
) -> Path:
    """Write `out_dir/hosts.yaml` in one atomic replace; returns its path.

    Only hosts.yaml is written: a groups.yaml or defaults.yaml already in the folder (site
    credentials, say) is kept. A hosts.yaml that this import did not write is never replaced.
    """
    target = Path(out_dir) / "hosts.yaml"
    if target.is_dir():
        raise ChecklistError(str(target), [f"refusing to write {target}: it is a folder"])
    if target.exists() and not target.read_text(encoding="utf-8").startswith(_HEADER_MARK):
        raise ChecklistError(
            str(target), [f"refusing to replace {target}: it was not written by a checklist import"]
        )
    header = f"{_HEADER_MARK} from {source}; edits here are lost on the next import.\n"
    body = yaml.safe_dump(inventory_hosts(rows), sort_keys=False, default_flow_style=False)
    atomic_write(target, (header + "---\n" + body).encode("utf-8"))
    return target


@contextmanager
def checklist_inventory(path: Path) -> Iterator[Path]:
    """A throwaway inventory folder holding the checklist's hosts.yaml, for code that takes
    `--inventory DIR` (a live rerun, say). The checklist is imported before anything else."""
    rows = import_checklist(path)
    with tempfile.TemporaryDirectory(prefix="inspector-checklist-") as folder:
        write_inventory_from_checklist(rows, Path(folder), source=str(path))
        yield Path(folder)


def row_from_host(name: str, data: Mapping[str, Any], *, address: str | None = None,
                  port: int | None = None, platform: str | None = None) -> ChecklistRow:
    """A checklist row from a host's inventory fields, for inventories written by hand."""
    def text(key: str) -> str:
        return normalize(key, "" if data.get(key) is None else str(data[key]))

    return ChecklistRow(
        hostname=name, address=address or "", port=port or DEFAULT_PORT,
        platform=normalize("platform", platform or ""), site=text("site"),
        country=text("country"), declared_pid=text("declared_pid"),
        declared_serial=text("declared_serial"), condition=text("condition"),
        license_proof=text("license_proof"), transfer_exception=text("transfer_exception"),
    )


def rows_from_nornir(nornir: Any) -> list[ChecklistRow]:
    return [
        row_from_host(host.name, dict(host.items()), address=host.hostname, port=host.port,
                      platform=host.platform)
        for host in nornir.inventory.hosts.values()
    ]


def declared_through_checklist(data: Mapping[str, Any]) -> bool:
    """Whether a host's data comes from a checklist: the import writes every key, even empty."""
    return any(key in data for key in DATA_KEYS if key != "site")

