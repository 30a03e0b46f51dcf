"""The labelled corpus of each family agrees with the lab's judgement of that family's templates.

Each labelled real output (tests/corpus_labels) is of the family of the chassis it names itself
(`show version`'s `cisco WS-C3750X-48P (...) processor`, the inventory's chassis entry, the
`Chassis type:` or member switches of `show module` / `show platform`, the UDI of
`show license udi`), matched by the product catalogue. An output that names no chassis has
no family; a module's or a fabric extender's PID never stands in for the chassis.

Where the family has a lab profile of the label's platform, the label's status for its check
is held to what `checks/lab_proven.json` says the lab gives: PASS and SKIP as the healthy
chassis does, FAIL as the chassis does on one of its faults. An ERROR label (a fragment, an
output that cannot tell) says nothing of the family: not comparable. A disagreement means the
lab's template of the family contradicts what a real chassis of it printed; the few that are
legitimate are in EXPLAINED, each with its reason. The counts are what
`checks/corpus_agreement.json` must say (the file behind `inspector families`);
`UPDATE_CORPUS_AGREEMENT=1` rewrites it from the run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from checks.common import find_chassis
from checks.identity import INVENTORY, VERSION
from checks.licensing import LICENSE_UDI
from checks.operational import SWITCH_ROW
from inspector.evidence import RawOutput
from inspector.facts import Fact, FactResolver, FactUnavailable
from inspector.families import AGREEMENT_FILE, LabProof, load_proofs
from inspector.program import load_products
from mock_devices import load_profiles
from tests.corpus import CORPUS
from tests.test_corpus_labels import LABELLED, REFUSAL, Label

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason=f"the shared corpus is not at {CORPUS}")

# Legitimate disagreements, by (check, labelled file relative to the corpus): why the family's
# lab chassis rightly judges otherwise than this real one.
_BUNDLE = ("bundle mode (`System image file` a .bin): a real chassis may boot either way; the "
           "lab's boots install mode (packages.conf), as Cisco recommends for the family")
_OWN_BOOTVAR = ("the FAIL rests on the label's own `show bootvar` (an empty BOOT variable, "
                "written by the labeller): this chassis printed nothing of its boot variable")
EXPLAINED: dict[tuple[str, str], str] = {
    ("op.install.committed", "iosxe/show_version/genieparser--cat9k_c9500-golden_output.txt"):
        _BUNDLE,
    ("op.install.committed",
     "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500.txt"): _BUNDLE,
    ("op.install.committed",
     "iosxe/show_version/genieparser--cat9k_c9500-golden_output_c9500_1.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_5.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_7.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_8.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_9500h_svl.txt"):
        _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_c3850.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_c9300.txt"): _BUNDLE,
    ("op.install.committed", "iosxe/show_version/genieparser--golden_output_6.txt"):
        "install mode (packages.conf): a real chassis may boot either way; the lab's ASR "
        "1002-X runs 16.9 in bundle mode, as its profile says",
    # A minor check: the lab proves only faults that fail the chassis, so it has no fault for it.
    ("op.software.boot", "ios/show_version/genieparser--cat6k-golden_output.txt"): _OWN_BOOTVAR,
    ("op.software.boot", "ios/show_version/genieparser--golden_output_ios_cat6k.txt"):
        _OWN_BOOTVAR,
    ("hw.chassis.identity", "iosxe/show_inventory/genieparser--golden_output_5.txt"):
        "the capture's publisher masked every serial as `******`: no chassis prints that, "
        "and the lab models what chassis print",
}

# Why a labelled output has no family.
NO_CHASSIS = "names no chassis"
NOT_LISTED = "chassis on neither tier list"
SEVERAL = "chassis of several families"

# `Chassis type: ASR1006` (IOS-XE routers' `show platform`), `Chassis Type : WS-C4507R+E`
# (Catalyst 4500 / 9400 / 9600 `show module`).
_CHASSIS_TYPE = re.compile(r"^[ \t]*Chassis [Tt]ype[ \t]*:[ \t]*(\S+)", re.MULTILINE)


def _from_fact(fact: Fact, pick: Callable[[Any], list[str]]
               ) -> Callable[[str, str, str], list[str]]:
    """The chassis PIDs the inspector's own fact reads from this one output (every other
    command answering with a refusal, so no other output stands in)."""
    def read(platform: str, command: str, text: str) -> list[str]:
        def output(sent: str) -> RawOutput:
            return RawOutput.from_text(sent, text if sent == command else REFUSAL,
                                       platform=platform)
        try:
            return pick(FactResolver(platform, output).resolve(fact).value)
        except FactUnavailable:
            return []
    return read


def _chassis_of_inventory(items: list[Any]) -> list[str]:
    chassis = find_chassis(items)  # never a module's, an optic's or a FEX's entry
    return [chassis.pid] if chassis else []


def _modules_chassis(platform: str, command: str, text: str) -> list[str]:
    # Not NX-OS's or IOS-XR's tables, nor the Catalyst 6500's `show module`: they list cards.
    # Each member of a Catalyst stack (`Switch  Ports  Model`) is a chassis.
    if platform not in ("cisco_ios", "cisco_xe"):
        return []
    return _CHASSIS_TYPE.findall(text) or SWITCH_ROW.findall(text)


# The commands whose output names the chassis, and how it is read. ASA's `show module` and
# `show failover` name the card in slot 0, which on a 5585-X is a processor module: not read.
CHASSIS_READERS: dict[str, Callable[[str, str, str], list[str]]] = {
    "show version": _from_fact(VERSION, lambda v: [v["pid"]] if v.get("pid") else []),
    "show inventory": _from_fact(INVENTORY, _chassis_of_inventory),
    "admin show inventory": _from_fact(INVENTORY, _chassis_of_inventory),
    "show license udi": _from_fact(LICENSE_UDI, lambda udis: [u.pid for u in udis if u.pid]),
    "show module": _modules_chassis,
    "show platform": _modules_chassis,
}


def chassis_pids(platform: str, command: str, text: str) -> list[str]:
    reader = CHASSIS_READERS.get(command)
    return [pid for pid in reader(platform, command, text) if pid] if reader else []


@cache
def family_of(os_name: str, file: str, platform: str, command: str) -> tuple[str | None, str]:
    """The family of the chassis a labelled output names, or None and why it has none."""
    text = (CORPUS / os_name / file).read_text(encoding="utf-8", errors="replace")
    pids = chassis_pids(platform, command, text)
    if not pids:
        return None, NO_CHASSIS
    families = {load_products().lookup(pid).family for pid in pids}
    if None in families:
        return None, NOT_LISTED
    if len(families) > 1:
        return None, SEVERAL
    return families.pop(), ""


def label_family(label: Label) -> tuple[str | None, str]:
    return family_of(label.os, label.file, label.platform, label.command)


@dataclass(frozen=True)
class Disagreement:
    profile: str
    label: Label
    lab: str  # the lab's judgement of the label's check

    @property
    def key(self) -> tuple[str, str]:
        return self.label.check, f"{self.label.os}/{self.label.file}"

    def __str__(self) -> str:
        return (f"{self.profile}: {self.label.check} on {self.key[1]} ({self.label.platform}): "
                f"label {self.label.status} ({self.label.reason}); lab {self.lab}")


@dataclass
class FamilyCount:
    agree: int = 0
    disagree: list[Disagreement] = field(default_factory=list)
    not_comparable: int = 0


def compare(labels: list[Label], proofs: Mapping[str, LabProof],
            profiles: Mapping[str, tuple[str, str]],
            family: Callable[[Label], tuple[str | None, str]] = label_family,
            ) -> tuple[dict[str, FamilyCount], dict[str, int]]:
    """Each label against every lab profile of its family and platform. `profiles`: profile
    -> (family, netmiko device type). A label agrees when it agrees with all of them."""
    counts: dict[str, FamilyCount] = {}
    no_family = dict.fromkeys((NO_CHASSIS, NOT_LISTED, SEVERAL), 0)
    for label in labels:
        name, why = family(label)
        if name is None:
            no_family[why] += 1
            continue
        count = counts.setdefault(name, FamilyCount())
        lab = [p for p, (f, platform) in sorted(profiles.items())
               if f == name and platform == label.platform]
        if label.status == "ERROR" or not lab:
            count.not_comparable += 1
            continue
        wrong = [Disagreement(p, label, proofs[p].judgement(label.check)) for p in lab
                 if not proofs[p].agrees_with(label.check, label.status)]
        if wrong:
            count.disagree += wrong
        else:
            count.agree += 1
    return counts, no_family


def lab_profiles() -> dict[str, tuple[str, str]]:
    products = load_products()
    return {name: (products.lookup(p.pid).family or "", p.device_type)
            for name, p in load_profiles().items()}


def recorded(counts: Mapping[str, FamilyCount], no_family: Mapping[str, int]) -> str:
    """The agreement as `checks/corpus_agreement.json` keeps it."""
    families = {
        name: {"agree": c.agree,
               "disagree": len({d.label.id for d in c.disagree}),
               "not_comparable": c.not_comparable,
               "disagreements": [
                   {"profile": d.profile, "check": d.label.check, "file": d.key[1],
                    "label": d.label.status, "lab": d.lab, "why": EXPLAINED.get(d.key, "")}
                   for d in c.disagree]}
        for name, c in sorted(counts.items())
    }
    return json.dumps({"families": families, "no_family": dict(no_family)}, indent=1,
                      sort_keys=True) + "\n"


@needs_corpus
def test_labelled_outputs_agree_with_the_lab_of_their_family() -> None:
    counts, no_family = compare(LABELLED, load_proofs(), lab_profiles())
    found = [d for c in counts.values() for d in c.disagree]
    unexplained = [str(d) for d in found if d.key not in EXPLAINED]
    assert not unexplained, (
        "the lab's template of the family contradicts a real chassis of it (fix the profile, "
        "or explain why in EXPLAINED):\n" + "\n".join(unexplained))
    stale = sorted(set(EXPLAINED) - {d.key for d in found})
    assert not stale, f"EXPLAINED entries that explain no disagreement: {stale}"
    computed = recorded(counts, no_family)
    shipped = files("checks").joinpath(AGREEMENT_FILE)
    if os.environ.get("UPDATE_CORPUS_AGREEMENT"):
        Path(str(shipped)).write_text(computed, encoding="utf-8")
    assert shipped.read_text(encoding="utf-8") == computed, (
        "checks/corpus_agreement.json is not what this run found: rerun with "
        "UPDATE_CORPUS_AGREEMENT=1")


def _an_agreeing(status: str) -> tuple[Label, str]:
    """A real label of `status` that agrees with a lab profile of its family, and the profile."""
    proofs, profiles = load_proofs(), lab_profiles()
    for label in LABELLED:
        name, _ = label_family(label)
        lab = [p for p, (f, platform) in profiles.items()
               if name and f == name and platform == label.platform]
        if label.status == status and len(lab) == 1 \
                and proofs[lab[0]].agrees_with(label.check, status):
            return label, lab[0]
    raise AssertionError(f"no {status} label agrees with a lab profile")


@needs_corpus
@pytest.mark.parametrize("status", ["PASS", "FAIL"])
def test_a_lab_judgement_altered_in_memory_is_caught(status: str) -> None:
    label, profile = _an_agreeing(status)
    proofs = dict(load_proofs())
    proof = proofs[profile]
    if status == "PASS":  # the lab now says the check does not apply to the family
        altered = replace(proof, passed=tuple(c for c in proof.passed if c != label.check),
                          not_passed={**proof.not_passed, label.check: "SKIP"})
    else:  # the lab no longer fails the check on any fault
        altered = replace(proof, caught={s: tuple(c for c in checks if c != label.check)
                                         for s, checks in proof.caught.items()})
    proofs[profile] = altered
    counts, _ = compare([label], proofs, lab_profiles())
    [found] = [d for c in counts.values() for d in c.disagree]
    assert (found.profile, found.label, found.key not in EXPLAINED) == (profile, label, True)
    text = str(found)
    assert all(part in text for part in (profile, label.check, label.file, f"label {status}"))
    assert "lab SKIP healthy" in text if status == "PASS" else "FAILs on no fault" in text


_FEX_ONLY = """NAME: "FEX 101 CHASSIS", DESCR: "N2K-C2248TP-1GE  CHASSIS"
PID: N2K-C2248TP-1GE     ,  VID: V03 ,  SN: SSI15300A1B

