"""The check catalogue: declarative checks, registered once, discovered by import.

A check names its facts; the platforms it applies to and the commands it needs there follow
from them, so the collection plan can never drift from what the checks read.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points

from inspector.facts import Fact
from inspector.models import Domain, Outcome, Severity
from inspector.platforms import PLATFORMS

Evaluate = Callable[..., Outcome]


@dataclass(frozen=True, kw_only=True)
class Check:
    id: str
    title: str
    domain: Domain
    severity: Severity
    facts: tuple[Fact, ...]
    evaluate: Evaluate
    # Read where the platform has a source, and passed as None when unavailable: what refines
    # a verdict without being needed for one (the chassis PID that tells a fanless model).
    optional_facts: tuple[Fact, ...] = ()
    version: int = 1
    uses_session: bool = False  # judged from the SSH session itself rather than an output
    never_fails: bool = False  # only PASS, ERROR or SKIP: e.g. a login that did not happen
    uses_context: bool = False  # judged against the host's checklist row and the hold list
    platforms_override: frozenset[str] | None = None

    @property
    def platforms(self) -> list[str]:
        if self.platforms_override is not None:
            return sorted(self.platforms_override)
        if not self.facts:
            return sorted(PLATFORMS)
        common = set(PLATFORMS)
        for fact in self.facts:
            common &= set(fact.sources)
        return sorted(common)

    def command_groups(self, platform: str) -> list[tuple[str, ...]]:
        """Per fact, the command to send and the fallbacks for a device that rejects it (and
        the same for the source read when the first yields no value)."""
        if platform not in self.platforms:
            return []
        sources = [fact.sources[platform] for fact in self.facts] + [
            fact.sources[platform] for fact in self.optional_facts if platform in fact.sources]
        return list(dict.fromkeys(group for source in sources for group in source.command_groups))

    def commands(self, platform: str) -> list[str]:
        """Every command the check may send on this platform, fallbacks included."""
        return list(dict.fromkeys(c for group in self.command_groups(platform) for c in group))


class UnknownCheck(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class Catalogue:
    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, check: Check) -> Check:
        if check.id in self._checks:
            raise ValueError(f"check id {check.id!r} registered twice")
        self._checks[check.id] = check
        return check

    def check(
        self,
        *,
        id: str,
        title: str,
        domain: Domain,
        severity: Severity,
        facts: Iterable[Fact] = (),
        optional_facts: Iterable[Fact] = (),
        version: int = 1,
        platforms: Iterable[str] | None = None,
        never_fails: bool = False,
    ) -> Callable[[Evaluate], Evaluate]:
        """Decorator: the function takes `policy` and one keyword per fact and optional fact
        (and `session`, `context` when it names them)."""

        def register(func: Evaluate) -> Evaluate:
            parameters = inspect.signature(func).parameters
            self.register(
                Check(
                    id=id,
                    title=title,
                    domain=domain,
                    severity=severity,
                    facts=tuple(facts),
                    optional_facts=tuple(optional_facts),
                    evaluate=func,
                    version=version,
                    uses_session="session" in parameters,
                    uses_context="context" in parameters,
                    never_fails=never_fails,
                    platforms_override=frozenset(platforms) if platforms is not None else None,
                )
            )
            return func

        return register

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._checks

    def get(self, check_id: str) -> Check:
        try:
            return self._checks[check_id]
        except KeyError:
            raise UnknownCheck(f"unknown check {check_id!r} (see `inspector checks`)") from None

    def all(self) -> list[Check]:
        return [self._checks[k] for k in sorted(self._checks)]

    def select(self, ids: Iterable[str] | None) -> list[Check]:
        return self.all() if ids is None else [self.get(i) for i in ids]


CATALOGUE = Catalogue()
check = CATALOGUE.check

_loaded = False


def load_catalogue() -> Catalogue:
    """Import every module of the `checks` package and any plugin that declares an entry point."""
    global _loaded
    if not _loaded:
        import checks

        for module in pkgutil.iter_modules(checks.__path__):
            importlib.import_module(f"checks.{module.name}")
        for plugin in entry_points(group="inspector.checks"):
            plugin.load()
        _loaded = True
    return CATALOGUE
