"""Property tests: every parser fallback and every check, fed odd text, stays in its lane.

Discovered from the catalogue (check -> facts -> sources -> strategies), so a new parser or
check is fuzzed the day it is registered. Inputs are arbitrary text and real outputs mutated
the way a truncated, garbled or misread capture looks (lines dropped, repeated, swapped or cut,
characters and numbers changed, junk lines inserted); the real outputs are the lab's templates
and, where present, the shared corpus.

- An `Own` parser returns a value or raises `Unreadable` (or `Inapplicable`, where the output
  says the chassis has no such feature), nothing else.
- A `Genie` or `TextFSM` strategy (parser plus extractor) returns a value or raises
  `ParseFailure` or `Unreadable`: an extractor meeting a shape it did not expect is a bug the
  engine would otherwise hide as an ERROR.
- Every check, through `evaluate_check`, returns a status; nothing escapes; a fact that cannot
  be read makes the check ERROR, never PASS; no message reports unexpected data; and text that
  is not a device's output (arbitrary, not blank) never PASSes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.catalogue import Check, load_catalogue
from inspector.evaluate import evaluate_check
from inspector.evidence import RawOutput, Session, sha256_text
from inspector.facts import (
    FactNotApplicable,
    FactResolver,
    FactUnavailable,
    Genie,
    Inapplicable,
    Own,
    Strategy,
    TextFSM,
    Unreadable,
)
from inspector.parsing import ParseFailure
from inspector.platforms import PLATFORMS
from inspector.policy import load_policy
from mock_devices import load_profiles, render_output
from mock_devices.profiles import command_slug as lab_slug
from mock_devices.profiles import common_scenarios
from tests.corpus import CORPUS, corpus_index

FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
CHECK_FUZZ = settings(max_examples=10, deadline=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
GENIE_OS = {p.genie_os: p.device_type for p in PLATFORMS.values()}
POLICY = load_policy()
SESSION = Session(connected=True, privileged=True)


# --------------------------------------------------------------------------- what to feed


@cache
def real_outputs() -> dict[tuple[str, str], tuple[str, ...]]:
    """(device type, command) -> real outputs: every lab template in every device scenario,
    and the corpus files of that command where the corpus is present."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    wire = set(common_scenarios())
    for name, profile in load_profiles().items():
        for scenario in sorted(set(profile.scenarios) - wire):
            for slug in profile.effective_templates(scenario):
                command = profile.command_for(slug)
                try:
                    text = render_output(name, command, scenario)
                except KeyError:
                    continue
                found[(profile.device_type, command)].append(text)
    for row in corpus_index():
        platform = GENIE_OS.get(row["os"])
        path = CORPUS / row["file"]
        if platform and path.is_file():
            found[(platform, row["command"])].append(
                path.read_text(encoding="utf-8", errors="replace"))
    return {key: tuple(dict.fromkeys(texts)) for key, texts in found.items()}


def outputs_of(platform: str, command: str) -> tuple[str, ...]:
    outputs = real_outputs()
    same = outputs.get((platform, command), ())
    if same:
        return same
    slug = lab_slug(command).strip("_").lower()
    return next((texts for (p, c), texts in outputs.items()
                 if p == platform and lab_slug(c).strip("_").lower() == slug), ())


@st.composite
def mutated(draw: st.DrawFn, texts: tuple[str, ...]) -> str:
    """A real output, damaged the way a bad capture is."""
    lines = draw(st.sampled_from(texts)).splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(lines) - 1)))
        op = draw(st.sampled_from(("drop", "repeat", "swap", "cut", "char", "digits", "junk",
                                   "strip", "crlf", "truncate")))
        line = lines[at] if lines else ""
        if op == "drop" and len(lines) > 1:
            del lines[at]
        elif op == "repeat":
            lines[at:at] = [line] * draw(st.integers(1, 3))
        elif op == "swap":
            other = draw(st.integers(0, max(0, len(lines) - 1)))
            lines[at], lines[other] = lines[other], lines[at]
        elif op == "cut" and line:
            lines[at] = line[: draw(st.integers(0, len(line)))]
        elif op == "char" and line:
            spot = draw(st.integers(0, len(line) - 1))
            lines[at] = line[:spot] + draw(st.characters()) + line[spot + 1:]
        elif op == "digits":
            lines[at] = re.sub(r"\d+", lambda _m: str(draw(st.integers(-5, 10**12))), line)
        elif op == "junk":
            lines.insert(at, draw(st.text(max_size=80)) + "\n")
        elif op == "strip":
            lines[at] = line.strip() + "\n"
        elif op == "crlf":
            lines = [ln.replace("\n", "\r\n") for ln in lines]
        elif op == "truncate":
            del lines[at + 1:]
    return "".join(lines)


def odd_text(platform: str, command: str) -> st.SearchStrategy[str]:
    texts = outputs_of(platform, command)
    arbitrary = st.text(max_size=1500)
    return st.one_of(arbitrary, mutated(texts)) if texts else arbitrary


# --------------------------------------------------------------------------- the catalogue


def _strategies() -> list[tuple[str, str, str, Strategy]]:
    """(fact, platform, command, strategy) for every strategy of every fact of every check,
    each strategy object once per platform and command."""
    found: dict[tuple[int, str, str], tuple[str, str, str, Strategy]] = {}
    for check in load_catalogue().all():
        for fact in check.facts:
            for platform, source in sorted(fact.sources.items()):
                for strategy in source.strategies:
                    for command in source.commands:
                        found.setdefault((id(strategy), platform, command),
                                         (fact.name, platform, command, strategy))
    return list(found.values())


