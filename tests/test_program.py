"""The program's rules: the product catalogue, the program checks, and the record's program
section."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from checks.common import InventoryItem
from checks.identity import INVENTORY, VERSION, same_product
from checks.program import declared_identity, hold_list, license_proof
from inspector.checklist import ChecklistRow
from inspector.evidence import RawOutput, sha256_text
from inspector.facts import FactResolver
from inspector.files import atomic_write
from inspector.models import Status
from inspector.policy import load_policy
from inspector.program import (
    CatalogueError,
    HostContext,
    ProductCatalogue,
    assess,
    excluded_hosts,
    excluded_record,
    literal_prefix,
    load_products,
    program_section,
)
from tests.corpus import corpus_file

PRODUCTS = load_products()

# PID as a device prints it -> (tier, family). The brief's list first, then the tricky ones.
CATALOGUE_CASES = {
    "WS-C2960X-48FPD-L": ("low", "Catalyst 2960 series"),
    "WS-C3850-24T-S": ("low", "Catalyst 3850 series"),
    "C9300-48P": ("low", "Catalyst 9300 series"),
    "C9300X-12Y": ("low", "Catalyst 9300 series"),
    "C9200L-24T-4G": ("high", "Catalyst 9000 fixed port series"),
    "C9500-32C": ("high", "Catalyst 9000 fixed port series"),
    "C9410R": ("high", "Catalyst 9000 modular series"),
    "C9800-40-K9": ("high", "Catalyst 9800 series wireless controller"),
    "ISR4431/K9": ("high", "ISR 4400 series"),
    "C1111-8P": ("low", "ISR 1000 and 1100 series"),
    "CISCO2911/K9": ("low", "Cisco 2900 series"),
    "CISCO1941/K9": ("not_in_program", None),  # the 1900 series is on neither list
    "C881-K9": ("low", "Cisco 880 series"),
    "ASR1001-X": ("high", "ASR 1000 fixed series"),
    "ASR1006": ("high", "ASR 1006"),
    "ASR-920-4SZ-A": ("high", "ASR-920-4SZ-A, ASR-920-12CZ-A and ASR-920-24SZ-M"),
    "ASR-9006-AC": ("high", "ASR 9006, 9010, 9904, 9906, 9910, 9912 and 9922"),
    "ASR-9904": ("high", "ASR 9006, 9010, 9904, 9906, 9910, 9912 and 9922"),
    "N9K-C93180YC-EX": ("high", "Nexus 9300 series"),
    "N7K-C7010": ("high", "Nexus 7000 series"),
    "N5K-C5596UP": ("high", "Nexus 5596"),
    "N2K-C2248TP-1GE": ("high", "Nexus 2000 series"),
    "DS-C9148S-K9": ("high", "MDS 9000 series"),
    "ASA5525": ("high", "ASA 5500 series"),
    "WS-C6509-E": ("high", "Catalyst 6500 series"),
    "WS-X6748-GE-TX": ("low", "WS-6748"),
    "CISCO7206VXR": ("high", "Cisco 7200 series"),
    "ONS-15454-SA-ANSI": ("high", "ONS 15454 series multiservice provisioning platforms"),
    # Tricky: listed models only, look-alikes, and chassis PIDs from the shared corpus.
    "ASR-920-24SZ-IM": ("not_in_program", None),  # only -24SZ-M is listed
    "ASR-920-12CZ-A": ("high", "ASR-920-4SZ-A, ASR-920-12CZ-A and ASR-920-24SZ-M"),
    "ASR-920-24SZ-M": ("high", "ASR-920-4SZ-A, ASR-920-12CZ-A and ASR-920-24SZ-M"),
    "ASR-920-12CZ-D": ("not_in_program", None),
    "A901-6CZ-FT-A": ("not_in_program", None),  # ASR 901 is not ASR 902/903/907
    "ASR-903": ("high", "ASR 902, 903 and 907"),
    "CISCO1841": ("not_in_program", None),
    "C1100TG-1N32A": ("low", "ISR 1000 and 1100 series"),
    "C1111-8PLTELA": ("low", "ISR 1000 and 1100 series"),
    "ISR1100-4G": ("low", "ISR 1000 and 1100 series"),
    "C921-4P": ("low", "ISR 900 series"),
    "C1000-24T-4G-L": ("low", "Catalyst 1000 series"),
    "C1200-8T-D": ("not_in_program", None),  # Catalyst 1200 is not Catalyst 1000
    "C8300-1N1S-6G": ("not_in_program", None),  # Catalyst 8000 edge
    "C9300L-24T-4G": ("low", "Catalyst 9300 series"),
    "C9300-24T": ("low", "Catalyst 9300 series"),
    "C9500X-28C8D": ("high", "Catalyst 9000 fixed port series"),
    "C9407R": ("high", "Catalyst 9000 modular series"),
    "C9606R": ("high", "Catalyst 9000 modular series"),
    "C9800-CL-K9": ("not_in_program", "Catalyst 9800-CL (virtual)"),
    "C9800-CL": ("not_in_program", "Catalyst 9800-CL (virtual)"),  # as `show version` names it
    "WS-C3650-24TS-L": ("not_in_program", None),  # 3650 is not on the lists
    "WS-C3560CX-12PC-S": ("low", "Catalyst 3560 series"),
    "WS-C3750X-48P-S": ("low", "Catalyst 3750 series"),
    "WS-C3550-24-SMI": ("low", "Catalyst 3550 series"),
    "WS-C2950G-48-EI": ("low", "Catalyst 2950 series"),
    "WS-C2924M-XL-EN": ("low", "Catalyst 2900 XL series"),
    "WS-C3524-PWR-XL-EN": ("low", "Catalyst 3500 XL series"),
    "WS-C2970G-24T-E": ("not_in_program", None),
    "WS-C4507R+E": ("high", "Catalyst 4500 series"),
    "WS-C4948E": ("not_in_program", None),  # Catalyst 4900 is not listed
    "WS-C4006": ("high", "Catalyst 4000 series"),
    "WS-C5509": ("high", "Catalyst 5500 series"),
    "WS-C5000": ("high", "Catalyst 5000 series"),
    "WS-C6006": ("high", "Catalyst 6000 series"),
    "WS-C6503-E": ("high", "Catalyst 6500 series"),
    "WS-C6807-XL": ("not_in_program", None),  # Catalyst 6800
    "CISCO3945-CHASSIS": ("high", "Cisco 3900 series"),
    "CISCO3825": ("high", "Cisco 3800 series"),
    "CISCO3745": ("high", "Cisco 3700 series"),
    "CISCO2821": ("low", "Cisco 2800 series"),
    "CISCO1721": ("low", "Cisco 1700 series"),
    "C867VAE-K9": ("low", "Cisco 860 series"),
    "C891F-K9": ("low", "Cisco 890 series"),
    "CISCO7606": ("high", "Cisco 7600 series"),
    "ISR4221/K9": ("high", "ISR 4000"),
    "ISR4331/K9": ("high", "ISR 4300 series"),
    "ISR4451-X/K9": ("high", "ISR 4400 series"),
    "ASR1001": ("high", "ASR 1001"),
    "ASR1002": ("high", "ASR 1000 modular series"),
    "ASR1002-HX": ("high", "ASR 1000 fixed series"),
    "ASR1009-X": ("high", "ASR 1000 modular series"),
    "ASR-9001": ("high", "ASR 9001"),
    "ASR-9010-AC": ("high", "ASR 9006, 9010, 9904, 9906, 9910, 9912 and 9922"),
    "ASR-9901": ("high", "ASR 9000"),
    "ASR5K-00-CH-K9": ("high", "ASR 5000 series"),
    "ESR-10008": ("high", "Cisco 10000 series"),
    "N9K-C9396PX": ("high", "Nexus 9300 series"),
    "N9K-C92160YC-X": ("high", "Nexus 9000 fixed port series"),
    "N9K-C9508": ("high", "Nexus 9500 modular series"),
    "N9K-C9300v": ("not_in_program", "Nexus 9000v (virtual)"),
    "N9324C-SE1U": ("not_in_program", None),
    "N3K-C3172PQ-10GE": ("high", "Nexus 3000 series"),
    "N4K-4001I-XPX": ("high", "Nexus 4000 series"),
    "N5K-C5020P-BF": ("high", "Nexus 5000 series"),
    "N5K-C5548UP-FA": ("high", "Nexus 5500 series"),
    "N5K-C5672UP": ("high", "Nexus 5600 series"),
    "N6K-C6001-64P": ("high", "Nexus 6000 series"),
    "N77-C7710": ("high", "Nexus 7000 series"),
    "N2K-C2248TP-E-1GE": ("high", "Nexus 2000 series"),
    "DS-C9250i-K9": ("high", "MDS 9000 series"),
    "BPX-8620": ("high", "BPX 8600 series"),
    "MGX-8850": ("high", "MGX 8800 series"),
    "MGX-8950": ("high", "MGX 8900 series"),
    "AS5400XM": ("high", "AS5x00 series universal gateways"),
    "15454-M6-SA": ("high", "ONS 15454 series multiservice provisioning platforms"),
    "ONS-15454": ("high", "ONS 15454 series multiservice provisioning platforms"),
    "ONS15454": ("high", "ONS 15454 series multiservice provisioning platforms"),
    "ONS-154540": ("not_in_program", None),
    "IE-3300-8U2X": ("not_in_program", None),
    "IOSv": ("not_in_program", None),
    "": ("unknown", None),  # no PID: no list can be told, so none is guessed
}


@pytest.mark.parametrize(("pid", "expected"), CATALOGUE_CASES.items(), ids=list(CATALOGUE_CASES))
def test_catalogue(pid: str, expected: tuple[str, str | None]) -> None:
    product = PRODUCTS.lookup(pid)
    assert (str(product.tier), product.family) == expected, product.explain()
    if product.family is None:
        assert product.rule is None and not product.in_program


def test_every_family_is_reached_by_a_case() -> None:
    reached = {family for _, family in CATALOGUE_CASES.values()}
    assert set(PRODUCTS.families()) - reached == set()


def test_lookup_ignores_case_and_padding_and_explains() -> None:
    product = PRODUCTS.lookup("  c9300-48p ")
    assert (product.pid, product.tier, product.rule) == ("C9300-48P", "low", "C9300[A-Z]*(-.*)?")
    assert product.outranked == ("Catalyst 9000 fixed port series",)
    assert "more specific than Catalyst 9000 fixed port series" in product.explain()
    assert "neither of the program's tier lists" in PRODUCTS.lookup("CISCO1941/K9").explain()
    assert PRODUCTS.lookup(None).tier == "unknown"


def test_os_and_ssh_platforms() -> None:
    ons = PRODUCTS.lookup("ONS-15454-SA-ANSI")
    assert (ons.os, ons.has_ssh_cli) == ("TL1 or element manager", False)
    assert PRODUCTS.lookup("ASR5K-00-CH-K9").platforms == ()
    assert PRODUCTS.lookup("N7K-C7010").platforms == ("cisco_nxos",)
    assert PRODUCTS.lookup("ASR-9904").platforms == ("cisco_xr",)
    assert PRODUCTS.lookup("ASA5525").platforms == ("cisco_asa",)
    assert "cisco_xe" in PRODUCTS.lookup("C9300-48P").platforms
    assert PRODUCTS.lookup("WS-C6509-E").os == "CatOS or IOS"


def test_literal_prefix() -> None:
    assert literal_prefix("C9300[A-Z]*(-.*)?") == "C9300"
    assert literal_prefix("C9[235]\\d\\d") == "C9"
    assert literal_prefix("WS-X?6748") == "WS-"
    assert literal_prefix("ASR-920-4SZ-A") == "ASR-920-4SZ-A"
    assert literal_prefix("(ONS-?)?15454(-.*)?") == ""


def _catalogue(families: str) -> ProductCatalogue:
    return ProductCatalogue.from_yaml("operating_systems: {IOS: [cisco_ios]}\nfamilies:\n"
                                      + families)


def test_catalogue_refuses_ties_and_malformed_entries() -> None:
    tied = _catalogue("  - {family: A, tier: low, os: IOS, pids: ['X1.*']}\n"
                      "  - {family: B, tier: high, os: IOS, pids: ['X1\\d']}\n")
    with pytest.raises(CatalogueError, match="matches A and B equally|matches B and A equally"):
        tied.lookup("X12")
    with pytest.raises(CatalogueError, match="expected family, tier, os, pids"):
        _catalogue("  - {family: ASR 902, 903, tier: high, os: IOS, pids: [ASR-902]}\n")
    with pytest.raises(CatalogueError, match="unknown tier"):
        _catalogue("  - {family: A, tier: medium, os: IOS, pids: [A]}\n")
    with pytest.raises(CatalogueError, match="unknown tier 'unknown'"):
        _catalogue("  - {family: A, tier: unknown, os: IOS, pids: [A]}\n")
    with pytest.raises(CatalogueError, match="unknown os"):
        _catalogue("  - {family: A, tier: low, os: JUNOS, pids: [A]}\n")
    with pytest.raises(CatalogueError, match="bad pattern"):
        _catalogue("  - {family: A, tier: low, os: IOS, pids: ['A[']}\n")


# ------------------------------------------------------------------------- program checks

XE_OUTPUTS = {
    "show version": "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_1.txt",
    "show inventory": "iosxe/show_inventory/genieparser--cat9k_c9300_rv1-golden_output_2.txt",
}  # a C9300-48P, serial FCW2124G09K
NXOS_UNREADABLE = {
    "show version": "nxos/show_version/genieparser--golden_output_2.txt",
    "show inventory": "nxos/show_inventory/genieparser--golden_output_3.txt",
}  # serial N/A


def facts(platform: str, outputs: dict[str, str]) -> dict[str, Any]:
    """The identity facts read from real outputs, as the evaluator would hand them to a check."""
    texts = {cmd: corpus_file(rel).read_text(encoding="utf-8", errors="replace")
             for cmd, rel in outputs.items()}

    def output(command: str) -> RawOutput:
        text = texts.get(command)
        return RawOutput(command=command, text=text, sha256=sha256_text(text) if text else None)

    resolver = FactResolver(platform, output)
    return {fact.name: resolver.resolve(fact).value for fact in (VERSION, INVENTORY)}


def context(hold: list[str] | None = None, **data: Any) -> HostContext:
    fields = {"site": "Austin", "country": "US", "declared_pid": "C9300-48P",
              "declared_serial": "FCW2124G09K", "condition": "working", "license_proof": "SO-1"}
    fields.update(data)
    return HostContext.from_data("sw1", fields, hold)


POLICY = load_policy()


@pytest.mark.parametrize(
    ("ctx", "status", "fragment"),
    [
        (context(), Status.PASS, "C9300-48P serial FCW2124G09K as the checklist declares"),
        (context(declared_pid="c9300-48p-a", declared_serial=" fcw2124g09k "), Status.PASS,
         "as the checklist declares"),  # orderable suffix, case and padding
        (context(declared_pid="C9300-48U"), Status.ERROR,
         "the inspection cannot be done: the checklist is inaccurate: PID C9300-48U declared, "
         "chassis is C9300-48P"),
        (context(declared_pid="C9300-48PXG"), Status.ERROR, "PID C9300-48PXG declared"),
        (context(declared_serial="FCW0000X000"), Status.ERROR,
         "serial FCW0000X000 declared, chassis has FCW2124G09K"),
        (context(declared_serial=None), Status.ERROR,
         "checklist incomplete: declared_serial not given"),
        (context(declared_pid="", declared_serial=""), Status.ERROR,
         "declared_pid and declared_serial not given"),
        (None, Status.SKIP, "no pre-inspection checklist"),
        (HostContext.from_data("lab1", {"site": "lab"}, ["X"]), Status.SKIP, "no pre-inspection"),
    ],
)
def test_declared_identity(ctx: HostContext | None, status: Status, fragment: str) -> None:
    outcome = declared_identity(**facts("cisco_xe", XE_OUTPUTS), policy=POLICY, context=ctx)
    assert outcome.status == status and fragment in outcome.message, outcome.message


@pytest.mark.parametrize(("declared", "found", "same"), [
    ("ASA5525", "ASA5525-K9", True), ("C9300-48P", "c9300-48p-a", True),
    ("ASR1002", "ASR1002-X", False), ("ASR1002", "ASR1002-HX", False),
    ("ASR1001", "ASR1001-X", False), ("ASR1006-X", "ASR1006", False),
])
def test_an_orderable_suffix_is_the_chassis_a_model_the_lists_tell_apart_is_not(
        declared: str, found: str, same: bool) -> None:
    """An ASR1002-X declared as an ASR1002 passed as the chassis declared: the program's
    lists put them in different series."""
    assert same_product(declared, found) is same


def test_declared_identity_on_an_unreadable_serial_is_error() -> None:
    outcome = declared_identity(**facts("cisco_nxos", NXOS_UNREADABLE), policy=POLICY,
                                context=context())
    assert outcome.status == Status.ERROR and "serial could not be read" in outcome.message


def test_declared_identity_on_classic_ios_xr_is_error_not_a_false_fail() -> None:
    # Classic IOS-XR's `show inventory` starts with a route processor and lists no chassis.
    outputs = {"show version": "iosxr/show_version/genieparser--golden_output_1.txt",
               "show inventory": "iosxr/show_inventory/genieparser--golden_output_1.txt"}
    outcome = declared_identity(**facts("cisco_xr", outputs), policy=POLICY,
                                context=context(declared_pid="ASR-9006-AC", declared_serial="F1"))
    assert outcome.status == Status.ERROR and "no chassis entry" in outcome.message
    outputs["show inventory"] = "iosxr/show_inventory/ntc-templates--cisco_xr_show_inventory_01.txt"
    outcome = declared_identity(**facts("cisco_xr", outputs), policy=POLICY, context=context(
        declared_pid="8202-32FH-M", declared_serial="FLM27ABCDEF"))  # `Rack 0` is its chassis
    assert outcome.status == Status.PASS, outcome.message


def test_declared_identity_mismatch_carries_evidence() -> None:
    outcome = declared_identity(**facts("cisco_xe", XE_OUTPUTS), policy=POLICY,
                                context=context(declared_serial="OTHER"))
    assert {e.path: (e.expected, e.actual) for e in outcome.evidence}[
        "inventory/chassis/serial"] == ("OTHER", "FCW2124G09K")


@pytest.mark.parametrize(
    ("ctx", "status", "fragment"),
    [
        (context(hold=["SAL0000"]), Status.PASS, "is on the hold list (1 held)"),
        (context(hold=[]), Status.PASS, "none of"),
        (context(hold=["fcw2124g09k"]), Status.FAIL, "on compliance hold: serial FCW2124G09K"),
        (context(hold=["FOC99"], declared_serial="FOC99"), Status.FAIL, "serial FOC99"),
        (HostContext.from_data("lab1", {"site": "lab"}, ["FCW2124G09K"]), Status.FAIL,
         "FCW2124G09K"),  # a hold list applies with or without a checklist
        (context(hold=None), Status.SKIP, "no hold list was given"),
        (None, Status.SKIP, "no hold list was given"),
    ],
)
def test_hold_list(ctx: HostContext | None, status: Status, fragment: str) -> None:
    outcome = hold_list(**facts("cisco_xe", XE_OUTPUTS), policy=POLICY, context=ctx)
    assert outcome.status == status and fragment in outcome.message, outcome.message


def test_hold_list_flags_a_held_module() -> None:
    found = facts("cisco_xe", XE_OUTPUTS)
    module = InventoryItem(name="Power Supply Module 0", descr="PSU", pid="PWR-C1-715WAC",
                           serial="LIT9999HOLD")
    outcome = hold_list(version=found["version"], inventory=[*found["inventory"], module],
                        policy=POLICY, context=context(hold=["LIT9999HOLD"]))
    assert outcome.status == Status.FAIL
    assert [e.path for e in outcome.evidence] == ["inventory/Power Supply Module 0/serial"]


def test_hold_list_on_an_unreadable_serial_is_error() -> None:
    outcome = hold_list(**facts("cisco_nxos", NXOS_UNREADABLE), policy=POLICY,
                        context=context(hold=["X"]))
    assert outcome.status == Status.ERROR


@pytest.mark.parametrize(
    ("ctx", "status", "fragment"),
    [
        (context(license_proof="SO-80012345"), Status.PASS, "license proof SO-80012345"),
        (context(license_proof=None), Status.FAIL, "no license proof"),
        (context(license_proof="TBD"), Status.ERROR, "'TBD' is a placeholder"),
        (context(license_proof="n/a"), Status.ERROR, "placeholder"),
        # Placeholders no list foresaw: a sales order or receipt holds a number.
        (context(license_proof="N.A."), Status.ERROR, "'N.A.' is a placeholder"),
        (context(license_proof="TBC"), Status.ERROR, "holds no number"),
        (context(license_proof="not available"), Status.ERROR, "placeholder"),
        (None, Status.SKIP, "no pre-inspection checklist"),
    ],
)
def test_license_proof(ctx: HostContext | None, status: Status, fragment: str) -> None:
    outcome = license_proof(policy=POLICY, context=ctx)
    assert outcome.status == status and fragment in outcome.message, outcome.message


def test_program_checks_are_registered_and_take_a_context() -> None:
    import inspect

    from inspector.catalogue import load_catalogue

    catalogue = load_catalogue()
    for check_id in ("prog.declared.identity", "prog.hold.list", "prog.license.proof"):
        check = catalogue.get(check_id)
        assert check.domain == "program"
        assert "context" in inspect.signature(check.evaluate).parameters
    # Proof is on paper: the license check sends no command.
    assert catalogue.get("prog.license.proof").commands("cisco_xe") == []
    assert catalogue.get("prog.license.proof").severity == "info"


# ---------------------------------------------------------------------- records and runs

CHECKLIST_DATA = {"site": "Austin", "country": "US", "declared_pid": "C9300-48P",
                  "declared_serial": "FCW2124G09K", "condition": "working",
                  "license_proof": "SO-1", "transfer_exception": None}


def record(verdict: str = "PASS", pid: str | None = "C9300-48P", hold: str = "PASS",
           hold_message: str = "none of 1 serial number is on the hold list "
                               "(3 held)") -> dict[str, Any]:
    checks = [{"id": "hw.chassis.identity", "status": "PASS", "message": "ok"}]
    if hold:
        checks.append({"id": "prog.hold.list", "status": hold, "message": hold_message})
    return {"chassis": {"hostname": "sw1", "platform": "cisco_xe", "pid": pid,
                        "serial": "FCW2124G09K"},
            "checks": checks, "verdict": verdict,
            "verdict_reason": "every check that applies passed" if verdict == "PASS" else
            "failed: hw.psu.status"}


def test_program_section_eligible() -> None:
    assert program_section(record(), CHECKLIST_DATA, PRODUCTS) == {
        "tier": "low", "eligible_for_support": True, "reasons": []}


@pytest.mark.parametrize(
    ("rec", "data", "tier", "fragments"),
    [
        (record(), {**CHECKLIST_DATA, "license_proof": None}, "low", ["no license proof"]),
        (record(verdict="FAIL"), CHECKLIST_DATA, "low",
         ["inspection verdict FAIL: failed: hw.psu.status"]),
        (record(verdict="FAIL", hold="FAIL", hold_message="on compliance hold: serial FCW2124G09K"),
         CHECKLIST_DATA, "low", ["inspection verdict FAIL", "on compliance hold"]),
        (record(hold="SKIP", hold_message="no hold list was given for this run"), CHECKLIST_DATA,
         "low", ["compliance hold not checked: no hold list was given"]),
        (record(hold=""), CHECKLIST_DATA, "low", ["prog.hold.list did not run"]),
        (record(pid="N9K-C93180YC-EX"), CHECKLIST_DATA, "high", []),  # found PID decides tier
        (record(pid="N/A"), {**CHECKLIST_DATA, "declared_pid": "ISR4431/K9"}, "high", []),
        (record(pid="CISCO1941/K9"), CHECKLIST_DATA, "not_in_program", ["not in the program"]),
        (record(), {**CHECKLIST_DATA, "condition": "environmental_damage"}, "low",
         ["compromised-equipment"]),
        (record(), {"site": "lab"}, "low", ["no pre-inspection checklist"]),
        (record(pid="WS-C3650-24TS-L"), {"site": "lab"}, "not_in_program",
         ["no pre-inspection checklist", "not in the program"]),
        # Not reached, nothing declared: no PID, so no tier, and not "not in the program".
        (record(verdict="ERROR", pid=None), {"site": "lab"}, "unknown",
         ["no pre-inspection checklist", "inspection verdict ERROR"]),
    ],
)
def test_program_section_not_eligible(rec: dict[str, Any], data: dict[str, Any], tier: str,
                                      fragments: list[str]) -> None:
    section = program_section(rec, data, PRODUCTS)
    assert section["tier"] == tier
    assert section["eligible_for_support"] is (not section["reasons"])
    assert len(section["reasons"]) == len(fragments), section["reasons"]
    for reason, fragment in zip(section["reasons"], fragments, strict=True):
        assert fragment in reason


def _inventory(tmp_path: Path) -> Any:
    from inspector.hosts import load_nornir

    (tmp_path / "hosts.yaml").write_text(
        "ok:\n  hostname: 10.0.0.1\n  platform: cisco_xe\n  data: &ok\n"
        + "".join(f"    {k}: {v if v is not None else 'null'}\n" for k, v in CHECKLIST_DATA.items())
        + "damaged:\n  hostname: 10.0.0.2\n  platform: cisco_xe\n  data:\n"
        + "".join(f"    {k}: {v if v is not None else 'null'}\n"
                  for k, v in {**CHECKLIST_DATA, "declared_serial": "X2",
                               "condition": "permanently_damaged"}.items())
        + "held:\n  hostname: 10.0.0.3\n  platform: cisco_xe\n  data:\n"
        + "".join(f"    {k}: {v if v is not None else 'null'}\n"
                  for k, v in {**CHECKLIST_DATA, "declared_serial": "X3"}.items())
        + "lab1:\n  hostname: 127.0.0.1\n  platform: cisco_xe\n  data: {site: lab}\n"
    )
    return load_nornir(tmp_path, 1)


def test_host_context_from_a_nornir_host(tmp_path: Path) -> None:
    nornir = _inventory(tmp_path)
    ctx = HostContext.for_host(nornir.inventory.hosts["ok"], ["x3"])
    assert ctx.declaration == ChecklistRow(
        hostname="ok", address="10.0.0.1", platform="cisco_xe", **{
            k: v or "" for k, v in CHECKLIST_DATA.items()})
    assert ctx.hold_list == {"X3"}
    assert HostContext.for_host(nornir.inventory.hosts["lab1"], None).declaration is None


def test_context_saved_with_the_evidence_comes_back_the_same(tmp_path: Path) -> None:
    original = context(hold=["b2", "A1"])
    path, data = original.file(tmp_path / "evidence" / "sw1")
    assert path.name == "context.json"
    atomic_write(path, data)
    assert HostContext.load(tmp_path / "evidence" / "sw1") == HostContext(
        hostname="sw1", declaration=original.declaration, hold_list=frozenset({"A1", "B2"}))
    lab = HostContext.from_data("lab1", {"site": "lab"}, None)
    atomic_write(*lab.file(tmp_path / "lab1"))
    assert HostContext.load(tmp_path / "lab1") == lab and lab.host_data() == {}
    assert HostContext.load(tmp_path / "nothing-here") is None
    # The program section reads the saved declaration as it read the inventory's.
    assert program_section(record(), original.host_data(), PRODUCTS)["eligible_for_support"]


def test_excluded_hosts_and_their_records(tmp_path: Path) -> None:
    from inspector.store import write_record

    nornir = _inventory(tmp_path)
    excluded = excluded_hosts(nornir, {"X3"}, PRODUCTS)
    assert sorted(excluded) == ["damaged", "held"]  # lab1 has no checklist: inspected as ever
    record = excluded_record(
        run_id="r1", hostname="damaged", platform="cisco_xe", assessment=excluded["damaged"],
        policy=POLICY, started_at="2024-06-05T10:00:00Z", finished_at="2024-06-05T10:00:00Z",
        site="Austin", address="10.0.0.2",
    )
    assert record["verdict"] == "ERROR" and record["checks"] == [] and record["session"] is None
    assert record["verdict_reason"] == ("not inspected: excluded before contact: declared "
                                        "permanently damaged: cannot be inspected or placed "
                                        "under a service contract")
    assert record["program"] == {"tier": "low", "eligible_for_support": False,
                                 "reasons": [excluded["damaged"].reasons[0].text]}
    path = write_record(tmp_path / "run", record)
    assert json.loads(path.read_text())["program"]["tier"] == "low"


def test_a_run_does_not_contact_a_second_host_declaring_a_serial_already_declared(
        tmp_path: Path) -> None:
    """An inventory written by hand is not imported, so nothing compared its hosts: one
    chassis declared under two hosts (two addresses of it, or one serial typed twice) was
    contacted twice, and quoted twice. The checklist import refuses the same rows."""
    from inspector.hosts import load_nornir

    (tmp_path / "hosts.yaml").write_text(
        "".join(f"{name}:\n  hostname: 10.0.0.{n}\n  platform: cisco_xe\n  data:\n"
                + "".join(f"    {k}: {v if v is not None else 'null'}\n"
                          for k, v in CHECKLIST_DATA.items())
                for n, name in enumerate(("first", "second"), 1)))
    excluded = excluded_hosts(load_nornir(tmp_path, 1), set(), PRODUCTS)
    assert list(excluded) == ["second"]
    assert [r.text for r in excluded["second"].reasons] == [
        f"checklist inaccurate: declared_serial: {CHECKLIST_DATA['declared_serial']!r} is "
        "also declared on host 'first'"]


def test_no_license_proof_does_not_exclude() -> None:
    row = ChecklistRow(hostname="a", address="10.0.0.1", platform="cisco_xe", site="S",
                       country="US", declared_pid="C9300-48P", declared_serial="S1",
                       condition="working")
    assessment = assess(row, set(), PRODUCTS)
    assert assessment.eligible
    assert [(r.blocks_inspection, r.blocks_support) for r in assessment.reasons] == [(False, True)]


def test_a_chassis_not_the_one_declared_is_not_inspected_in_its_record_and_every_report(
        tmp_path: Path) -> None:
    """The checklist declares serial FCW0000X000, the chassis reads FCW2124G09K: this was a
    critical FAIL of prog.declared.identity, and the chassis failed its inspection (the fee
    owed, the chassis kept from support as if found faulty). The program asks an accurate
    checklist "or the inspection cannot be done": the record says exactly that, as its
    verdict's reason, with what else was found reported beside it, and so does every report."""
    import io

    from rich.console import Console

    from inspector.catalogue import load_catalogue
    from inspector.evaluate import evaluate_check
    from inspector.evidence import Session
    from inspector.records import build_record, summary_row
    from reports import render
    from reports.terminal import print_summary
    from tests.corpus import WRITTEN_VERSIONS

    texts = {"show version": WRITTEN_VERSIONS["written: release only, IOS-XE"],
             "show inventory": corpus_file(XE_OUTPUTS["show inventory"]).read_text()}
    resolver = FactResolver("cisco_xe",
                            lambda c: RawOutput.from_text(c, texts[c], platform="cisco_xe"))
    declared = evaluate_check(load_catalogue().get("prog.declared.identity"),
                              platform="cisco_xe", resolver=resolver,
                              session=Session(connected=True, privileged=True), policy=POLICY,
                              context=context(declared_serial="FCW0000X000"))
    supply = {"id": "hw.psu.status", "title": "Every power supply is ok", "domain": "hardware",
              "version": 1, "status": "FAIL", "severity": "major",
              "message": "power supplies not ok: PS2 failed", "evidence": [], "commands": []}
    found = build_record(run_id="site", hostname="sw1", platform="cisco_xe",
                         results=[declared, supply],
                         session=Session(connected=True, privileged=True), policy=POLICY,
                         started_at="2026-12-07T10:00:00Z", finished_at="2026-12-07T10:00:05Z")
    cannot = ("the inspection cannot be done: the checklist is inaccurate: serial FCW0000X000 "
              "declared, chassis has FCW2124G09K")
    assert declared["status"] == "ERROR" and declared["message"] == cannot
    assert found["verdict"] == "ERROR"
    assert found["verdict_reason"] == f"not inspected: {cannot}; reported: failed hw.psu.status"
    shown = {fmt: render([found], fmt, tmp_path / f"report.{fmt}").read_text()
             for fmt in ("html", "md", "csv", "junit")}
    assert f'<td class="findings"><span class="errored">not inspected: {cannot}' in shown["html"]
    assert f"| ERROR | not inspected: `{cannot}` |" in shown["md"]
    assert f"not inspected: {cannot}" in shown["csv"]
    assert f'message="{cannot}"' in shown["junit"]
    console = Console(file=io.StringIO(), width=400)
    print_summary(console, [summary_row(found)], run_dir=tmp_path, records=tmp_path)
    assert re.search(f"ERROR +not inspected: {cannot}", console.file.getvalue())
