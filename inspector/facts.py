"""Facts: what a check needs to know, read from one command's output on each platform.

A fact is the extractor of the gather / extract / assert split: per platform it names the
command to send and, in order, the ways to turn that output into one normalized value:
Genie, then ntc-templates' TextFSM, then a small parser of our own. The first way that
yields a value wins, and the record says which parser served. Checks only ever see the
normalized value, so a platform's quirks stay here and the verdict logic stays shared.

A parser can also return a plausible value with rows missing (Genie's IOS-XE `show platform`
leaves out the `FT` fan trays, and with them the failed ones), or rows of its own making. Where
an output is a table, its source counts the table's rows in the raw text by a pattern of its
own (`Rows`); a way that read fewer, or more, is passed over for the next, and when none reads
them as the text shows them the fact is unavailable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from inspector.evidence import RawOutput
from inspector.parsing import ParseFailure, genie_parse, parse_deadline, textfsm_parse
from inspector.platforms import STAMP_LINE, platform_for

_V = TypeVar("_V")


class Unreadable(Exception):
    """The output does not hold what the fact needs (a fragment, an unexpected format)."""


class Inapplicable(Exception):
    """The output itself says the chassis has no such feature (an IOS-XE 3.x image answers
    `show license status` with its classic licensing, no Smart Licensing): the check does not
    apply, as when the command is rejected by a source that says so."""


def _extract(extract: Callable[[Any], Any], parsed: Any) -> Any:
    """A parser's result without the field a fact needs means this output does not hold it."""
    try:
        return extract(parsed)
    except (KeyError, IndexError, TypeError) as missing:
        raise Unreadable(f"the parsed output lacks {missing}") from missing


@dataclass(frozen=True)
class Genie:
    extract: Callable[[Any], Any]
    parser_class: str | None = None  # pin a class where Genie's revisions differ in schema
    # False where the metaparser's schema check dwarfs the parse itself (show interfaces:
    # 150 of 160 ms on a 48-port switch); the extractor then checks what it reads.
    schema_check: bool = True
    name = "genie"

    @property
    def parse_key(self) -> Hashable:
        """Facts whose strategies share this key share one parse of an output."""
        return (self.name, self.parser_class, self.schema_check)

    def parse(self, platform: str, output: RawOutput) -> Any:
        assert output.text is not None
        return genie_parse(platform_for(platform).genie_os, output.command, output.text,
                           self.parser_class, schema_check=self.schema_check)

    def read(self, platform: str, output: RawOutput) -> Any:
        return _extract(self.extract, self.parse(platform, output))


@dataclass(frozen=True)
class TextFSM:
    extract: Callable[[list[dict[str, Any]]], Any]
    name = "textfsm"

    @property
    def parse_key(self) -> Hashable:
        return (self.name,)

    def parse(self, platform: str, output: RawOutput) -> Any:
        assert output.text is not None
        return textfsm_parse(platform, output.command, output.text)

    def read(self, platform: str, output: RawOutput) -> Any:
        return _extract(self.extract, self.parse(platform, output))


@dataclass(frozen=True)
class Own:
    parse: Callable[[str], Any]
    name = "own"

    def read(self, platform: str, output: RawOutput) -> Any:
        assert output.text is not None
        return self.parse(output.text)


Strategy = Genie | TextFSM | Own


Counts = int | Mapping[str, int]  # rows, or rows per kind ("power supplies", "fans")


