"""Chassis profiles and scenarios, loaded from the text files under `profiles/`.

Layout (everything is data; adding a command or a fault is adding a file):

    profiles/<profile>/profile.yaml               os, PID, serial site code, version, values
    profiles/<profile>/<command_slug>.txt         what the healthy chassis prints
    profiles/<profile>/scenarios/<name>/scenario.yaml   description, kind, text replacements
    profiles/<profile>/scenarios/<name>/<command_slug>.txt   whole-output overrides
    scenarios.yaml                                scenarios every profile has (connection faults)

profile.yaml may list `commands:` (the exact command for each template, since a slug cannot be
read back) and `aliases:` (a command that prints another's output, e.g. IOS-XR's
`admin show environment`).

A command slug is the command with every run of non-alphanumerics turned into `_`, the same
rule as the shared corpus, so `show environment all` lives in `show_environment_all.txt`.

Templates use `${name}` placeholders (see `identity.TemplateValues` for the `${sn:...}`,
`${num:...}`, `${time:...}` and `${mac:...}` helpers). A lone `$` is literal, `$$` is one `$`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .identity import Identity, TemplateValues, cisco_serial, format_mac, mac_for, uptime_for
from .platforms import OsTraits, traits_for

PACKAGE_DIR = Path(__file__).resolve().parent
PROFILES_DIR = PACKAGE_DIR / "profiles"
COMMON_SCENARIOS_FILE = PACKAGE_DIR / "scenarios.yaml"
HEALTHY = "healthy"


class ProfileError(ValueError):
    """A profile or scenario on disk is inconsistent (caught when the lab loads, not mid-run)."""


def command_slug(command: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", command.strip())


class OutputTemplate(string.Template):
    # Only `${...}` is a placeholder. Real outputs carry `$` (ASA hashes, XR file names), so a
    # bare `$word` must stay literal instead of raising the way string.Template's default does.
    pattern = r"""
    \$(?:
        (?P<escaped>\$) |
        \{(?P<braced>[a-z][a-z0-9_]*(?::[A-Za-z0-9_.+\-]*)*)\} |
        (?P<named>(?!)) |
        (?P<invalid>\{)
    )
    """  # type: ignore[assignment]
    flags = re.VERBOSE


PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, kw_only=True)
class Behaviour:
    """How the chassis behaves on the wire, beyond what it prints."""

    login: str = "accept"  # accept | refuse | hang
    port_closed: bool = False  # nothing listens on the chassis's port
    output_delay: float = 0.0  # seconds between chunks of every command output
    drop_mid_output: bool = False  # cut the connection halfway through the first show output
    ignore_paging_off: bool = False  # `terminal length 0` is accepted but `--More--` stays on
    banner: str = ""  # printed after login, before the first prompt
    garbage_output: bool = False  # show commands answer with binary junk
    huge_output_lines: int = 0  # extra lines appended to `show logging`-style outputs
    unsupported_commands: tuple[str, ...] = ()  # answered as unknown, like old software
    # Seconds the log output pauses after a line that is the chassis's own prompt, before the
    # rest of it and a memory allocation failure (a log line quoting the prompt, a busy box).
    prompt_mid_log: float = 0.0

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | None) -> Behaviour:
        data = dict(data or {})
        if "unsupported_commands" in data:
            data["unsupported_commands"] = tuple(data["unsupported_commands"])
        try:
            behaviour = cls(**data)
        except TypeError as exc:
            raise ProfileError(f"bad behaviour {data!r}: {exc}") from None
        if behaviour.login not in ("accept", "refuse", "hang"):
            raise ProfileError(f"bad behaviour login {behaviour.login!r}: accept, refuse or hang")
        return behaviour


@dataclass(frozen=True, kw_only=True)
class Scenario:
    name: str
    description: str
    # healthy | hardware | license | software | connection | fault
    kind: str
    behaviour: Behaviour = field(default_factory=Behaviour)
    # command slug -> whole replacement template
    overrides: Mapping[str, str] = field(default_factory=dict)
    # command slug -> ordered (old, new) text replacements applied to the healthy template
    replacements: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    in_mix: bool = True  # whether plan_lab's "mix" spreads this scenario over the lab
    # The overall verdict a correct inspector gives a chassis in this scenario: PASS, FAIL
    # (the device is at fault) or ERROR (we could not tell: no login, no prompt, no output).
    verdict: str = "PASS"


# What a scenario's kind implies when its data does not say otherwise.
_VERDICT_BY_KIND = {
    "healthy": "PASS",
    "hardware": "FAIL",
    "license": "FAIL",
    "software": "FAIL",
    "connection": "ERROR",
}


@dataclass(frozen=True, kw_only=True)
class Profile:
    name: str
    os: str
    pid: str
    description: str
    serial_prefix: str
    version: str
    values: Mapping[str, str]
    templates: Mapping[str, str]  # command slug -> healthy template text
    scenarios: Mapping[str, Scenario]
    # command slug -> the command as typed; from profile.yaml `commands:`, else the slug with
    # spaces (a slug cannot be turned back into `show interfaces status err-disabled`)
    command_names: Mapping[str, str] = field(default_factory=dict)
    # alias slug -> slug whose output it prints (IOS-XR `admin show environment` and
    # `show environment` print the same tables); scenario changes follow automatically
    aliases: Mapping[str, str] = field(default_factory=dict)
    # Saved outputs of a real chassis (`inspector lab serve`): served exactly as saved, never
    # rendered, since a real output's `$` and `${...}` are text, not placeholders.
    verbatim: bool = False
    # Commands this family answers that the inspector does not send yet (the fallbacks an older
    # family needs). Until they are none, a healthy chassis of it cannot reach PASS, so the
    # profile stays out of the default lab (`mix`, `make demo`) and is served only by name.
    awaits: tuple[str, ...] = ()

    def command_for(self, slug: str) -> str:
        return self.command_names.get(slug) or slug.replace("_", " ").strip()

    @property
    def traits(self) -> OsTraits:
        return traits_for(self.os)

    @property
    def device_type(self) -> str:
        return self.traits.device_type

    def scenario(self, name: str) -> Scenario:
        try:
            return self.scenarios[name]
        except KeyError:
            raise ProfileError(
                f"profile {self.name} has no scenario {name!r}: expected one of "
                f"{sorted(self.scenarios)}"
            ) from None

    def effective_templates(self, scenario: str = HEALTHY) -> dict[str, str]:
        """Every command slug this chassis answers in a scenario, with its template text."""
        sc = self.scenario(scenario)
        out = dict(self.templates)
        out.update(sc.overrides)
        for slug, pairs in sc.replacements.items():
            text = out.get(slug)
            if text is None:
                raise ProfileError(f"{self.name}/{sc.name}: replaces text in unknown {slug}")
            for old, new in pairs:
                if old not in text:
                    raise ProfileError(f"{self.name}/{sc.name}: {slug} does not contain {old!r}")
                text = text.replace(old, new)
            out[slug] = text
        for alias, target in self.aliases.items():
            if target in out:
                out[alias] = out[target]
        for slug in sc.behaviour.unsupported_commands:
            out.pop(command_slug(slug), None)
        return out

    def identity(self, index: int, hostname: str, serial: str | None = None) -> Identity:
        return Identity(
            profile=self.name,
            index=index,
            hostname=hostname,
            serial=serial or self.serial(index),
            uptime=uptime_for(self.name, index),
            mac=mac_for(self.name, index),
        )

    def serial(self, index: int) -> str:
        return cisco_serial(self.serial_prefix, index)

    def values_for(self, ident: Identity, now: datetime | None = None) -> TemplateValues:
        days, hours, minutes, seconds = ident.uptime.components()
        fixed = {
            **self.values,
            "hostname": ident.hostname,
            "serial": ident.serial,
            "pid": self.pid,
            "version": self.version,
            "uptime": ident.uptime.words(),
            "uptime_asa": ident.uptime.asa(),
            "uptime_short": ident.uptime.short(),
            "uptime_days": str(days),
            "uptime_weeks": str(days // 7),
            "uptime_wdays": str(days % 7),
            "uptime_hours": str(hours),
            "uptime_minutes": str(minutes),
            "uptime_seconds": str(seconds),
            "mac": format_mac(ident.mac, "dotted"),
            "mac_colon": format_mac(ident.mac, "colon"),
        }
        return TemplateValues(ident, fixed, now or datetime.now(UTC))


def render(template: str, values: Mapping[str, str]) -> str:
    return OutputTemplate(template).substitute(values)


def _read_yaml(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: expected a mapping")
    return data


def _scenario_from(name: str, data: Mapping[str, Any], overrides: dict[str, str]) -> Scenario:
    replacements: dict[str, tuple[tuple[str, str], ...]] = {}
    for command, pairs in (data.get("replace") or {}).items():
        checked = []
        for pair in pairs:
            if not (isinstance(pair, list) and len(pair) == 2):
                raise ProfileError(f"scenario {name}: replace {command}: need [old, new] pairs")
            checked.append((str(pair[0]), str(pair[1])))
        replacements[command_slug(command)] = tuple(checked)
    unknown = set(data) - {"description", "kind", "behaviour", "replace", "in_mix", "verdict"}
    if unknown:
        raise ProfileError(f"scenario {name}: unknown keys {sorted(unknown)}")
    kind = str(data.get("kind", "fault"))
    verdict = str(data.get("verdict") or _VERDICT_BY_KIND.get(kind, ""))
    if verdict not in ("PASS", "FAIL", "ERROR"):
        raise ProfileError(f"scenario {name}: say which verdict it expects (PASS, FAIL, ERROR)")
    return Scenario(
        name=name,
        description=str(data.get("description", "")).strip(),
        kind=kind,
        verdict=verdict,
        behaviour=Behaviour.from_data(data.get("behaviour")),
        overrides=overrides,
        replacements=replacements,
        in_mix=bool(data.get("in_mix", True)),
    )


def _templates_in(folder: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


@cache
def common_scenarios() -> dict[str, Scenario]:
    data = _read_yaml(COMMON_SCENARIOS_FILE)
    return {name: _scenario_from(name, body or {}, {}) for name, body in data.items()}


def load_profile(folder: Path) -> Profile:
    meta = _read_yaml(folder / "profile.yaml")
    missing = {"os", "pid", "serial_prefix", "version"} - set(meta)
    if missing:
        raise ProfileError(f"{folder}/profile.yaml: missing {sorted(missing)}")
    traits = traits_for(str(meta["os"]))  # fail early on a typo
    if meta.get("device_type", traits.device_type) != traits.device_type:
        raise ProfileError(f"{folder}/profile.yaml: os {traits.name} is {traits.device_type}")
    command_names = {command_slug(str(c)): str(c) for c in meta.get("commands") or ()}
    aliases = {}
    for alias, target in (meta.get("aliases") or {}).items():
        command_names.setdefault(command_slug(str(alias)), str(alias))
        aliases[command_slug(str(alias))] = command_slug(str(target))
    scenarios: dict[str, Scenario] = {
        HEALTHY: Scenario(name=HEALTHY, description="Everything in order.", kind="healthy")
    }
    scenarios.update(common_scenarios())
    for sc_dir in sorted(p for p in (folder / "scenarios").glob("*") if p.is_dir()):
        sc_file = sc_dir / "scenario.yaml"
        data = _read_yaml(sc_file) if sc_file.exists() else {}
        scenarios[sc_dir.name] = _scenario_from(sc_dir.name, data, _templates_in(sc_dir))
    profile = Profile(
        name=folder.name,
        os=str(meta["os"]),
        pid=str(meta["pid"]),
        description=str(meta.get("description", "")),
        serial_prefix=str(meta["serial_prefix"]),
        version=str(meta["version"]),
        values={k: str(v) for k, v in (meta.get("values") or {}).items()},
        templates=_templates_in(folder),
        scenarios=scenarios,
        command_names=command_names,
        aliases=aliases,
        awaits=tuple(str(c) for c in meta.get("awaits") or ()),
    )
    answered: set[str] = set()
    for name in scenarios:  # a scenario that does not apply cleanly is a load error
        answered |= set(profile.effective_templates(name))
    unknown = set(command_names) - answered - set(profile.templates)
    if unknown:
        raise ProfileError(f"{folder}/profile.yaml lists commands without a template: {unknown}")
    return profile


@cache
def load_profiles() -> dict[str, Profile]:
    return {
        p.name: load_profile(p)
        for p in sorted(PROFILES_DIR.iterdir())
        if (p / "profile.yaml").exists()
    }


def get_profile(name: str) -> Profile:
    profiles = load_profiles()
    try:
        return profiles[name]
    except KeyError:
        raise ProfileError(
            f"unknown profile {name!r}: expected one of {sorted(profiles)}"
        ) from None


__all__ = [
    "HEALTHY",
    "PLACEHOLDER",
    "Behaviour",
    "OutputTemplate",
    "Profile",
    "ProfileError",
    "Scenario",
    "command_slug",
    "get_profile",
    "load_profiles",
    "render",
]
