"""The family matrix: every family of the program's tier lists, whether the lab serves a chassis
of it, and what lab tests proved on that chassis.

What is "proven" is never typed by hand. `tests/test_families.py` inspects one healthy chassis
and one chassis per fault of every lab profile through the real CLI, computes what each check
concluded, and fails unless `checks/lab_proven.json` says exactly that (`UPDATE_LAB_PROVEN=1`
rewrites the file from the run). So the file can only claim what the current code proves, and
this module only reads it beside the catalogue and the lab's profiles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from inspector.program import ProductCatalogue, Tier, load_products

PROVEN_FILE = "lab_proven.json"
AGREEMENT_FILE = "corpus_agreement.json"

# The claim a family's row makes, strongest first.
PROVEN = "proven"  # a lab chassis of it passes healthy and fails on each of its faults, cleanly
MODELLED = "modelled"  # a lab chassis exists, but its outputs or its proof fall short
NO_LAB = "no lab chassis"
NO_SSH = "no SSH CLI"  # an OS the inspector cannot read (StarOS, TL1): nothing to prove


@dataclass(frozen=True, kw_only=True)
class LabProof:
    """What one lab profile's test run concluded, as `checks/lab_proven.json` records it."""

    profile: str
    pid: str
    healthy_verdict: str
    passed: tuple[str, ...]  # checks that reached PASS on the healthy chassis
    not_passed: Mapping[str, str]  # check -> SKIP or ERROR on the healthy chassis
    # fault scenario -> the checks that failed on it: the one meant for it and those the same
    # fault rightly fails too (a crash is also the last reload reason)
    caught: Mapping[str, tuple[str, ...]]
    missed: tuple[str, ...]  # fault scenarios not caught, or caught with a stray FAIL or ERROR
    modelled_only: str = ""  # why the outputs follow no real output of the family

    @property
    def proven(self) -> bool:
        return (self.healthy_verdict == "PASS" and not self.missed and bool(self.caught)
                and not self.modelled_only)

    def healthy_status(self, check: str) -> str:
        if check in self.passed:
            return "PASS"
        return self.not_passed.get(check, "not run")

    def failing_faults(self, check: str) -> list[str]:
        return sorted(s for s, checks in self.caught.items() if check in checks)

    def agrees_with(self, check: str, status: str) -> bool:
        """Whether a real output's labelled PASS, SKIP or FAIL for `check` is what this lab
        chassis gives: PASS or SKIP as it does healthy, FAIL as it does on one of its faults."""
        if status == "FAIL":
            return bool(self.failing_faults(check))
        return self.healthy_status(check) == status

    def judgement(self, check: str) -> str:
        """The lab's word on `check`, for a message."""
        faults = self.failing_faults(check)
        return f"{self.healthy_status(check)} healthy" + (
            f", FAIL on {', '.join(faults)}" if faults else ", FAILs on no fault")

    @classmethod
    def from_data(cls, profile: str, data: Mapping[str, Any]) -> LabProof:
        return cls(
            profile=profile,
            pid=str(data["pid"]),
            healthy_verdict=str(data["healthy_verdict"]),
            passed=tuple(data["passed"]),
            not_passed=dict(data["not_passed"]),
            caught={k: tuple(v) for k, v in data["caught"].items()},
            missed=tuple(data["missed"]),
            modelled_only=str(data.get("modelled_only", "")),
        )


@dataclass(frozen=True, kw_only=True)
class CorpusAgreement:
    """How the labelled real outputs of one family stand against the lab's judgement of its
    profiles, counted in labels (one output, one check), as `checks/corpus_agreement.json`
    records it. `tests/test_family_corpus.py` computes it and keeps the file true."""

    agree: int = 0
    # each: profile, check, file, label, lab, why (a disagreement the test explains)
    disagree: tuple[Mapping[str, str], ...] = ()
    # an ERROR label (a fragment says nothing of the family), or no lab profile of the
    # label's platform in the family
    not_comparable: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"agree": self.agree, "disagree": len(self.disagree),
                "not_comparable": self.not_comparable,
                "disagreements": [dict(d) for d in self.disagree]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CorpusAgreement:
        return cls(agree=int(data["agree"]), not_comparable=int(data["not_comparable"]),
                   disagree=tuple(dict(d) for d in data["disagreements"]))