@dataclass(frozen=True)
class Rows:
    """How many rows an output's table holds, counted in the raw text independently of any
    parser (one regex pass), and how many of them a parsed value holds (`len` by default);
    either a number or a number per kind of row, so that extra units of one kind never hide
    a missing one of another. `what` names plain numbers in the reason a value is refused
    with. A counter that finds a row cut short raises `Unreadable`: no way reads that text."""

    in_text: Callable[[str], Counts]
    in_value: Callable[[Any], Counts] = len
    what: str = "rows"
    # The count is every row a value may hold, not only those the counter knows to look
    # for: a value holding more is refused too.
    exact: bool = False

    def by_kind(self, counts: Counts) -> Mapping[str, int]:
        return {self.what: counts} if isinstance(counts, int) else counts

    def differs(self, value: Any, in_text: Mapping[str, int]) -> str | None:
        """`22 of 26 module rows` where the value holds fewer rows than the text, and, where
        the count is `exact`, `1 UDIs where the text shows 0` where it holds more: a row no
        line of the output shows is the parser's own, not the device's (Genie's `show
        license udi` makes a UDI of the first two words of a header, or of a refusal)."""
        judged = self.by_kind(self.in_value(value))
        short = [f"{judged.get(kind, 0)} of {n} {kind}" for kind, n in in_text.items()
                 if judged.get(kind, 0) < n]
        extra = [f"{n} {kind} where the text shows {in_text.get(kind, 0)}"
                 for kind, n in judged.items() if self.exact and n > in_text.get(kind, 0)]
        return ", ".join(short + extra) or None


def said_twice(text: str) -> None:
    """Refuse a reply said twice over (a capture pasted twice into its file, a terminal that
    printed the reply again), perhaps with a line or two between the copies (the prompt and
    the command's echo): every parser reads both copies, and a check would count each supply,
    fan, module and inventory entry twice and pass on the double count. Blank lines, trailing
    spaces and the time stamps a terminal prints above each reply are not compared: a paste
    adds or drops the first two, and two replies differ in the last. No real output of the
    shared corpus is a run of lines, up to four others, and the same run again; a copy is at
    least two lines, so that a log holding one message logged twice in a second is read."""
    # Every output is read so, some by several facts: a line at either end found only once
    # in the text (a line, or a part of one, of a copy is in both) is the cheap sign of no
    # copy, and most outputs stop at it.
    for end in (text[:4096].splitlines(), reversed(text[-4096:].splitlines())):
        line = _first_line_said(end)
        if line is not None and text.count(line) < 2:
            return
    lines = [line.rstrip() for line in text.splitlines()
             if line.strip() and not STAMP_LINE.match(line)]
    for between in range(_MOST_LINES_BETWEEN_COPIES + 1):
        copy = (len(lines) - between) // 2
        if copy >= 2 and len(lines) == 2 * copy + between and lines[:copy] == lines[-copy:]:
            raise Unreadable(f"the output holds its reply twice ({copy} lines, then the same "
                             f"{copy} lines again): what it lists would be counted twice")


_MOST_LINES_BETWEEN_COPIES = 2


def _first_line_said(lines: Iterable[str]) -> str | None:
    """The first of these lines that `said_twice` compares (not blank, not a time stamp)."""
    for line in lines:
        if line.strip() and not STAMP_LINE.match(line):
            return line.rstrip()
    return None


@dataclass(frozen=True)
class SaidOnce:
    """A source's `whole` rule: the lines `line` matches are each printed once by one reply
    of the command (`CPU utilization for five seconds`, `Redundant System Information`), so
    one printed again shows two replies in one output that differ (two captures a minute
    apart saved as one), which `said_twice` does not see. The parsers read one of them, or
    both: a CPU busy in the first capture and idle in the second passed on the second. The
    match names the line in the reason, so it holds the words a reply repeats, not the
    figures two replies differ in."""

    line: re.Pattern[str]  # compiled with re.MULTILINE, anchored at a line's start
    what: str  # what the line is, for the reason: "the CPU utilization line"

    def __call__(self, text: str) -> None:
        seen: set[str] = set()
        for match in self.line.finditer(text):
            said = " ".join(match[0].split())
            if said in seen:
                raise Unreadable(f"the output holds its reply twice: {self.what} "
                                 f"{said[:80]!r}, which one reply prints once, is printed twice")
            seen.add(said)


