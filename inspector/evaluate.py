"""Judging one chassis from its raw outputs: pure, and the same live, on rerun and offline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from inspector.catalogue import Check
from inspector.evidence import RawOutput, Session
from inspector.facts import FactNotApplicable, FactResolver, FactUnavailable, FactValue
from inspector.models import DECLARED_PLATFORM, Evidence, Outcome, Status
from inspector.platforms import PLATFORMS
from inspector.policy import Policy
from inspector.running_os import RUNNING_OS, mismatch
from inspector.second_reading import command_groups, second_opinion

if TYPE_CHECKING:  # inspector.program imports records, which imports this module
    from checks.identity import TwoChassis
    from inspector.program import HostContext


def plan_commands(platform: str, checks: Iterable[Check]) -> list[tuple[str, ...]]:
    """What the selected checks need on this platform, each once, in check order: per fact a
    command and the fallbacks to send only if the device rejects it. `show version` comes
    first whenever a check reads an output: it says whether the chassis runs the declared OS."""
    checks = list(checks)
    groups: dict[tuple[str, ...], None] = {}
    for check in checks:
        groups.update(dict.fromkeys(check.command_groups(platform)))
    if groups and platform in RUNNING_OS.sources:
        groups = dict.fromkeys(RUNNING_OS.sources[platform].command_groups) | groups
    # What NAPALM's getters also send, for the checks it reads a second time.
    groups.update(dict.fromkeys(command_groups(platform, [check.id for check in checks])))
    return list(groups)


def evaluate_check(
    check: Check,
    *,
    platform: str | None,
    resolver: FactResolver | None,
    session: Session | None,
    policy: Policy,
    context: HostContext | None = None,
) -> dict[str, Any]:
    commands: list[dict[str, Any]] = []
    outcome = _outcome(check, platform, resolver, session, policy, commands, context)
    outcome, second = second_opinion(check.id, platform, resolver, outcome,
                                     {c["command"]: c["parser"] for c in commands}, check.facts)
    return _result(check, outcome, commands, second)


def unjudged_check(check: Check, platform: str | None, why: str) -> dict[str, Any]:
    """A check's result where the chassis's evidence could not be judged at all, nothing
    parsed: ERROR, saying `why`, or SKIP where the check is not run on the platform."""
    return _result(check, _not_run(check, platform) or Outcome.error(why), [], None)


def _result(check: Check, outcome: Outcome, commands: list[dict[str, Any]],
            second: dict[str, Any] | None) -> dict[str, Any]:
    result = {
        "id": check.id,
        "title": check.title,
        "domain": str(check.domain),
        "version": check.version,
        "status": str(outcome.status),
        "severity": str(check.severity),
        "message": outcome.message,
        "evidence": [item.as_dict() for item in outcome.evidence],
        "commands": commands,
    }
    if outcome.identity:
        result["identity"] = dict(outcome.identity)
    if second is not None:
        result["second_reading"] = second
    return result


def _outcome(
    check: Check,
    platform: str | None,
    resolver: FactResolver | None,
    session: Session | None,
    policy: Policy,
    commands: list[dict[str, Any]],
    context: HostContext | None = None,
) -> Outcome:
    if (not_run := _not_run(check, platform)) is not None:
        return not_run
    # A platform the inspector parses, and its resolver: one is made for every such platform.
    assert platform is not None and resolver is not None
    if session is not None and not session.connected:
        return Outcome.error(f"chassis not inspected: {session.error or 'not reached'}")
    if session is not None and not session.privileged and not check.uses_session:
        return Outcome.error("chassis not inspected: privileged mode was not reached")
    if check.facts and (wrong_os := _wrong_os(resolver, platform)):
        # Every output would be read with the wrong OS's parsers and judged against the wrong
        # OS's normal values: nothing is judged until the inventory is corrected.
        commands.append({"command": wrong_os.command, "sha256": wrong_os.sha256,
                         "parser": wrong_os.parser})
        return Outcome.error(str(mismatch(platform, wrong_os.value)), [
            Evidence(path=DECLARED_PLATFORM, expected=platform, actual=wrong_os.value.label)])
    if check.facts and (two := _two_chassis(resolver, check.commands(platform))):
        # B's inventory judged as A's (its serials, its UDI, its held serial), or A's
        # configuration register as B's: neither output is known to be this chassis's.
        commands.extend({"command": output.command, "sha256": output.sha256,
                         "parser": output.parser} for output in two.outputs)
        return Outcome.error(two.why, list(two.evidence))
    kwargs: dict[str, Any] = {}
    for fact in check.facts:
        source = fact.sources[platform]
        try:
            found = resolver.resolve(fact)
        except FactUnavailable as missing:
            command = missing.command or source.command
            commands.append({"command": command, "sha256": resolver.raw(command).sha256,
                             "parser": None})
            if isinstance(missing, FactNotApplicable):
                return Outcome.skipped(f"does not apply: {missing.reason}")
            return Outcome.error(missing.reason)
        if not any(c["command"] == found.command for c in commands):
            read = {"command": found.command, "sha256": found.sha256, "parser": found.parser}
            if found.note:
                read["note"] = found.note
            commands.append(read)
        kwargs[fact.name] = found.value
    for fact in check.optional_facts:
        kwargs[fact.name] = None
        try:
            optional = resolver.resolve(fact) if platform in fact.sources else None
        except FactUnavailable:
            continue
        if optional is not None:
            if not any(c["command"] == optional.command for c in commands):
                commands.append({"command": optional.command, "sha256": optional.sha256,
                                 "parser": optional.parser})
            kwargs[fact.name] = optional.value
    if check.uses_session:
        kwargs["session"] = session
    if check.uses_context:
        kwargs["context"] = context
    try:
        outcome = check.evaluate(policy=policy, **kwargs)
    except Exception as exc:  # our own trouble is never a FAIL
        return Outcome.error(f"check could not evaluate: {type(exc).__name__}: {exc}")
    if check.never_fails and outcome.status == Status.FAIL:
        return Outcome.error(f"check {check.id} may not FAIL: {outcome.message}")
    return outcome


def _not_run(check: Check, platform: str | None) -> Outcome | None:
    """Why `check` is not run on `platform`, if it is not: gear without an SSH CLI the
    inspector parses, or a check that does not apply to it."""
    if platform not in PLATFORMS:
        return Outcome.skipped(
            f"not run: platform {platform or 'unknown'!r} has no SSH CLI the inspector can parse"
        )
    if platform not in check.platforms:
        return Outcome.skipped(f"does not apply to {PLATFORMS[platform].label}")
    return None


def _wrong_os(resolver: FactResolver, platform: str) -> FactValue | None:
    """The OS `show version` names, when it is not the declared one. A `show version` that
    was not captured or names no OS leaves the declaration standing: the checks that read it
    say what is missing."""
    try:
        found = resolver.resolve(RUNNING_OS)
    except FactUnavailable:
        return None
    return found if mismatch(platform, found.value) else None


def _two_chassis(resolver: FactResolver, read: list[str]) -> TwoChassis | None:
    """`show version` and the inventory, where a check reads either and they are proven of
    two chassis."""
    from checks.identity import outputs_of_two_chassis  # the checks import the engine

    return outputs_of_two_chassis(resolver, read)


def evaluate_chassis(
    *,
    platform: str | None,
    outputs: Callable[[str], RawOutput],
    session: Session | None,
    checks: Iterable[Check],
    policy: Policy,
    context: HostContext | None = None,
) -> list[dict[str, Any]]:
    resolver = FactResolver(platform, outputs) if platform in PLATFORMS else None
    return [
        evaluate_check(c, platform=platform, resolver=resolver, session=session, policy=policy,
                       context=context)
        for c in checks
    ]