@dataclass(frozen=True, kw_only=True)
class FamilyRow:
    family: str
    tier: Tier
    os: str
    ssh: bool
    profiles: tuple[str, ...] = ()  # lab profiles whose chassis PID is of this family
    proofs: tuple[LabProof, ...] = ()  # what the tests proved on those profiles
    unproven_profiles: tuple[str, ...] = field(default=())  # profiles no test run recorded
    corpus: CorpusAgreement | None = None  # None: no labelled real output of this family

    @property
    def claim(self) -> str:
        if not self.ssh:
            return NO_SSH
        if not self.profiles:
            return NO_LAB
        if self.proofs and all(p.proven for p in self.proofs) and not self.unproven_profiles:
            return PROVEN
        return MODELLED

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "tier": str(self.tier),
            "os": self.os,
            "ssh": self.ssh,
            "claim": self.claim,
            "profiles": list(self.profiles),
            "proofs": [
                {"profile": p.profile, "pid": p.pid, "healthy_verdict": p.healthy_verdict,
                 "passed": list(p.passed), "not_passed": dict(p.not_passed),
                 "caught": {k: list(v) for k, v in p.caught.items()}, "missed": list(p.missed),
                 "modelled_only": p.modelled_only}
                for p in self.proofs
            ],
            "unproven_profiles": list(self.unproven_profiles),
            "corpus": self.corpus.as_dict() if self.corpus else None,
        }


def load_proofs(text: str | None = None) -> dict[str, LabProof]:
    """The lab proofs recorded by the family test (the shipped file unless `text` is given)."""
    if text is None:
        text = files("checks").joinpath(PROVEN_FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    return {name: LabProof.from_data(name, data) for name, data in doc["profiles"].items()}


def load_agreement(text: str | None = None) -> tuple[dict[str, CorpusAgreement], dict[str, int]]:
    """The corpus agreement per family, and how many labels have no family and why (the
    shipped file unless `text` is given)."""
    if text is None:
        text = files("checks").joinpath(AGREEMENT_FILE).read_text(encoding="utf-8")
    doc = json.loads(text)
    return ({family: CorpusAgreement.from_data(data) for family, data in doc["families"].items()},
            {why: int(n) for why, n in doc["no_family"].items()})


def family_matrix(
    lab_pids: Mapping[str, str],
    proofs: Mapping[str, LabProof],
    products: ProductCatalogue | None = None,
    agreement: Mapping[str, CorpusAgreement] | None = None,
) -> list[FamilyRow]:
    """One row per family of the tier lists, in the lists' order.

    `lab_pids`: lab profile -> the chassis PID it serves (the family follows from the
    catalogue, so a profile counts for the family its PID really belongs to).
    """
    products = products or load_products()
    by_family: dict[str, list[str]] = {}
    for profile, pid in sorted(lab_pids.items()):
        family = products.lookup(pid).family
        if family is not None:
            by_family.setdefault(family, []).append(profile)
    rows = []
    for entry in products.entries():
        names = tuple(by_family.get(entry.name, ()))
        rows.append(FamilyRow(
            family=entry.name,
            tier=entry.tier,
            os=entry.os,
            ssh=bool(entry.platforms),
            profiles=names,
            # A proof for a PID the profile no longer serves proves nothing about it.
            proofs=tuple(proofs[n] for n in names if n in proofs and proofs[n].pid == lab_pids[n]),
            unproven_profiles=tuple(
                n for n in names if n not in proofs or proofs[n].pid != lab_pids[n]),
            corpus=(agreement or {}).get(entry.name),
        ))
    return rows


def lab_pids() -> dict[str, str]:
    """Every lab profile and the PID its chassis print."""
    from mock_devices.profiles import load_profiles

    return {name: profile.pid for name, profile in load_profiles().items()}


def markdown_table(rows: list[FamilyRow]) -> str:
    """The README's table: one line per family."""
    lines = ["| family | tier | OS | lab chassis | claim | checks PASS healthy | faults FAIL "
             "| corpus labels agree / disagree / not comparable |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        passed = sorted({c for p in row.proofs for c in p.passed})
        faults = sorted({f for p in row.proofs for f in p.caught})
        lines.append(
            f"| {row.family} | {row.tier} | {row.os} | {', '.join(row.profiles) or '-'} | "
            f"{row.claim} | {len(passed) if row.proofs else '-'} | "
            f"{', '.join(faults) if faults else '-'} | {corpus_cell(row.corpus)} |"
        )
    return "\n".join(lines) + "\n"


def corpus_cell(corpus: CorpusAgreement | None) -> str:
    """`agree / disagree / not comparable`, or `-` where no labelled output is of the family."""
    if corpus is None:
        return "-"
    return f"{corpus.agree} / {len(corpus.disagree)} / {corpus.not_comparable}"