@dataclass(frozen=True)
class Source:
    """Where a fact comes from on one platform.

    `fallbacks` are commands sent, in order, only when the device rejects the one before
    (an IOS-XE router has no `crashinfo:` file system, a switch has). `when_rejected="skip"`
    says a device that has none of them lacks the feature: the check does not apply. Only the
    OS's "no such command" says so; a command it finds incomplete or ambiguous, or an
    authorization's refusal, says nothing of the feature.
    `otherwise` is another source, read when this one yields no value (the OS has none of its
    commands, or they are not in a capture; never after an authorization's refusal or an
    incomplete or ambiguous command, which say nothing of the chassis, nor when an answer
    could not be read): where a platform
    prints the fact in one command on some releases and in another on others (a Catalyst
    9500 on 17.3 prints no configuration register in `show version`, only ROM monitor
    variables in `show romvar`). Its commands are always collected, so a rerun or an offline
    judgement reads them as the live one did.
    `incomplete` says what a value read here lacks (classic IOS-XR's `show inventory` lists
    its cards but not the chassis, which only `admin show inventory` names): the `otherwise`
    source is then read in its place, and where that yields nothing the first value stands,
    saying what it lacks, for the check to judge what it does show.
    `rows` counts the table's rows in the raw text, so that a parser that drops some, or
    makes some up, is passed over.
    `opening` says whether the raw text opens as this command's output does, and raises
    `Unreadable` where it does not: Genie's `show version` reads a release from the first
    line that looks like a banner wherever it stands, so a `show logging` saved in its place
    would give the release a restart message quotes.
    `whole` says where the raw text is not this command's reply whole and once, in a way only
    this command's words show, and raises `Unreadable`: its reply twice although the copies
    differ (two `show version` taken a minute apart differ in their uptime; `SaidOnce`, a
    line one reply prints once), a state cut inside its word. A reply said twice word for
    word is refused for every command (`said_twice`).
    """

    command: str
    strategies: tuple[Strategy, ...]
    fallbacks: tuple[str, ...]
    when_rejected: str
    otherwise: Source | None
    rows: Rows | None
    incomplete: Callable[[Any], str | None] | None
    opening: Callable[[str], None] | None
    whole: Callable[[str], None] | None

    def __init__(self, command: str, *strategies: Strategy, fallbacks: tuple[str, ...] = (),
                 when_rejected: str = "error", otherwise: Source | None = None,
                 rows: Rows | None = None,
                 incomplete: Callable[[Any], str | None] | None = None,
                 opening: Callable[[str], None] | None = None,
                 whole: Callable[[str], None] | None = None) -> None:
        if when_rejected not in ("error", "skip"):
            raise ValueError(f"when_rejected must be 'error' or 'skip', not {when_rejected!r}")
        object.__setattr__(self, "command", command)
        object.__setattr__(self, "strategies", strategies)
        object.__setattr__(self, "fallbacks", fallbacks)
        object.__setattr__(self, "when_rejected", when_rejected)
        object.__setattr__(self, "otherwise", otherwise)
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "incomplete", incomplete)
        object.__setattr__(self, "opening", opening)
        object.__setattr__(self, "whole", whole)

    @property
    def commands(self) -> tuple[str, ...]:
        return (self.command, *self.fallbacks)

    @property
    def command_groups(self) -> tuple[tuple[str, ...], ...]:
        """This source's commands, then those of each source read otherwise."""
        return (self.commands, *(self.otherwise.command_groups if self.otherwise else ()))


@dataclass(frozen=True)
class Fact:
    name: str
    sources: Mapping[str, Source]  # netmiko device type -> where the fact comes from

    def source(self, platform: str) -> Source | None:
        return self.sources.get(platform)