STRATEGIES = _strategies()
OWN = [s for s in STRATEGIES if isinstance(s[3], Own)]
# One parse function may serve several facts and platforms: fuzz each with arbitrary text once.
OWN_FUNCTIONS = list({id(s[3].parse): s for s in OWN}.values())
LIBRARY = [s for s in STRATEGIES if isinstance(s[3], Genie | TextFSM)]
CHECKS = [(check, platform) for check in load_catalogue().all() for platform in check.platforms]


def _id(item: tuple[str, str, str, Strategy]) -> str:
    fact, platform, command, strategy = item
    what = getattr(strategy, "parse", None) or getattr(strategy, "extract", None)
    return f"{fact}-{platform}-{strategy.name}-{getattr(what, '__name__', '?')}-{command}"


def test_the_catalogue_offers_every_kind_of_strategy() -> None:
    assert OWN and LIBRARY and CHECKS
    assert any(isinstance(s[3], Genie) for s in LIBRARY)
    assert any(isinstance(s[3], TextFSM) for s in LIBRARY)
    # Real outputs feed most of them, not just arbitrary text.
    fed = [s for s in STRATEGIES if outputs_of(s[1], s[2])]
    assert len(fed) >= len(STRATEGIES) // 2


# --------------------------------------------------------------------------- parsers


def _own_reads(parse: Callable[[str], Any], text: str) -> None:
    try:
        parse(text)
    except (Unreadable, Inapplicable):
        pass


@pytest.mark.parametrize("item", OWN_FUNCTIONS, ids=_id)
def test_own_parsers_read_arbitrary_text_or_say_unreadable(
        item: tuple[str, str, str, Strategy]) -> None:
    parse = item[3].parse  # type: ignore[union-attr]

    @FUZZ
    @given(st.text(max_size=3000))
    def run(text: str) -> None:
        _own_reads(parse, text)

    run()


@pytest.mark.parametrize("item", [s for s in OWN if outputs_of(s[1], s[2])], ids=_id)
def test_own_parsers_read_damaged_real_outputs_or_say_unreadable(
        item: tuple[str, str, str, Strategy]) -> None:
    _, platform, command, strategy = item

    @FUZZ
    @given(mutated(outputs_of(platform, command)))
    def run(text: str) -> None:
        _own_reads(strategy.parse, text)  # type: ignore[union-attr]

    run()


@pytest.mark.parametrize("item", LIBRARY, ids=_id)
def test_genie_and_textfsm_strategies_fail_only_as_parse_failures(
        item: tuple[str, str, str, Strategy]) -> None:
    _, platform, command, strategy = item

    @CHECK_FUZZ
    @given(odd_text(platform, command))
    def run(text: str) -> None:
        try:
            strategy.read(platform, RawOutput(command=command, text=text,
                                              sha256=sha256_text(text)))
        except (ParseFailure, Unreadable):
            pass

    run()


# --------------------------------------------------------------------------- checks


@st.composite
def chassis_outputs(draw: st.DrawFn, check: Check, platform: str) -> dict[str, str]:
    return {command: draw(odd_text(platform, command)) for command in check.commands(platform)}


@pytest.mark.parametrize(("check", "platform"), CHECKS,
                         ids=[f"{c.id}-{p}" for c, p in CHECKS])
def test_every_check_judges_odd_outputs_at_worst_as_error(check: Check, platform: str) -> None:
    @CHECK_FUZZ
    @given(chassis_outputs(check, platform))
    def run(texts: dict[str, str]) -> None:
        def output(command: str) -> RawOutput:
            text = texts.get(command)
            return RawOutput(command=command, text=text,
                             sha256=sha256_text(text) if text is not None else None,
                             error=None if text is not None else "not captured")

        result = evaluate_check(check, platform=platform,
                                resolver=FactResolver(platform, output), session=SESSION,
                                policy=POLICY)
        status, message = result["status"], result["message"]
        assert status in ("PASS", "FAIL", "ERROR", "SKIP")
        assert "unexpected data" not in message and "could not evaluate" not in message, message
        # What became of each fact, read again on its own.
        resolver = FactResolver(platform, output)
        unread, not_here = [], []
        for fact in check.facts:
            try:
                resolver.resolve(fact)
            except FactNotApplicable:
                not_here.append(fact.name)
            except FactUnavailable:
                unread.append(fact.name)
        if status in ("PASS", "FAIL"):
            assert not unread and not not_here, (status, unread, not_here, message)
        if unread and not not_here:
            assert status == "ERROR", (unread, status, message)

    run()


@pytest.mark.parametrize(("check", "platform"), [(c, p) for c, p in CHECKS if c.facts],
                         ids=[f"{c.id}-{p}" for c, p in CHECKS if c.facts])
def test_text_that_is_no_device_output_never_passes(check: Check, platform: str) -> None:
    @CHECK_FUZZ
    @given(st.lists(st.text(min_size=1, max_size=400), min_size=1, max_size=1))
    def run(texts: list[str]) -> None:
        text = texts[0]
        if not text.strip():
            return  # an empty output is a real answer of some commands (no err-disabled port)
        result = evaluate_check(
            check, platform=platform,
            resolver=FactResolver(platform, lambda command: RawOutput(
                command=command, text=text, sha256=sha256_text(text))),
            session=SESSION, policy=POLICY)
        assert result["status"] != "PASS", (text, result["message"])

    run()