NAME: "FEX 101 Module 1", DESCR: "Fabric Extender Module: 48x1GE, 4x10GE Supervisor"
PID: N2K-C2248TP-1GE     ,  VID: V03 ,  SN: JAF1530AAAA
"""
_MODULE_ONLY = """NAME: "module 1", DESCR: "WS-X6748-GE-TX CEF720 48 port 10/100/1000mb Ethernet"
PID: WS-X6748-GE-TX    , VID: V02, SN: SAL1128BBBB
"""


@pytest.mark.parametrize(("platform", "command", "text", "pids"), [
    ("cisco_nxos", "show inventory", _FEX_ONLY, []),  # a FEX is not the parent's chassis
    ("cisco_ios", "show inventory", _MODULE_ONLY, []),  # nor is a line card
    ("cisco_ios", "show inventory",
     'NAME: "WS-C6509-E", DESCR: "Cisco Systems Catalyst 6500 9-slot Chassis System"\n'
     "PID: WS-C6509-E        , VID: V02, SN: SMG1234ABCD\n\n" + _MODULE_ONLY, ["WS-C6509-E"]),
    ("cisco_ios", "show module", "Chassis Type : WS-C4507R+E\n", ["WS-C4507R+E"]),
    ("cisco_nxos", "show module", "Chassis Type : N7K-C7009\n", []),
    ("cisco_ios", "show logging", "cisco WS-C2960X-48FPD-L (APM86XXX) processor\n", []),
])
def test_the_chassis_an_output_names(platform: str, command: str, text: str,
                                     pids: list[str]) -> None:
    assert chassis_pids(platform, command, text) == pids