class FactUnavailable(Exception):
    def __init__(self, reason: str, command: str | None = None, *,
                 refused_not_absent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.command = command
        # A command was refused by other than "no such command" (an authorization's refusal,
        # an incomplete or ambiguous command): no other source stands in for it.
        self.refused_not_absent = refused_not_absent


class FactUnreadable(FactUnavailable):
    """The device answered, and no way could read the answer: a fragment or an unknown
    layout. Another command never stands in for it (`Source.otherwise`): a cut-off output
    would then pass on the other command's word."""


class FactNotApplicable(FactUnavailable):
    """The device has none of the commands of a source that says that means "no such
    feature here", or its answer says so (`Inapplicable`)."""


@dataclass(frozen=True, kw_only=True)
class FactValue:
    value: Any
    command: str
    sha256: str | None
    parser: str
    note: str | None = None  # why another command of the source was read instead


class FactResolver:
    """Reads facts for one chassis from its raw outputs, each fact once."""

    def __init__(self, platform: str, outputs: Callable[[str], RawOutput]) -> None:
        self.platform = platform
        self._outputs = outputs
        self._raw: dict[str, RawOutput] = {}
        self._values: dict[str, FactValue | FactUnavailable] = {}
        # Several facts read one output with the same parser (`show version`: identity, OS,
        # uptime, reload reason): it is parsed once. Extractors only read what they are given.
        self._parsed: dict[tuple[str, Hashable], Any] = {}
        # So too what an output's shape says (`said_twice`, a source's `opening` and `whole`):
        # why it is not read, or None, by command and shape.
        self._shapes: dict[tuple[str, Callable[[str], None]], str | None] = {}
        # And what is concluded from several facts for every check that asks (whether `show
        # version` and the inventory are of one chassis), by the function concluding it.
        self._concluded: dict[Callable[[FactResolver], Any], Any] = {}

    def concluded(self, conclude: Callable[[FactResolver], _V]) -> _V:
        """What `conclude` finds from this chassis's facts, found once for all its checks."""
        if conclude not in self._concluded:
            self._concluded[conclude] = conclude(self)
        found: _V = self._concluded[conclude]
        return found

    def raw(self, command: str) -> RawOutput:
        if command not in self._raw:
            self._raw[command] = self._outputs(command)
        return self._raw[command]

    def resolve(self, fact: Fact) -> FactValue:
        if fact.name not in self._values:
            self._values[fact.name] = self._read(fact)
        found = self._values[fact.name]
        if isinstance(found, FactUnavailable):
            raise found
        return found

    def _read(self, fact: Fact) -> FactValue | FactUnavailable:
        source = fact.source(self.platform)
        if source is None:
            return FactUnavailable(f"no source for {fact.name} on {self.platform}")
        return self._read_source(source)

    def _read_source(self, source: Source) -> FactValue | FactUnavailable:
        found = self._read_commands(source)
        # Not after a rejection that means "no such feature here" (FactNotApplicable), nor
        # after an answer that could not be read (FactUnreadable), nor after a refusal that
        # says nothing of the chassis (a Catalyst's `show version` denied by its AAA server
        # passed on ROM monitor variables, as if its release printed no register).
        if (source.otherwise is None or isinstance(found, FactNotApplicable | FactUnreadable)
                or isinstance(found, FactUnavailable) and found.refused_not_absent):
            return found
        lacking = None
        if isinstance(found, FactValue):
            lacking = source.incomplete(found.value) if source.incomplete else None
            if lacking is None:
                return found
        other = self._read_source(source.otherwise)
        if isinstance(other, FactValue):
            if lacking is None:
                return other
            read = f"`{found.command}`: {lacking}; read `{other.command}` in its place"
            return replace(other, note=f"{read}; {other.note}" if other.note else read)
        if isinstance(found, FactValue):
            return replace(found, note=f"{lacking}; {other.reason}")
        return FactUnavailable(f"{found.reason}; {other.reason}", found.command)

    def _read_commands(self, source: Source) -> FactValue | FactUnavailable:
        passed_over: list[str] = []  # the commands before the one read, and why
        rejected, unknown = 0, 0
        for command in source.commands:
            output = self.raw(command)
            if output.captured:
                found = self._parse(source, output)
                if passed_over and isinstance(found, FactValue):
                    found = replace(found, note="; ".join(passed_over)
                                    + f"; read `{command}` in its place")
                return found
            why = output.error or "not captured"
            if output.not_plain:
                # It holds more than the device said (a pager, a terminal's codes): what it
                # says is unknown, so no fallback or other command is read in its place.
                return FactUnreadable(f"could not read `{command}`: {why}", command)
            if output.absent:
                # A capture saved without this command may hold its fallback's output.
                passed_over.append(f"`{command}` is not in the capture")
                continue
            if not output.rejected:
                return FactUnavailable(f"`{command}` {why}", command)
            rejected += 1
            unknown += output.unknown_command
            passed_over.append(f"`{command}` {why}")
        # Only "no such command" says the feature is not there: an authorization's refusal, or
        # an incomplete or ambiguous command, says nothing of it: could not tell, not "absent".
        if unknown == len(source.commands) and source.when_rejected == "skip":
            return FactNotApplicable(
                "the device does not support " + " nor ".join(f"`{c}`" for c in source.commands)
                + ": no such command",
                source.command,
            )
        if not rejected:
            return FactUnavailable(f"`{source.command}` not captured", source.command)
        return FactUnavailable("; ".join(passed_over), source.command,
                               refused_not_absent=unknown < rejected)

    def _parse(self, source: Source, output: RawOutput) -> FactValue | FactUnavailable:
        reasons = []
        in_text = None
        for shape in (said_twice, source.opening, source.whole):
            if shape is not None and (problem := self._shape_problem(output, shape)):
                return FactUnreadable(f"could not read `{output.command}`: {problem}",
                                      output.command)
        if source.rows is not None and output.text is not None:
            # Once per output, whichever way reads it.
            try:
                in_text = source.rows.by_kind(source.rows.in_text(output.text))
            except Unreadable as exc:
                return FactUnreadable(f"could not read `{output.command}`: {exc}", output.command)
        for strategy in source.strategies:
            try:
                value = self._read_with(strategy, output)
            except Inapplicable as exc:
                return FactNotApplicable(str(exc), output.command)
            except (ParseFailure, Unreadable) as exc:
                reasons.append(f"{strategy.name}: {exc}")
                continue
            except Exception as exc:  # an extractor meeting a shape it did not expect
                reasons.append(f"{strategy.name}: unexpected data ({type(exc).__name__}: {exc})")
                continue
            if source.rows is not None and in_text is not None:
                if differs := source.rows.differs(value, in_text):
                    reasons.append(f"{strategy.name} read {differs}")
                    continue
            return FactValue(
                value=value, command=output.command, sha256=output.sha256, parser=strategy.name
            )
        return FactUnreadable(
            f"could not read `{output.command}`: " + "; ".join(reasons), output.command
        )

    def _shape_problem(self, output: RawOutput, shape: Callable[[str], None]) -> str | None:
        """Why `shape` finds the output not its command's reply whole and once, or None."""
        if output.text is None:
            return None
        key = (output.command, shape)
        if key not in self._shapes:
            try:
                shape(output.text)
                self._shapes[key] = None
            except Unreadable as exc:
                self._shapes[key] = str(exc)
        return self._shapes[key]

    def _read_with(self, strategy: Strategy, output: RawOutput) -> Any:
        assert output.text is not None
        if isinstance(strategy, Own):
            with parse_deadline(output.text):
                return strategy.read(self.platform, output)
        key = (output.command, strategy.parse_key)
        if key not in self._parsed:
            try:
                with parse_deadline(output.text):
                    self._parsed[key] = strategy.parse(self.platform, output)
            except ParseFailure as failure:
                self._parsed[key] = failure
        parsed = self._parsed[key]
        if isinstance(parsed, ParseFailure):
            raise ParseFailure(str(parsed))
        return _extract(strategy.extract, parsed)
