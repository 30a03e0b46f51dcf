"""The engine held to the labelled corpus (tests/corpus_labels/README.md).

Each label says, from a reading of one real output, the status one check must give on it and
why. The engine judges the output here exactly as it judges a capture offline: the labelled
command answers with the output, the commands before it in the check's fallback chain answer
with the device's refusal, and a two-command check's other command with its companion.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from inspector.catalogue import load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, command_slug
from inspector.facts import FactResolver
from inspector.policy import Policy, load_policy
from tests.corpus import CORPUS, companion_text, default_companions

LABELS = Path(__file__).parent / "corpus_labels"
STATUSES = {"PASS", "FAIL", "ERROR", "SKIP"}
DECISIONS = {"catalogue", "fallback", "not used"}
PLATFORM_OF_FOLDER = {"ios": "cisco_ios", "iosxe": "cisco_xe", "nxos": "cisco_nxos",
                      "iosxr": "cisco_xr", "asa": "cisco_asa"}
# The corpus lists the default file system; each platform's crash check lists another
# directory of the same format.
DIR_COMMANDS = {"dir flash:", "dir crashinfo:", "dir bootflash:", "dir harddisk:/dumper",
                "dir disk0:"}
# What a device prints when it refuses a command, to answer the commands a label's own
# command stands behind in a fallback chain.
REFUSAL = "                 ^\n% Invalid input detected at '^' marker.\n"
NOT_LABELLED = ("prog.", "op.session.")


@dataclass(frozen=True)
class Label:
    source: str  # the label file
    os: str  # the corpus folder it labels
    file: str
    platform: str
    check: str
    command: str
    status: str
    reason: str
    companions: dict[str, str] = field(default_factory=dict)
    note: str | None = None

    @property
    def path(self) -> Path:
        return CORPUS / self.os / self.file

    @property
    def id(self) -> str:
        return f"{self.os}/{self.file}:{self.check}:{self.platform}"


def _label_files() -> list[Path]:
    return sorted(LABELS.glob("*.yaml"))


def _os_of(path: Path) -> str:
    return path.stem.split("-")[0]


@cache
def _documents() -> dict[Path, dict[str, Any]]:
    return {path: yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for path in _label_files()}


def _labels() -> list[Label]:
    labels = []
    for path, document in _documents().items():
        for entry in document.get("labels") or []:
            labels.append(Label(source=path.name, os=_os_of(path),
                                companions=entry.pop("companions", None) or {}, **entry))
    return labels


def _folders() -> dict[tuple[str, str], dict[str, Any]]:
    return {(_os_of(path), name): decision
            for path, document in _documents().items()
            for name, decision in (document.get("folders") or {}).items()}


LABELLED = _labels() if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(),
                                  reason=f"the shared corpus is not at {CORPUS}")


@cache
def _policy() -> Policy:
    return load_policy()


def judge(label: Label) -> dict[str, Any]:
    """The check's result on the labelled output, as an offline evaluation would give it."""
    check = load_catalogue().get(label.check)
    text = label.path.read_text(encoding="utf-8", errors="replace")
    companions = {**default_companions(label.platform, label.command,
                                       check.commands(label.platform)), **label.companions}

    def output(command: str) -> RawOutput:
        if command == label.command:
            body = text
        elif command in companions:
            body = companion_text(companions[command])
        else:
            body = REFUSAL
        return RawOutput.from_text(command, body, platform=label.platform)

    return evaluate_check(check, platform=label.platform,
                          resolver=FactResolver(label.platform, output),
                          session=Session(connected=True, privileged=True), policy=_policy())


@needs_corpus
def test_label_files_are_well_formed() -> None:
    catalogue = load_catalogue()
    problems = []
    folders = _folders()
    for label in LABELLED:
        where = f"{label.source}: {label.id}"
        if label.status not in STATUSES:
            problems.append(f"{where}: status {label.status!r}")
        if not label.path.is_file():
            problems.append(f"{where}: no such corpus file")
        if not label.reason.strip():
            problems.append(f"{where}: no reason")
        try:
            check = catalogue.get(label.check)
        except KeyError:
            problems.append(f"{where}: unknown check")
            continue
        folder = folders.get((label.os, label.file.split("/")[0]))
        if folder is None:
            problems.append(f"{where}: its folder has no decision")
        elif (label.command not in check.commands(label.platform)
              and label.check not in (folder.get("checks") or [])):
            problems.append(f"{where}: `{label.command}` is neither the catalogue's command "
                            f"on {label.platform} nor one its folder's decision names for "
                            f"{label.check}")
    for (os_name, name), decision in folders.items():
        if decision.get("decision") not in DECISIONS:
            problems.append(f"{os_name}/{name}: decision {decision.get('decision')!r}")
        if not (decision.get("why") or decision.get("decision") == "catalogue"):
            problems.append(f"{os_name}/{name}: a decision without why")
    assert not problems, "\n".join(problems)


def _catalogue_reads() -> Iterator[tuple[str, str, str, str]]:
    """(check, platform, command, corpus folder) for every command a labelled check sends."""
    for check in load_catalogue().all():
        if check.id.startswith(NOT_LABELLED):
            continue
        for platform in check.platforms:
            os_name = next(o for o, p in PLATFORM_OF_FOLDER.items() if p == platform)
            # What the check stands on: its required facts' commands and their fallbacks
            # (an optional fact, such as the PID that tells a fanless model, is labelled
            # where its own check reads it).
            commands = dict.fromkeys(c for fact in check.facts
                                     for c in fact.sources[platform].commands)
            for command in commands:
                folder = "dir" if command in DIR_COMMANDS else command_slug(command)
                yield check.id, platform, command, f"{os_name}/{folder}"


@needs_corpus
def test_every_output_the_catalogue_reads_is_labelled() -> None:
    """Each corpus output of a command the catalogue sends carries a label per check that
    reads it (on the platform that printed it: Genie's OS folders mix IOS and IOS-XE), and
    every command folder a decision."""
    labelled = {(f"{lb.os}/{lb.file}", lb.check) for lb in LABELLED}
    missing = []
    for check_id, platform, _, folder in _catalogue_reads():
        for path in sorted((CORPUS / folder).glob("*.txt")):
            relative = f"{folder}/{path.name}"
            if (relative, check_id) not in labelled:
                missing.append(f"{relative}: {check_id} on {platform}")
    undecided = [f"{path.parent.parent.name}/{path.parent.name}"
                 for path in sorted(CORPUS.glob("*/*/"))
                 if (path.parent.name, path.name) not in _folders()]
    assert not missing, f"{len(missing)} outputs unlabelled:\n" + "\n".join(missing)
    assert not undecided, "folders without a decision:\n" + "\n".join(undecided)


@needs_corpus
@pytest.mark.parametrize("label", LABELLED, ids=[label.id for label in LABELLED])
def test_engine_gives_the_labelled_status(label: Label) -> None:
    result = judge(label)
    assert result["status"] == label.status, (
        f"{label.id}: engine {result['status']} ({result['message']}); "
        f"label {label.status} ({label.reason})"
    )
